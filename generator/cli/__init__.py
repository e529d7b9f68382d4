"""The command line: a thin layer over the stages; errors become messages and exit codes."""

from .commands import main

__all__ = ["main"]
