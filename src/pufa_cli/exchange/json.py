"""json out, streamed: the entries one per line, never the whole array in memory."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import IO, Any

from pufa_cli.exchange.columns import time_text
from pufa_cli.exchange.entries import EntryRecord
from pufa_cli.ledger import json_number


def entry_json(r: EntryRecord) -> dict[str, Any]:
    """An entry as in ``pufa show -f json``'s history, plus year, task and key."""
    retracted = r.retracted_at is not None
    return {
        "year": r.year,
        "task": r.task,
        "unit": r.unit,
        "date": r.date,
        "percent": r.percent,
        "metrics": {k: json_number(float(v)) for k, v in r.metrics},
        "note": r.note,
        "by": r.by,
        "recorded_at": r.recorded_at,
        "id": r.id,
        "key": r.key,
        "retracted": retracted,
        "retracted_at": time_text(r.retracted_at) if retracted else None,
        "retracted_by": r.retracted_by,
        "retraction_reason": r.retraction_reason,
        "problems": r.problems,
        "next": r.next,
        # the review (issue 16), null when the entry has none
        "review": r.review[0] if r.review else None,
        "review_date": r.review[1] if r.review else None,
        "reviewed_by": r.review[2] if r.review else None,
        "review_note": r.review[3] if r.review else None,
    }


def json_value(value: Any, indent: str) -> str:
    return json.dumps(value, ensure_ascii=False, indent=2, default=str).replace("\n", "\n" + indent)


def write_json_array(out: IO[str], items: Iterable[Any], indent: str) -> int:
    """A JSON array written item by item (one per line): nothing is held in memory."""
    count = 0
    for item in items:
        out.write(("[\n" if count == 0 else ",\n") + indent + "  ")
        out.write(json.dumps(item, ensure_ascii=False, separators=(", ", ": ")))
        count += 1
    out.write(f"\n{indent}]" if count else "[]")
    return count


def write_json_object(out: IO[str], head: dict[str, Any], entries: Iterable[Any] | None) -> int:
    out.write("{")
    first = True
    for key, value in head.items():
        out.write(("\n" if first else ",\n") + f"  {json.dumps(key)}: " + json_value(value, "  "))
        first = False
    count = 0
    if entries is not None:
        out.write(("\n" if first else ",\n") + '  "entries": ')
        count = write_json_array(out, entries, "  ")
    out.write("\n}\n")
    return count
