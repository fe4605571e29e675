"""Machine output: the stable JSON document and the csv/markdown rows."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pufa_cli.ledger import json_number
from pufa_cli.progress import (
    round1,
)
from pufa_cli.report.rows import Counts, Report, SectionRow, TaskRow, UnitRow
from pufa_cli.report.schedule import BY_SECTION, BY_TASK, BY_UNIT, TextFn

# --- machine output ----------------------------------------------------------------------


def counts_json(c: Counts) -> dict[str, Any]:
    out: dict[str, Any] = {
        "tasks": c.tasks,
        "done": c.done,
        "in_progress": c.in_progress,
        "not_started": c.not_started,
        "overdue": c.overdue,
        "red": c.red,
        "yellow": c.yellow,
        "percent": round1(c.percent),
        "missed": c.missed,
    }
    if c.awaiting_review is not None:  # review plans only (issue 16); keys unchanged otherwise
        out["awaiting_review"] = c.awaiting_review
    return out


def targets_text(targets: Sequence[Any], text_fn: TextFn) -> str:
    """``37/100 個; 0/4 支``: the latest value against each target."""
    return "; ".join(text_fn(g.as_text()) for g in targets)


def row_json(row: Any, text_fn: TextFn) -> dict[str, Any]:
    if isinstance(row, SectionRow):
        return {"section": row.section, "title": text_fn(row.title), **counts_json(row.counts)}
    if isinstance(row, UnitRow):
        data = {
            "rank": row.rank,
            "unit": row.unit,
            "lead": row.lead,
            "supporting": row.supporting,
            **counts_json(row.counts),
            # reporting rounds: plans with ``reporting:`` only (issue 16)
            **({} if row.late is None else {"late": row.late, "missing": row.missing}),
        }
        if row.score is not None:
            data["score"] = row.score
        return data
    assert isinstance(row, TaskRow)
    return {
        "section": row.section,
        "number": row.json_number,  # 9, or "9.2" for a sub-item
        "title": text_fn(row.title),
        "units": list(row.units),
        "due": row.due.isoformat(),
        "planned_due": (row.planned_due or row.due).isoformat(),
        "ongoing": row.ongoing,
        "percent": round1(row.percent),
        "expected": round1(row.expected),
        "status": row.status,
        "overdue": row.overdue,
        "colour": row.colour,
        "missed": row.missed,
        "targets": [
            {
                "key": g.key,
                "value": json_number(g.value or 0),
                "target": json_number(g.target),
                "unit": g.unit,  # as stored, like every identifier in JSON
                "text": text_fn(g.as_text()),
            }
            for g in row.targets
        ],
        "problems": row.problems,
        "next": row.next_steps,
    }


def report_json(report: Report, text_fn: TextFn) -> dict[str, Any]:
    """The stable JSON document (docs/report.md): keys and values never change with the
    language; plan text goes through ``text_fn``."""
    return {
        "year": report.plan.year,
        "plan": report.plan.code,
        "as_of": report.as_of.isoformat(),
        "by": report.by,
        "rows": [row_json(r, text_fn) for r in report.rows],
        "total": counts_json(report.total),
        "overdue": list(report.overdue),
        "due_next": list(report.due_next),
    }


_COUNT_KEYS = (
    "tasks",
    "done",
    "in_progress",
    "not_started",
    "overdue",
    "red",
    "yellow",
    "percent",
    "missed",
)

HEADERS: dict[str, tuple[str, ...]] = {
    BY_SECTION: ("section", "title", *_COUNT_KEYS),
    BY_UNIT: ("rank", "unit", "lead", "supporting", *_COUNT_KEYS),
    BY_TASK: (
        "section",
        "number",
        "title",
        "units",
        "due",
        "planned_due",
        "percent",
        "expected",
        "status",
        "overdue",
        "colour",
        "missed",
        "targets",
        "problems",
        "next",
    ),
}


def report_rows(
    report: Report, text_fn: TextFn, *, total: bool = False
) -> tuple[list[str], list[list[Any]]]:
    """(headers, rows) for csv and markdown: the JSON rows flattened, machine column names.

    Lists become text (units joined with '、', targets as ``37/100 個`` joined with '; '),
    booleans ``true``/``false``. With ``total``, a last row carries the total of a by-section
    or by-unit report: ``total`` in its ``title`` (or ``unit``) column, the other key columns
    empty.
    """
    headers = list(HEADERS[report.by])
    if report.plan.review and report.by != BY_TASK:
        headers.insert(headers.index("done") + 1, "awaiting_review")
    if report.plan.reporting and report.by == BY_UNIT:
        headers += ["late", "missing"]
    if any(getattr(r, "score", None) is not None for r in report.rows):
        headers.append("score")
    out: list[list[Any]] = []
    for row in report.rows:
        data = row_json(row, text_fn)
        if isinstance(row, TaskRow):
            data["units"] = "、".join(row.units)
            data["targets"] = targets_text(row.targets, text_fn)
        out.append([_cell(data[h]) for h in headers])
    if total and report.by != BY_TASK:
        data = {**counts_json(report.total), "title": "total", "unit": "total"}
        out.append([_cell(data.get(h, "")) for h in headers])
    return headers, out


def _cell(value: Any) -> Any:
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return ""
    return value
