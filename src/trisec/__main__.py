"""`python -m trisec` runs the CLI."""

from trisec.cli import main

main()
