"""Time the mentions suite on N synthetic mention rows (default 1,000,000).

Builds in-memory tables shaped like a release (documents with text and nested entities,
one sentence per document, N flat mentions), then times the real path: the mentions frame
(joins with document text, sentence and entity; overlap neighbours) and the GX run of the
mentions suite from validation/ (pass/fail pass, then the row-naming pass on a broken copy).

    .venv/bin/python scripts/bench_validate.py [--rows N] [--per-doc K]
"""

from __future__ import annotations

import argparse
import logging
import time

import pandas as pd


def tables(rows: int, per_doc: int, schema):  # type: ignore[no-untyped-def]
    from trisec.validation.frames import empty_table

    docs = max(1, rows // per_doc)
    word = "Seoul"  # every mention is a 5-letter GPE token separated by a space
    text = " ".join([word] * per_doc) + "."
    doc_ids = [f"tsn-{i:016x}" for i in range(docs)]
    entities = [{"id": "E1", "name": word, "qid": "Q8684"}]
    documents = pd.DataFrame({"doc_id": doc_ids, "split": "train", "text": text,
                              "entities": [entities] * docs})
    sentences = pd.DataFrame({"doc_id": doc_ids, "split": "train", "sentence_index": 0,
                              "start": 0, "end": len(text)})
    n = docs * per_doc
    k = pd.RangeIndex(n) % per_doc
    starts = (k * (len(word) + 1)).astype("int32")
    mentions = pd.DataFrame({
        "doc_id": pd.Series(doc_ids).repeat(per_doc).to_numpy(), "split": "train",
        "mention_id": ["M" + str(i + 1) for i in k], "start": starts,
        "end": (starts + len(word)).astype("int32"), "text": word, "label": "GPE",
        "mention_type": "NAM", "gpe_role": "GOV", "entity_id": "E1", "qid": "Q8684",
        "timex_value": None, "sentence_index": pd.array([0] * n, dtype="int32")})
    t = {c: empty_table(schema, c) for c in schema.configs}
    t.update(documents=documents, sentences=sentences, mentions=mentions)
    return t


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--per-doc", type=int, default=50)
    args = ap.parse_args()

    from trisec.schema import load_schema
    from trisec.validation.frames import gx_frame, mentions_frame
    from trisec.validation.suites import result_format, suite_specs, to_gx

    schema = load_schema()
    spec = next(s for s in suite_specs(schema) if s.name == "mentions")
    t0 = time.perf_counter()
    t = tables(args.rows, args.per_doc, schema)
    t1 = time.perf_counter()
    frame = gx_frame(mentions_frame(t, schema), spec.columns)
    t2 = time.perf_counter()
    t3 = time.perf_counter()
    import great_expectations as gx

    from trisec.validation import expectations  # noqa: F401

    logging.getLogger("great_expectations").setLevel(logging.ERROR)
    # an ephemeral context with the same expectations `trisec validate --define` commits:
    # the benchmark leaves validation/ untouched
    from great_expectations.data_context.types.base import ProgressBarsConfig

    ctx = gx.get_context(mode="ephemeral")
    ctx.variables.progress_bars = ProgressBarsConfig(globally=False, metric_calculations=False)
    batch = ctx.data_sources.add_pandas("bench").add_dataframe_asset("mentions") \
        .add_batch_definition_whole_dataframe("all")
    suite = gx.ExpectationSuite("mentions")
    for e in spec.expectations:
        suite.add_expectation(to_gx(e))
    suite = ctx.suites.add(suite)
    assert len(suite.expectations) == len(spec.expectations), "custom expectations dropped"
    vd = ctx.validation_definitions.add(gx.ValidationDefinition(name="m", data=batch,
                                                                suite=suite))
    t4 = time.perf_counter()
    ok = vd.run(batch_parameters={"dataframe": frame}, result_format="BOOLEAN_ONLY")
    t5 = time.perf_counter()
    broken = frame.copy()
    broken.loc[broken.index[::100_000], "label"] = "WEAPONRY"
    bad = vd.run(batch_parameters={"dataframe": broken}, result_format=result_format(spec))
    t6 = time.perf_counter()
    failed = [r.expectation_config.type for r in bad.results if not r.success]

    print(f"mention rows           {len(frame):>12,}  ({len(t['documents']):,} documents)")
    print(f"expectations           {len(spec.expectations):>12}")
    print(f"synthetic tables       {t1 - t0:>11.2f}s")
    print(f"mentions frame (joins) {t2 - t1:>11.2f}s")
    print(f"GX import + context    {t4 - t3:>11.2f}s")
    print(f"suite, pass/fail pass  {t5 - t4:>11.2f}s  success={ok.success}")
    print(f"suite, naming rows     {t6 - t5:>11.2f}s  failed={failed}")
    print(f"gate on this table     {t2 - t1 + t5 - t4:>11.2f}s  (frame + pass/fail pass; "
          "GX import excluded)")


if __name__ == "__main__":
    main()
