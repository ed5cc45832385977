"""The package's version: the scorer's version that records and outputs name."""

__version__ = "1.5.0"
