"""One colour per label, shared by the Label Studio config and the rendered HTML pages, so
an annotator sees the same colours in both. Derived from the order of the label sets in
schema/labels.yaml; entity labels get light tones, event triggers warm ones."""

from __future__ import annotations

from trisec.schema import Schema

# light, distinguishable backgrounds (black text stays readable on each)
ENTITY_TONES = ["#7aecec", "#bfeeb7", "#feca74", "#c887fb", "#aa9cfc", "#9cc9cc", "#e4e7d2",
                "#ff9561", "#ddd9f3", "#ffeb80", "#bfe1d9", "#f0d0ff", "#c7d7ff"]
TRIGGER_TONES = ["#ff6b6b", "#ff8c42", "#f25f5c", "#ef476f", "#e76f51", "#d62828", "#fb8500",
                 "#e63946", "#f4845f", "#c9184a", "#ff5d8f", "#f3722c"]
CONTENT_COLOR = "#b0b0b0"
CUE_COLOR = "#606060"


def label_colors(schema: Schema) -> dict[str, str]:
    """{label: colour} for entity labels, event types and the attribution labels."""
    colors: dict[str, str] = {}
    for i, label in enumerate(schema.entity_labels):
        colors[label] = ENTITY_TONES[i % len(ENTITY_TONES)]
    for i, etype in enumerate(schema.event_types):
        colors[etype] = TRIGGER_TONES[i % len(TRIGGER_TONES)]
    return colors
