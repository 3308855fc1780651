"""Stage 1, raw -> documents: read and decode raw pages (`ingest`), clean them (`clean`), resolve
dates (`dates`) and curated metadata (`metadata`), tokens and sentences (`sentences`), BIO tags
(`bio`), and add new raw articles to a corpus (`add`)."""
