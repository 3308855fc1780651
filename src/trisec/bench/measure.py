"""Measure the silver pipeline on synthetic crawls against the floors it is compared with.

For each N: a synthetic crawl (synth.py) is written to a temp folder, then two fresh Python
processes run, so memory figures are the pipeline's own and nothing is warm from a previous N:
1. `pipeline`: trisec.silver.run_silver with the local executor; per step seconds (exclusive,
   from the executor's stats), peak RSS overall (getrusage) and per step (a sampler thread
   reading RSS every 10 ms, charged to the step open at that moment);
2. `floor`: the least any tokenizing pipeline must do with the same crawl, in a fresh
   process timed the same way (imports included): read every raw file, decode it, and run
   spaCy's blank English tokenizer over it; the plain read is timed on its own too. It runs
   before and after the pipeline and the mean is the floor, so a change in the machine's
   load during the run weighs on both sides;
3. `floors`: per stage, spaCy's tokenizer alone over the texts the pipeline wrote, and
   pyarrow writing the same tables with the same options.
Then the validation gate on a million span rows (scripts/bench_validate.py) and a seed build
(`trisec build` of corpus/ into a temp folder) against the import floor of its two heavy
dependencies (`import great_expectations, datasets`), each in fresh processes, repeated.
The parent prints tables and writes JSON. Nothing here asserts timings; targets are
reported as met or missed, by how much.
"""

from __future__ import annotations

import json
import os
import platform
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

# benchmark rows -> the executor's steps they sum (executors.py / run.py)
STAGES: dict[str, tuple[str, ...]] = {
    "ingest+clean": ("read", "clean"),
    "dedup": ("fingerprint", "dedup"),
    "tokenize+sentences": ("sentences",),
    "pre-annotate": ("predict",),
    "Parquet write": ("assemble", "write"),
    "intermediate files": ("spill",),
}
TARGET_WORDS_PER_MIN_PER_CORE = 5_000_000
TARGET_FLOOR_RATIO = 8.0  # pipeline / (read + decode + tokenize the raw files)
TARGET_N = 10_000  # the crawl size the throughput targets are stated for
TARGET_RSS_RATIO = 1.2
TARGET_GX_SECONDS = 3.0
TARGET_SEED_RATIO = 1.5  # seed build / import great_expectations + datasets
SEED_REPEATS = 3
MIB = 1024 * 1024


def machine() -> dict[str, Any]:
    import psutil

    cpu = platform.processor() or ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {"cpu": cpu, "cores": os.cpu_count(), "memory_gib": round(
        psutil.virtual_memory().total / 2**30, 1), "python": platform.python_version(),
        "platform": platform.platform()}


# --- child 1: the pipeline -------------------------------------------------------------------

class RssSampler(threading.Thread):
    """Highest RSS seen while each step was open (current_step of the executor's stats)."""

    def __init__(self, interval: float = 0.01) -> None:
        super().__init__(daemon=True)
        import psutil

        from trisec.silver.executors import current_step

        self.proc, self.current, self.interval = psutil.Process(), current_step, interval
        self.peaks: dict[str, int] = {}
        self.stop = threading.Event()

    def run(self) -> None:
        while not self.stop.wait(self.interval):
            step = self.current() or "(between steps)"
            rss = self.proc.memory_info().rss
            if rss > self.peaks.get(step, 0):
                self.peaks[step] = rss


def run_pipeline(crawl: Path, out: Path, workers: int) -> dict[str, Any]:
    t0 = time.perf_counter()
    from trisec.silver.run import run_silver

    sampler = RssSampler()
    sampler.start()
    result = run_silver(crawl, out, executor_name="local", workers=workers)
    wall = time.perf_counter() - t0
    sampler.stop.set()
    sampler.join()
    self_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    child_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return {
        "wall_seconds": wall, "files": result.files, "words": result.words,
        "documents": result.documents, "quarantined": len(result.quarantined),
        "duplicates": len(result.duplicates),
        "steps": {step: {"seconds": secs, "counters": dict(result.stats.counters.get(step, {}))}
                  for step, _, secs in result.stats.rows()},
        "peak_rss_bytes": max(self_kib, child_kib) * 1024,
        "step_peak_rss_bytes": sampler.peaks, "workers": workers,
    }


# --- child 2: the floor of the whole run -------------------------------------------------------

def run_floor(crawl: Path) -> dict[str, Any]:
    """Read + decode + tokenize every raw file, timed from before the tokenizer's import as
    run_pipeline is timed from before the pipeline's (a file that is not UTF-8 is skipped,
    as the pipeline quarantines it)."""
    t0 = time.perf_counter()
    datas = [p.read_bytes() for p in sorted(crawl.iterdir()) if p.is_file()]
    t_read = time.perf_counter()
    texts = []
    for data in datas:
        try:
            texts.append(data.decode("utf-8"))
        except UnicodeDecodeError:
            continue
    t_decode = time.perf_counter()
    import spacy

    tokenizer = spacy.blank("en").tokenizer  # the tokenizer trisec.documents.sentences uses
    t_import = time.perf_counter()
    tokens = sum(len(doc) for doc in tokenizer.pipe(texts))
    t_end = time.perf_counter()
    return {"read_seconds": t_read - t0, "decode_seconds": t_decode - t_read,
            "import_seconds": t_import - t_decode, "tokenize_seconds": t_end - t_import,
            "seconds": t_end - t0, "files": len(datas), "tokens": tokens,
            "bytes": sum(len(d) for d in datas)}


# --- child 3: the per-stage floors ----------------------------------------------------------

def run_floors(out: Path) -> dict[str, Any]:
    import pyarrow.parquet as pq

    from trisec.documents.sentences import nlp
    from trisec.silver.executors import SILVER_PARQUET

    tokenizer = nlp().tokenizer  # the same blank-English tokenizer the pipeline uses
    tok_seconds, tokens = 0.0, 0
    for path in sorted((out / "data" / "documents").glob("*.parquet")):
        for batch in pq.ParquetFile(path).iter_batches(columns=["text"], batch_size=256):
            texts = batch.column(0).to_pylist()
            t0 = time.perf_counter()
            tokens += sum(len(doc) for doc in tokenizer.pipe(texts))
            tok_seconds += time.perf_counter() - t0
    write_seconds, rows = 0.0, 0
    with tempfile.TemporaryDirectory() as tmp:
        for path in sorted((out / "data").glob("*/*.parquet")):
            pf = pq.ParquetFile(path)
            table = pf.read()
            target = Path(tmp) / "floor.parquet"
            t0 = time.perf_counter()
            pq.write_table(table, target, **SILVER_PARQUET)
            write_seconds += time.perf_counter() - t0
            rows += table.num_rows
            target.unlink()
    return {"tokenizer_seconds": tok_seconds, "tokens": tokens,
            "pyarrow_write_seconds": write_seconds, "rows": rows}


# --- parent ----------------------------------------------------------------------------------

def _child(mode: str, *args: str) -> dict[str, Any]:
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as fh:
        result_path = Path(fh.name)
    try:
        cmd = [sys.executable, "-m", "trisec.bench.measure", mode, *args, str(result_path)]
        proc = subprocess.run(cmd, capture_output=True, text=True)
        if proc.returncode != 0:
            from trisec.errors import Problem, TrisecError

            raise TrisecError(Problem(f"benchmark {mode} process", proc.stderr.strip()[-2000:],
                                      "run the command above by hand to see the error"))
        return json.loads(result_path.read_text(encoding="utf-8"))
    finally:
        result_path.unlink(missing_ok=True)


def summarise(n: int, crawl: dict[str, Any], pipe: dict[str, Any],
              floors: dict[str, Any], raw_floors: list[dict[str, Any]]) -> dict[str, Any]:
    """Per stage and end-to-end figures and the ratios to the floors."""
    words, workers = pipe["words"], pipe["workers"]
    steps, peaks = pipe["steps"], pipe["step_peak_rss_bytes"]
    stages = []
    for name, parts in STAGES.items():
        secs = sum(steps.get(p, {}).get("seconds", 0.0) for p in parts)
        docs = pipe["files"] if name == "ingest+clean" else pipe["documents"]
        stages.append({
            "stage": name, "seconds": secs, "documents_per_second": docs / secs if secs else None,
            "words_per_second_per_core": words / secs if secs else None,
            "peak_rss_bytes": max((peaks.get(p, 0) for p in parts), default=0) or None})
    steady = sum(s["seconds"] for s in stages)
    wall = pipe["wall_seconds"]
    tok = floors["tokenizer_seconds"]
    write = next(s["seconds"] for s in stages if s["stage"] == "Parquet write")
    per_core_min = words / wall / workers * 60
    floor = sum(f["seconds"] for f in raw_floors) / len(raw_floors)
    read = sum(f["read_seconds"] for f in raw_floors) / len(raw_floors)
    return {
        "n": n, "crawl": crawl, "pipeline": pipe, "floors": floors, "stages": stages,
        "floor": {"runs": raw_floors, "seconds": floor, "read_seconds": read,
                  "words_per_minute": words / floor * 60},
        "end_to_end": {
            "seconds": wall, "documents_per_second": pipe["files"] / wall,
            "words_per_second_per_core": words / wall / workers,
            "words_per_minute_per_core": per_core_min,
            "peak_rss_bytes": pipe["peak_rss_bytes"], "steady_state_seconds": steady},
        "ratios": {
            "end_to_end_over_floor": wall * workers / floor,
            "end_to_end_over_read": wall * workers / read if read else None,
            "end_to_end_over_tokenizer": wall * workers / tok if tok else None,
            "stages_over_tokenizer": steady / tok if tok else None,
            "sentences_over_tokenizer": next(
                s["seconds"] for s in stages if s["stage"] == "tokenize+sentences") / tok
            if tok else None,
            "write_over_pyarrow": write / floors["pyarrow_write_seconds"]
            if floors["pyarrow_write_seconds"] else None},
    }


def gx_benchmark(root: Path) -> dict[str, Any]:
    """The validation engineer's benchmark (scripts/bench_validate.py: the mentions suite on
    1M synthetic span rows), run as it is; its `gate on this table` line is the figure."""
    script = root / "scripts" / "bench_validate.py"
    if not script.is_file():
        return {"status": "not measured: scripts/bench_validate.py is not in this checkout"}
    proc = subprocess.run([sys.executable, str(script)], capture_output=True, text=True,
                          cwd=root)
    if proc.returncode != 0:
        return {"status": f"scripts/bench_validate.py failed: {proc.stderr.strip()[-500:]}"}
    out: dict[str, Any] = {"status": "measured", "output": proc.stdout.strip()}
    gate = re.search(r"gate on this table\s+([\d.]+)s", proc.stdout)
    rows = re.search(r"mention rows\s+([\d,]+)", proc.stdout)
    if gate:
        out["seconds"] = float(gate.group(1))
    if rows:
        out["rows"] = int(rows.group(1).replace(",", ""))
    return out


def _timed(cmd: list[str], cwd: Path) -> float:
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=cwd)
    seconds = time.perf_counter() - t0
    if proc.returncode != 0:
        from trisec.errors import Problem, TrisecError

        raise TrisecError(Problem(" ".join(cmd), proc.stderr.strip()[-2000:],
                                  "run the command by hand to see the error"))
    return seconds


def seed_build(root: Path, repeats: int = SEED_REPEATS) -> dict[str, Any]:
    """A seed build (`trisec build` of corpus/, validated, into a temp folder) against the
    import floor (`import great_expectations, datasets`), fresh processes, interleaved;
    the medians are compared."""
    import statistics

    imports, builds = [], []
    for _ in range(repeats):
        imports.append(_timed([sys.executable, "-c", "import great_expectations, datasets"],
                              root))
        with tempfile.TemporaryDirectory(prefix="trisec-seed-") as tmp:
            builds.append(_timed([sys.executable, "-c", "from trisec.cli import main; main()",
                                  "build", "--out", str(Path(tmp) / "dataset"), "--quiet"],
                                 root))
    imp, build = statistics.median(imports), statistics.median(builds)
    return {"import_seconds": imports, "build_seconds": builds, "import_median": imp,
            "build_median": build, "ratio": build / imp}


def targets(runs: list[dict[str, Any]], gx: dict[str, Any],
            seed: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    """Each target: met or missed, with the measured value."""
    out = []
    for r in runs:
        at = " (informative)" if r["n"] != TARGET_N else ""
        v = r["end_to_end"]["words_per_minute_per_core"]
        out.append({"target": f"end to end >= 5M words/min/core (N={r['n']:,}){at}",
                    "value": f"{v / 1e6:.2f}M", "met": v >= TARGET_WORDS_PER_MIN_PER_CORE,
                    "by": f"{v / TARGET_WORDS_PER_MIN_PER_CORE:.2f}x the target"})
        ratio = r["ratios"]["end_to_end_over_floor"]
        out.append({"target": f"pipeline <= 8x read+decode+tokenize floor (N={r['n']:,}){at}",
                    "value": f"{ratio:.1f}x", "met": ratio <= TARGET_FLOOR_RATIO,
                    "by": f"floor {r['floor']['seconds']:.2f} s, pipeline "
                          f"{r['end_to_end']['seconds']:.2f} s"})
    by_n = {r["n"]: r for r in runs}
    for big in (10_000, 100_000):
        if 1000 in by_n and big in by_n:
            a = by_n[1000]["end_to_end"]["peak_rss_bytes"]
            b = by_n[big]["end_to_end"]["peak_rss_bytes"]
            out.append({"target": f"peak RSS at {big:,} <= 1.2x at 1,000"
                        + (" (informative)" if big != 10_000 else ""),
                        "value": f"{b / a:.2f}x", "met": b / a <= TARGET_RSS_RATIO,
                        "by": f"{b / MIB:.0f} MiB vs {a / MIB:.0f} MiB"})
    seconds = gx.get("seconds")
    out.append({"target": f"gate <= 3 s on {gx.get('rows', 1_000_000):,} span "
                          "rows (frame + pass/fail run, scripts/bench_validate.py)",
                "value": f"{seconds:.1f} s" if isinstance(seconds, int | float) else
                gx.get("status", "?"),
                "met": (seconds <= TARGET_GX_SECONDS) if isinstance(seconds, int | float)
                else None,
                "by": "" if not isinstance(seconds, int | float) or seconds <= TARGET_GX_SECONDS
                else f"missed by {seconds - TARGET_GX_SECONDS:.1f} s"})
    if seed:
        out.append({"target": "seed build <= 1.5x import floor (great_expectations + datasets)",
                    "value": f"{seed['ratio']:.2f}x", "met": seed["ratio"] <= TARGET_SEED_RATIO,
                    "by": f"build {seed['build_median']:.2f} s, imports "
                          f"{seed['import_median']:.2f} s (medians of "
                          f"{len(seed['build_seconds'])})"})
    return out


def benchmark(ns: list[int], workers: int = 1, json_path: Path | None = None,
              workdir: Path | None = None, seed: int = 0,
              progress: Any = None, seed_build_runs: int = SEED_REPEATS) -> dict[str, Any]:
    """Generate, run and measure each N; returns the JSON-ready report (written if asked)."""
    from trisec.bench.synth import generate, harvest
    from trisec.paths import RAW_DIR, ROOT

    say = progress or (lambda msg: None)
    pools = harvest(RAW_DIR)
    runs = []
    base = Path(tempfile.mkdtemp(prefix="trisec-bench-", dir=workdir))
    try:
        for n in ns:
            crawl_dir, out = base / f"crawl-{n}", base / f"silver-{n}"
            say(f"N={n:,}: generating the synthetic crawl")
            t0 = time.perf_counter()
            rep = generate(crawl_dir, n, pools, seed)
            crawl = {"seconds": time.perf_counter() - t0, "files": len(rep.files),
                     "words": rep.words, "bytes": rep.nbytes, "planted_bad": len(rep.bad),
                     "exact_duplicates": len(rep.exact_duplicates),
                     "near_duplicates": len(rep.near_duplicates)}
            say(f"N={n:,}: read + decode + tokenize floor (fresh process)")
            raw_floors = [_child("floor", str(crawl_dir))]
            say(f"N={n:,}: running the pipeline ({workers} worker(s), fresh process)")
            load_before = os.getloadavg()[0]
            pipe = _child("pipeline", str(crawl_dir), str(out), str(workers))
            # other work on the machine slows every figure: say how busy it was
            pipe["load_average_1min"] = {"before": load_before, "after": os.getloadavg()[0]}
            say(f"N={n:,}: the floor again, then the per-stage floors (fresh processes)")
            raw_floors.append(_child("floor", str(crawl_dir)))
            floors = _child("floors", str(out))
            runs.append(summarise(n, crawl, pipe, floors, raw_floors))
            shutil.rmtree(crawl_dir)
            shutil.rmtree(out)
    finally:
        shutil.rmtree(base, ignore_errors=True)
    say("GX flat-table suites")
    load_before = os.getloadavg()[0]
    gx = gx_benchmark(ROOT)
    gx["load_average_1min"] = {"before": load_before, "after": os.getloadavg()[0]}
    seed_result = None
    if seed_build_runs:
        say(f"seed build vs import floor ({seed_build_runs}x each, fresh processes)")
        load_before = os.getloadavg()[0]
        seed_result = seed_build(ROOT, seed_build_runs)
        seed_result["load_average_1min"] = {"before": load_before,
                                            "after": os.getloadavg()[0]}
    report = {"machine": machine(), "settings": {"ns": ns, "workers": workers, "seed": seed},
              "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
              "runs": runs, "gx": gx, "seed_build": seed_result}
    report["targets"] = targets(runs, gx, seed_result)
    if json_path:
        json_path.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    return report


def render(report: dict[str, Any]) -> Any:
    """Rich tables: one row per stage and N, then the targets."""
    from rich.console import Group
    from rich.table import Table

    m = report["machine"]
    t = Table(title=f"trisec silver pipeline, {m['cores']} cores, {m['memory_gib']} GiB, "
                    f"{m['cpu']}, Python {m['python']} "
                    f"({report['settings']['workers']} worker(s))")
    for col in ("N", "stage", "seconds", "docs/s", "words/s/core", "peak RSS MiB",
                "floor s", "ratio"):
        t.add_column(col, justify="left" if col == "stage" else "right")
    for r in report["runs"]:
        fl, ratios = r["floors"], r["ratios"]
        for s in r["stages"]:
            floor, ratio = "", ""
            if s["stage"] == "tokenize+sentences":
                floor = f"{fl['tokenizer_seconds']:.2f}"
                ratio = f"{ratios['sentences_over_tokenizer']:.1f}x"
            elif s["stage"] == "Parquet write":
                floor = f"{fl['pyarrow_write_seconds']:.2f}"
                ratio = f"{ratios['write_over_pyarrow']:.1f}x"
            t.add_row(f"{r['n']:,}", s["stage"], f"{s['seconds']:.2f}",
                      _num(s["documents_per_second"]), _num(s["words_per_second_per_core"]),
                      _mib(s["peak_rss_bytes"]), floor, ratio)
        e = r["end_to_end"]
        t.add_row(f"{r['n']:,}", "[b]end to end[/]", f"{e['seconds']:.2f}",
                  _num(e["documents_per_second"]), _num(e["words_per_second_per_core"]),
                  _mib(e["peak_rss_bytes"]), f"{fl['tokenizer_seconds']:.2f}",
                  f"{ratios['end_to_end_over_tokenizer']:.1f}x", end_section=True)
    t.caption = "load average (1 min) before/after each pipeline run: " + ", ".join(
        f"N={r['n']:,}: {r['pipeline']['load_average_1min']['before']:.1f}/"
        f"{r['pipeline']['load_average_1min']['after']:.1f}" for r in report["runs"])
    f = Table(title=f"pipeline vs floors, same run ({report.get('date', '')}, {m['cpu']})")
    for col in ("N", "words", "plain read s", "read+decode+tokenize s", "pipeline s",
                "pipeline / floor", "pipeline / read", "words/min/core"):
        f.add_column(col, justify="right")
    for r in report["runs"]:
        fl, e = r["floor"], r["end_to_end"]
        f.add_row(f"{r['n']:,}", f"{r['pipeline']['words']:,}", f"{fl['read_seconds']:.2f}",
                  f"{fl['seconds']:.2f}", f"{e['seconds']:.2f}",
                  f"{r['ratios']['end_to_end_over_floor']:.1f}x",
                  f"{r['ratios']['end_to_end_over_read']:.0f}x"
                  if r["ratios"]["end_to_end_over_read"] else "-",
                  f"{e['words_per_minute_per_core'] / 1e6:.2f}M")
    f.caption = ("floor: a fresh process reads every raw file, decodes it and runs spaCy's "
                 "blank English tokenizer (import included, as in the pipeline's time); mean "
                 "of one run before and one after the pipeline")
    g = Table(title="targets")
    for col in ("target", "measured", "met", "note"):
        g.add_column(col)
    for x in report["targets"]:
        met = {True: "[green]yes[/]", False: "[red]no[/]", None: "-"}[x["met"]]
        g.add_row(x["target"], x["value"], met, x["by"])
    return Group(t, f, g)


def _num(x: float | None) -> str:
    return "-" if x is None else f"{x:,.0f}"


def _mib(x: int | None) -> str:
    return "-" if not x else f"{x / MIB:,.0f}"


def _main(argv: list[str]) -> None:
    mode, *args = argv
    if mode == "pipeline":
        crawl, out, workers, result = args
        data = run_pipeline(Path(crawl), Path(out), int(workers))
    elif mode == "floors":
        out, result = args
        data = run_floors(Path(out))
    elif mode == "floor":
        crawl, result = args
        data = run_floor(Path(crawl))
    else:
        raise SystemExit(f"unknown mode {mode}")
    Path(result).write_text(json.dumps(data), encoding="utf-8")


if __name__ == "__main__":
    _main(sys.argv[1:])
