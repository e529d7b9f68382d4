"""`python -m generator` runs the samdok command line."""

from .cli import main

main()
