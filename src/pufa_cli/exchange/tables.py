"""The report and the task ledger (台賬) as the exports read them, in one transaction."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

from pufa_cli.progress import PlanRef
from pufa_cli.store import Connection
from pufa_cli.store.sql import latest_counting


@dataclass(frozen=True)
class Ledger:
    """What the tasks and report exports need, read in one transaction."""

    plan: PlanRef
    as_of: date
    report: Any  # report.Report, grouped by the --by of the export
    tasks: list[Any]  # report.TaskRow of every task (with colour)
    views: list[Any]  # ledger.TaskView of every task (units with roles, targets)
    latest_notes: dict[int, str]
    details: Any = None  # progress.PlanSummary: 文號, issuer, issue date (the Report sheet)


def read_ledger(
    conn: Connection,
    plan: PlanRef,
    as_of: date,
    by: str,
    thresholds: Any = None,
    *,
    tasks: bool = True,
) -> Ledger:
    """The report grouped ``by``; with ``tasks``, also what the ledger needs per task."""
    from pufa_cli.ledger import list_tasks
    from pufa_cli.progress import plan_summary
    from pufa_cli.report import build_report

    report = build_report(conn, plan, as_of, by=by, thresholds=thresholds)
    details = plan_summary(conn, plan)
    if not tasks:
        return Ledger(plan, as_of, report, list(report.tasks), [], {}, details)
    notes = {
        int(tid): str(note)
        for tid, note in conn.rows(
            "SELECT t.id, ("
            + latest_counting(
                "e.note",
                "entries e",
                "e.task_id = t.id AND e.entry_date <= :as_of AND e.note <> ''",
            )
            + ") FROM tasks t WHERE t.plan_id = :plan",
            {"plan": plan.id, "as_of": as_of},
        )
        if note is not None
    }
    # report.tasks: every task in scope with its colour, whatever the grouping
    views = list_tasks(conn, plan, as_of)
    return Ledger(plan, as_of, report, list(report.tasks), views, notes, details)


def task_rows(ledger: Ledger, text_fn: Callable[[str], str]) -> Iterator[dict[str, Any]]:
    """One plain dict per task, keyed by ``TASK_COLUMNS`` (typed values: bool, float, list)."""
    from pufa_cli.ledger import fmt_number
    from pufa_cli.report import round1

    views = {v.status.task_id: v for v in ledger.views}
    for t in ledger.tasks:
        view = views.get(t.task_id)
        units = view.units if view is not None else []
        targets = view.targets if view is not None else []
        yield {
            "year": ledger.plan.year,
            "plan": ledger.plan.code,
            "section": t.section,
            "number": t.json_number,  # 9, or "9.2" for a sub-item
            "title": text_fn(t.title),
            # Co-leads (共同牽頭) follow the lead, joined by 、 (docs/exchange.md).
            "lead": "、".join(u.unit for u in units if u.role == "lead"),
            "supporting": [u.unit for u in units if u.role != "lead"],
            "due": t.due,
            "due_word": text_fn(view.due_word) if view is not None else "",
            "percent": round1(t.percent),
            "status": t.status,
            "overdue": t.overdue,
            "colour": t.colour,
            "targets": [
                f"{g.key}={fmt_number(g.value or 0)}/{fmt_number(g.target)} {text_fn(g.unit)}"
                for g in targets
            ],
            "latest_note": ledger.latest_notes.get(t.task_id, ""),
            # For people (xlsx): the label instead of the key (青少年法制教育基地 37/100 個).
            "target_labels": [
                f"{text_fn(g.label)} {fmt_number(g.value or 0)}/{fmt_number(g.target)} "
                f"{text_fn(g.unit)}"
                for g in targets
            ],
        }
