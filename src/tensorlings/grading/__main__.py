"""`python -m tensorlings.grading SUBMISSION... --out DIR`: the grade command on its own."""

import sys

from tensorlings.grading.cli import main

sys.exit(main())
