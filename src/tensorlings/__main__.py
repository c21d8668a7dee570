import sys

from tensorlings.cli import main

sys.exit(main())
