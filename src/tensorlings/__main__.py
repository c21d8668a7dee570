from tensorlings.cli import entry

entry()
