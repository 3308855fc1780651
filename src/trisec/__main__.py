"""`python -m trisec` runs the CLI."""

from .cli import main

main()
