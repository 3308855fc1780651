#!/usr/bin/env python
"""Build throughput benchmark (same as `trisec bench`): `python scripts/bench.py [--n 1000]`."""

from trisec.commands.bench import command

if __name__ == "__main__":
    command()
