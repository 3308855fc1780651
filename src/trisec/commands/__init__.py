"""One module per `trisec` command; each exposes `command`. Keep imports of heavy
libraries (datasets, great_expectations, spacy) inside the command functions."""
