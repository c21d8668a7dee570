import matplotlib.pyplot as plt
import torch as t
from einops import reduce

get_ipython().run_line_magic("matplotlib", "inline")


def temperatures_average(temps: t.Tensor) -> t.Tensor:
    return reduce(temps, "(h 7) -> h", "mean")


temps = t.randn(21) * 10 + 60
fig, ax = plt.subplots()
ax.plot(temperatures_average(temps).numpy())
plt.title("weekly average")
plt.savefig("weekly.png")
