"""`trisec metadata import-seed SEED.yaml`: curated metadata stubs from researched provenance."""

from __future__ import annotations

from pathlib import Path

import click


@click.group("metadata")
def command() -> None:
    """Curated per-article metadata (corpus/metadata/)."""


@command.command("import-seed")
@click.argument("seed", type=click.Path(exists=True, path_type=Path))
@click.option("--force", is_flag=True, help="Overwrite existing curated files.")
def import_seed(seed: Path, force: bool) -> None:
    """Write corpus/metadata/<doc_id>.yaml for each raw file named in SEED (external facts)."""
    import yaml

    from trisec.documents.ingest import read_raw
    from trisec.documents.metadata import seed_to_curated
    from trisec.errors import Problem, TrisecError
    from trisec.paths import METADATA_DIR, RAW_DIR

    records = yaml.safe_load(seed.read_text(encoding="utf-8")) or {}
    METADATA_DIR.mkdir(parents=True, exist_ok=True)
    for name, rec in sorted(records.items()):
        path = RAW_DIR / name
        if not path.is_file():
            raise TrisecError(Problem(f"{seed}: {name}", "no such raw file in corpus/raw",
                                      "add the raw file first with `trisec add`"))
        raw = read_raw(path)
        out = METADATA_DIR / f"{raw.doc_id}.yaml"
        if out.exists() and not force:
            click.echo(f"kept {out.name} (exists; --force to overwrite)")
            continue
        data = seed_to_curated(name, raw.sha256, rec)
        header = ("# Curated metadata. Facts marked external come from a curator's lookup\n"
                  "# (shared/seed-provenance.yaml); confidence is the lookup's, never upgraded.\n")
        out.write_text(header + yaml.safe_dump(data, sort_keys=False, allow_unicode=True,
                                               width=100), encoding="utf-8")
        click.echo(f"wrote {out.relative_to(METADATA_DIR.parents[1])}")
