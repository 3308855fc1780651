"""Level 5, the validation gate, in small modules with one job each (docs/ARCHITECTURE.md).

- `frames`: a release folder -> one pandas DataFrame per suite (flat tables joined with what
  their checks need: the document text, the referenced mention, nested-vs-flat counts).
- `checks`: pure row-level predicates (no GX) the custom expectations call.
- `suites`: `schema/` -> suite specs (pure data); `write_project` materialises them as the
  Great Expectations file project in `validation/` (the only writer of suite JSON).
- `expectations`: the custom GX expectations; imported before any suite is loaded.
- `run`: load the project, check every suite is complete, run one checkpoint per table.
- `mutations`: the catalogue of broken releases the gate must reject.

Only `expectations`, `run` and `suites.write_project` import great_expectations (~3 s).
"""
