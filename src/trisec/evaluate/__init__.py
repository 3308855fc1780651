"""The benchmark's metrics: small pure functions over plain spans (nervaluate/seqeval style).

- spans: matching under strict/exact/partial/type; Counts; P/R/F1 in one place (`prf`)
- events: TextEE trigger and argument metrics; attribution: quote metrics
- views: gold rows, annotation files and prediction lines -> one comparable DocView
- score: per-document counts -> corpus report; bootstrap: CIs over documents
- agreement: pass B scored against pass A with the same code
- predictions, labelmap, gold: the I/O edges the CLI uses (validation with line numbers)
"""
