"""salesops: a new-home sales office (售楼部) run from the command line on a git record store."""

__version__ = "0.1.0"
