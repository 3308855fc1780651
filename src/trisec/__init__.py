"""TRISEC."""
