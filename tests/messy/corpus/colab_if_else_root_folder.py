# Colab or local: the data folder differs, and a pip fallback when einops is missing.
import os
import sys
import subprocess

IN_COLAB = "google.colab" in sys.modules
if IN_COLAB:
    os.system("pip install einops")
    from google.colab import drive
    drive.mount("/content/drive")
    root = "/content/drive/MyDrive"
else:
    root = "."
    os.system("echo local")

try:
    import einops
except ImportError:
    subprocess.run(["pip", "install", "einops"])

import torch as t


def relu_abs(x):
    print(root)
    return (x.abs() + x) / 2
