"""Publication date: choose among the clues cleaning found and curated external evidence.

Order of trust (docs/CLEANING.md): an external lookup rated high; the outlet's own date stamp;
an external lookup rated medium; the crawl date line checked against the body (dateline,
weekdays), or the dateline's day when it is later than the crawl date; an external lookup rated
low; a crawl date contradicted by the body. Related-news blocks are never a source.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from trisec.document import DateFact

_MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
_YEAR = re.compile(r"^\d{4}$")


def date_problem(value: str | None, precision: str | None) -> str | None:
    """An ISO 8601 date, or a partial one (YYYY-MM, YYYY) whose form matches `precision`
    (the curated-metadata reader and the validation gate both hold dates to this rule)."""
    if value is None:
        return None if precision is None else f"precision {precision!r} without a date"
    v = str(value)
    if precision == "day":
        try:
            ok = len(v) == 10 and dt.date.fromisoformat(v).isoformat() == v
        except ValueError:
            ok = False
    elif precision == "month":
        ok = bool(_MONTH.match(v))
    elif precision == "year":
        ok = bool(_YEAR.match(v))
    else:
        return f"date {v!r} has precision {precision!r} (need day, month or year)"
    return None if ok else f"{v!r} is not a valid {precision}-precision ISO date"


def _parse_day(value: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        return None


def dateline_day(near: dt.date, month: int, day: int) -> dt.date | None:
    """A dateline's month/day (`SEOUL, June 27`) in the year that puts it nearest `near`
    (a Dec 30 dateline crawled on Jan 2 belongs to the year before)."""
    best: dt.date | None = None
    for year in (near.year - 1, near.year, near.year + 1):
        try:
            cand = dt.date(year, month, day)
        except ValueError:
            continue
        if best is None or abs(cand - near) < abs(best - near):
            best = cand
    return best


def check_crawl_date(value: str, precision: str, clues: list[dict[str, Any]]) -> tuple[str, str]:
    """Confidence and evidence for a crawl-line date after checking it against the body."""
    day = _parse_day(value) if precision == "day" else None
    notes: list[str] = []
    confidence = "medium"  # crawler-written: can be wrong even when well formed
    for c in clues:
        if "month" in c and day is not None:
            dl_day = dateline_day(day, c["month"], c["day"])
            if dl_day is None:
                continue
            if dl_day > day:
                notes.append(f"{c['evidence']} is later than the crawl date")
                confidence = "low"
            else:
                notes.append(f"{c['evidence']} is consistent")
    weekdays = sorted({c["weekday"] for c in clues if "weekday" in c})
    if weekdays and day is not None:
        notes.append(f"crawl date is a {day.strftime('%A')}; body mentions {', '.join(weekdays)}")
    return confidence, "; ".join(notes)


def period(value: str | None, precision: str | None) -> tuple[dt.date, dt.date] | None:
    """First and last day a (possibly partial) ISO date stands for; None if not a date."""
    if not value:
        return None
    try:
        if (precision or precision_of(value)) == "day":
            day = dt.date.fromisoformat(value)
            return day, day
        if (precision or precision_of(value)) == "month":
            first = dt.date.fromisoformat(f"{value}-01")
            nxt = dt.date(first.year + first.month // 12, first.month % 12 + 1, 1)
            return first, nxt - dt.timedelta(days=1)
        year = int(value)
        return dt.date(year, 1, 1), dt.date(year, 12, 31)
    except ValueError:
        return None


def later_than(fact: DateFact, day: dt.date) -> bool:
    """The date certainly lies after `day` (its whole period does)."""
    span = period(fact.value, fact.precision)
    return span is not None and span[0] > day


def _flag_later_than_crawl(candidates: list[tuple[float, DateFact]],
                           crawl: dict[str, Any]) -> None:
    """A page is not published after it was crawled: a date later than the crawl date line
    contradicts it, so neither is published with more than low confidence."""
    span = period(crawl["value"], crawl["precision"])
    if span is None:
        return
    flagged = []
    for k, (rank, fact) in enumerate(candidates):
        if fact.provenance != "crawl_line" and later_than(fact, span[1]):
            fact.confidence = "low"
            fact.evidence = (f"{fact.evidence}; later than the crawl date line {crawl['value']}"
                             ": a page is not published after it was crawled, so this date "
                             "or the crawl line is wrong")
            candidates[k] = (4 + rank / 10, fact)  # after every unflagged medium date
            flagged.append(fact)
    for k, (rank, fact) in enumerate(candidates):
        if fact.provenance == "crawl_line" and flagged:
            fact.confidence = "low"
            fact.evidence += "; earlier than the " + ", ".join(
                f"{f.provenance} date {f.value}" for f in flagged)
            candidates[k] = (max(rank, 5), fact)


def resolve_published(clues: list[dict[str, Any]], external: dict[str, Any] | None) -> DateFact:
    """Pure: pick the best-supported publication date, or null, with its evidence."""
    crawl = next((c for c in clues if c.get("provenance") == "crawl_line"), None)
    stamp = next((c for c in clues if c.get("provenance") == "body" and "value" in c), None)
    candidates: list[tuple[float, DateFact]] = []
    if external and external.get("value"):
        conf = external.get("confidence") or "low"
        ev = f"external lookup: {external.get('evidence') or 'no evidence given'}"
        if crawl and crawl["value"] == str(external["value"]):
            ev += f"; agrees with the {crawl['evidence']}"
        rank = {"high": 0, "medium": 2, "low": 4}.get(conf, 4)
        value = str(external["value"])
        precision = external.get("precision") or precision_of(value)
        candidates.append((rank, DateFact(value, "external", conf, ev, precision)))
    if stamp:
        candidates.append((1, DateFact(stamp["value"], "body", "high", stamp["evidence"],
                                       stamp["precision"])))
    if crawl:
        conf, notes = check_crawl_date(crawl["value"], crawl["precision"], clues)
        ev = crawl["evidence"] + (f"; checked against the body: {notes}" if notes else
                                  "; nothing in the body to check it against")
        candidates.append((3 if conf == "medium" else 5,
                           DateFact(crawl["value"], "crawl_line", conf, ev, crawl["precision"])))
        day = _parse_day(crawl["value"]) if crawl["precision"] == "day" else None
        for c in clues:  # a dateline later than the crawl date: the crawl line is wrong
            dl_day = dateline_day(day, c["month"], c["day"]) if day and "month" in c else None
            if dl_day and dl_day > day:
                candidates.append((3, DateFact(
                    dl_day.isoformat(), "body", "medium",
                    f"{c['evidence']}, year taken from the crawl date line "
                    f"{crawl['value']}, which is earlier than the dateline", "day")))
                break
        _flag_later_than_crawl(candidates, crawl)
    if not candidates:
        return DateFact(None, None, None, None, None)
    return min(candidates, key=lambda c: c[0])[1]


def precision_of(value: str) -> str:
    return {10: "day", 7: "month", 4: "year"}.get(len(value), "day")
