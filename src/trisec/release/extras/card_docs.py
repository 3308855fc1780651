"""Release extra: the card's documentation sections (ctx.extra), computed from schema/ and
the staged Parquet files - label and event-type tables with definitions, statistics,
sources, annotation process and agreement, limitations, licence, citation, changelog.
(The card's `license_link: LICENSE.md` resolves on the Hub because publishing ships the
top-level LICENSE.md beside the release: trisec.release.archive.DOC_FILES.)
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from trisec.annotation.guidelines import attribute_sections, render_label_tables
from trisec.release.datasheet import (
    AGREEMENT_CAVEAT,
    ANNOTATION_PROCESS,
    bibtex,
    block_cleaning,
    block_counts,
    block_labels,
    block_sources,
    has_gold,
    render_all_agreements,
)
from trisec.schema import Schema

ORDER = 60
# ctx.extra keys: render_card joins the sections in key order.
KEYS = ("30-labels", "40-statistics", "45-sources", "50-annotation", "70-limitations",
        "80-license", "90-citation", "95-changelog")


def section_labels(schema: Schema) -> str:
    body = render_label_tables(schema.labels, attribute_sections(schema))
    return ("## Labels and event types\n\nThe scheme as defined in `schema/labels.yaml` (the "
            "same tables as in `docs/ANNOTATION_GUIDELINES.md`). The `ner_tags` integers of "
            "the `sentences` config are the BIO tags below, in order; `croissant.json` "
            "carries every vocabulary with its names.\n\n" + body)


def section_statistics(release: Path, schema: Schema) -> str:
    return ("## Statistics\n\nComputed from the Parquet files of this release.\n\n"
            f"{block_counts(release, schema)}\n\n### Label distribution\n\n"
            f"{block_labels(release, schema)}\n\n### What cleaning removed\n\n"
            "Every removal is kept in `documents.removed` with raw offsets and its reason.\n\n"
            f"{block_cleaning(release, schema)}\n")


def section_sources(release: Path, schema: Schema) -> str:
    return ("## Sources\n\nArticles from a web crawl of news pages; one row per document. "
            "Outlets include state-affiliated media (Press TV, Anadolu Agency) and copies or "
            "translations of agency stories.\n\n" + block_sources(release, schema) + "\n")


def section_annotation(release: Path, schema: Schema, passes_dir: Path | None) -> str:
    status = ("" if has_gold(release) else
              "**This release has no gold annotations yet**; the process below is the one "
              "the gold layers go through.\n\n")
    return ("## Annotation process and agreement\n\n" + status + ANNOTATION_PROCESS
            + "\n\n### Inter-annotator agreement\n\n" + AGREEMENT_CAVEAT + "\n\n"
            + render_all_agreements(passes_dir) + "\n")


LIMITATIONS = """\
## Limitations, biases and personal data

- **Tiny**: a handful of articles (see Statistics). Scores have wide confidence intervals;
  use the dataset to test extraction systems on this domain, not to rank close systems.
- **Sources and framing**: outlets include a state-affiliated broadcaster (Press TV, Iran)
  and a state-run agency (Anadolu Agency, Turkey) besides aggregators; their framing of the
  same events differs (e.g. "provocations", "muscle-flexing"). Annotations mark what the
  text says, not whether it is true.
- **English only**, and some texts are (machine) translations or aggregator copies of
  agency stories; names can be garbled, and one outlet is unconfirmed.
- **Cleaning is rule-based**: page boilerplate (related-news lists, captions, promos,
  stale sidebars) is removed and recorded in `documents.removed`; a rule can still miss or
  over-remove a line - check the audit trail.
- **Dates and metadata** carry provenance and confidence; crawl date lines can be wrong and
  are never upgraded to certain.
- **Annotations by AI agents**, adjudicated by another agent, not yet reviewed by a human.
- **Personal data**: the texts name public officials (ministers, military commanders,
  heads of state) acting in their public roles, as reported by the press. The dataset adds
  nothing about them beyond the published text and links to public Wikidata items.
- **Errors**: report them on the project's issue tracker with the `doc_id` and span id.
"""


LICENSE_SECTION = """\
## Licence and distributions

- **Article texts** belong to their publishers. They are redistributed here only for
  non-commercial research (card licence `other`, `news-text-research-only`); see
  `LICENSE.md`.
- **Annotations and metadata** (spans, labels, links, provenance): CC BY 4.0.
- **Code** that builds the dataset: Apache-2.0.
- A **standoff** distribution (every column but the article text, with the raw files'
  sha256 and URLs) is for users who cannot take the text; `trisec rehydrate` rebuilds the
  full release from byte-identical copies of the crawled raw files, verifying each sha256.
"""


def section_changelog(schema: Schema) -> str:
    notes = schema.dataset.get("release_notes") or {}
    lines = ["## Changelog", "",
             f"This is version **{schema.version}** (tag `v{schema.version}`). Versions follow "
             "semantic versioning (MAJOR: schema or label-set changes; MINOR: new articles or "
             "layers; PATCH: annotation corrections; `docs/VERSIONING.md` in the source "
             "repository). [CHANGELOG.md](CHANGELOG.md) and the full datasheet "
             "[DATASHEET.md](DATASHEET.md) are published beside this card; `trisec diff OLD "
             "NEW` lists every document and span that changed between two releases.", ""]
    lines += [f"- **{v}**: {' '.join(str(n).split())}" for v, n in notes.items()]
    return "\n".join(lines) + "\n"


def card_sections(release: Path, schema: Schema, passes_dir: Path | None) -> dict[str, str]:
    return dict(zip(KEYS, [
        section_labels(schema),
        section_statistics(release, schema),
        section_sources(release, schema),
        section_annotation(release, schema, passes_dir),
        LIMITATIONS,
        LICENSE_SECTION,
        "## Citation\n\n```bibtex\n" + bibtex(schema) + "\n```\n",
        section_changelog(schema),
    ], strict=True))


def extend(release_dir: Path, ctx: Any) -> None:
    ctx.extra.update(card_sections(release_dir, ctx.schema, ctx.corpus.passes_dir))
