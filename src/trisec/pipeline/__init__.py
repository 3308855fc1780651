"""One list of stage functions, run by swappable executors (datatrove's lesson).

    corpus.py  Corpus: everything a build reads (raw, metadata, gold, passes, predictions)
    stats.py   Stats: per-step counters and exclusive wall time
    steps.py   the stages, one small function or step each: read -> clean -> dedup -> annotate
    local.py   the streaming local executor (gold build, `trisec ingest`, published texts)
    add.py     `trisec add`: new raw files checked with the same steps, then copied in

The silver pipeline (trisec.silver) runs the same per-document functions (steps.clean_one,
documents.sentences.split_sentences, release.assemble.rows_for) in its sharded batch
executors (local processes or Ray).
"""
