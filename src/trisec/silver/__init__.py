"""Silver corpus: the gold pipeline's stages over a whole crawl, pre-annotated by a baseline.

`run.run_silver(crawl_dir, out, executor_name="local"|"ray")` (CLI: `trisec silver`). Modules:
tables (Arrow schemas: gold configs + `silver`, `annotator`), stages (pure batch functions),
dedup (exact + MinHash near duplicates), plan (shards, output names, markers), executors
(local processes or Ray Data), run (the phases and the reports).
"""
