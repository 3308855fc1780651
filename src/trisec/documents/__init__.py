"""Level 2, raw -> documents: read and decode raw pages (`ingest`), clean them (`clean`),
resolve dates (`dates`) and curated metadata (`metadata`), tokens and sentences (`sentences`),
BIO tags (`bio`), raw-file pins (`pins`) and near-duplicate measures (`near_duplicates`).
docs/ARCHITECTURE.md."""
