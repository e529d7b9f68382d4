"""The command line: the samdok group with every command family registered on it."""

from . import build, project, review, sign  # noqa: F401 - each registers its commands
from .group import main

__all__ = ["main"]
