"""The version of tensorlings, in a module of its own: what records it (workbooks, stores,
`--version`) imports this, never the package's entry points."""

__version__ = "0.1.0"
