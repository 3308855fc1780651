"""The system prompt of each task, generated from schema/labels.yaml.

Every label, event type, role and definition is read from labels.yaml (the same source the
label tables of docs/ANNOTATION_GUIDELINES.md are generated from); the only text typed here
says what the task and the answer format are. The guidelines' example sentences are not
copied into prompts: they quote corpus articles, test documents among them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from trisec.generative.formats import dumps, response_schema
from trisec.schema import Schema

_QUOTING = (
    "Give every span as an object whose \"text\" is copied exactly from the article (same "
    "spelling, case and punctuation), never as character positions. When the same text "
    "occurs more than once in the article (also inside longer words or names), add "
    "\"occurrence\": which occurrence it is, counting every place the exact text appears "
    "(1 = first), or \"context\": a few words copied from the article around it, so the "
    "span can be located. List items in the order they appear in the article.")


def _one_line(text: Any) -> str:
    return " ".join(str(text or "").split())


def _definitions(items: list[Mapping[str, Any]]) -> list[str]:
    return [f"- {x['name']}: {_one_line(x.get('definition'))}" for x in items]


def _head(schema: Schema, task_line: str) -> list[str]:
    return [f"You annotate English news articles for {schema.dataset['pretty_name']} "
            f"(annotation scheme {schema.labels.get('scheme_version', '?')}).",
            task_line, ""]


def _answer(task: str, schema: Schema) -> list[str]:
    return ["", _QUOTING, "",
            "Answer with one JSON object, and nothing else, that follows this JSON Schema:",
            dumps(response_schema(task, schema))]


def entities_instructions(schema: Schema) -> str:
    lines = _head(schema, "Task: find every entity mention in the article and give its "
                  "label. Mentions never overlap; pronouns are not mentions.")
    lines += ["Entity labels:", *_definitions(schema.labels.get("entity_labels", []))]
    return "\n".join(lines + _answer("entities", schema))


def events_instructions(schema: Schema) -> str:
    lines = _head(schema, "Task: find every event of the types below: its type, its trigger "
                  "(the word or phrase that most clearly expresses it) and its arguments "
                  "(entity mentions in the article that fill one of the type's roles).")
    lines.append("Event types:")
    for t in schema.labels.get("event_types", []):
        lines.append(f"- {t['name']}: {_one_line(t.get('definition'))}")
        if t.get("triggers"):
            lines.append(f"  Typical triggers: {', '.join(map(str, t['triggers']))}.")
        for r in t.get("roles") or []:
            labels = ", ".join(r.get("labels") or schema.entity_labels)
            lines.append(f"  - role {r['name']} ({labels}): {_one_line(r.get('definition'))}")
    lines += ["", "Entity labels (for the role fillers):",
              *_definitions(schema.labels.get("entity_labels", []))]
    return "\n".join(lines + _answer("events", schema))


def attributions_instructions(schema: Schema) -> str:
    lines = _head(schema, "Task: find every attribution of reported content (a quotation or "
                  "reported speech or thought) to its source: the content itself, the cue "
                  "that introduces it (said, added, according to, ...; null if none) and the "
                  "entity mention of the source (the speaker; null if the text names none).")
    lines += ["Kinds of attributed content:",
              *_definitions(schema.labels.get("attribution_kinds", []))]
    return "\n".join(lines + _answer("attributions", schema))


INSTRUCTIONS = {"entities": entities_instructions, "events": events_instructions,
                "attributions": attributions_instructions}


def instructions(task: str, schema: Schema) -> str:
    return INSTRUCTIONS[task](schema)


def user_message(text: str) -> str:
    """The user turn: the article to annotate (few-shot excerpts use the same wording)."""
    return f"Article:\n{text}"
