"""Build throughput benchmark: a deterministic synthetic crawl (synth) and measurements of
every silver stage against the floors it is compared with (measure). `trisec bench` or
`python scripts/bench.py`."""
