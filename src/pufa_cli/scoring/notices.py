"""Notices (通報): the report frozen into the database as an immutable, numbered snapshot.

``issue_notice`` builds everything a notice shows — the counts, the sections, the unit ranking
(by score where the plan scores, else by completion) with its change against the previous
notice, the lagging items (overdue or red) naming their units, the items due next quarter —
and stores it as one JSON document. Nothing ever updates a notice: an entry back-dated into
its quarter changes the next report, never an issued notice. Numbers run per plan: ``2011-1``,
``2011-2``, … (the plan's id, a hyphen, the sequence).

Plan text is stored as written; the renderers convert it for the reader.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from pufa_cli.errors import BadInput, NotFound
from pufa_cli.i18n import _
from pufa_cli.progress import PlanRef
from pufa_cli.store import Connection, as_date, as_datetime

MAX_TITLE = 200  # characters of a notice's title

# The version of the frozen document's layout, so later pufas read old notices as issued.
BODY_VERSION = 1


@dataclass(frozen=True)
class NoticeRef:
    number: str
    plan_id: int
    seq: int
    as_of: date
    issued_at: datetime
    title: str


def notice_number(code: str, seq: int) -> str:
    return f"{code}-{seq}"


def _raw_bodies(conn: Connection, plan_id: int, up_to: int | None = None) -> list[Any]:
    where = "" if up_to is None else " AND seq <= :s"
    return conn.rows(
        f"SELECT seq, body FROM notices WHERE plan_id = :p{where} ORDER BY seq",
        {"p": plan_id, "s": up_to},
    )


def last_ranking(conn: Connection, plan: PlanRef) -> tuple[str, dict[str, int]] | None:
    """(number, unit → rank) of the plan's last issued notice, None before the first."""
    row = conn.one(
        "SELECT body FROM notices WHERE plan_id = :p ORDER BY seq DESC LIMIT 1", {"p": plan.id}
    )
    if row is None:
        return None
    body = json.loads(row[0])
    return str(body["number"]), {r["unit"]: int(r["rank"]) for r in body["ranking"]}


def build_body(
    conn: Connection, plan: PlanRef, as_of: date, number: str, title: str
) -> dict[str, Any]:
    """The notice's document as of ``as_of`` (not stored yet)."""
    from pufa_cli.report import BY_SECTION, BY_TASK, BY_UNIT, RED, build_report, counts_json
    from pufa_cli.scoring.compute import compute_scores, plan_scoring, unit_json

    sections = build_report(conn, plan, as_of, by=BY_SECTION)
    by_task = build_report(conn, plan, as_of, by=BY_TASK)
    by_unit = build_report(conn, plan, as_of, by=BY_UNIT)
    previous = last_ranking(conn, plan)
    scoring = plan_scoring(conn, plan)
    percents = {r.unit: r.counts for r in by_unit.rows}
    ranking: list[dict[str, Any]] = []
    if scoring is not None:
        scores = compute_scores(conn, plan, as_of, scoring=scoring, previous=previous or ("", {}))
        for u in scores.units:
            counts = percents.get(u.unit)
            ranking.append(
                {
                    **unit_json(u),
                    "percent": _pct(counts.percent if counts else None),
                    "tasks": counts.tasks if counts else 0,
                    "done": counts.done if counts else 0,
                    "overdue": counts.overdue if counts else 0,
                }
            )
    else:
        before = previous[1] if previous else {}
        for r in by_unit.rows:
            old = before.get(r.unit)
            ranking.append(
                {
                    "rank": r.rank,
                    "unit": r.unit,
                    "score": None,
                    "percent": _pct(r.counts.percent),
                    "tasks": r.counts.tasks,
                    "done": r.counts.done,
                    "overdue": r.counts.overdue,
                    "rank_change": None if old is None else old - r.rank,
                }
            )
    if previous is None:
        for r in ranking:
            r["rank_change"] = None
    # A sub-item is numbered as commands name it (9.2, as in report --by task); a task with
    # items has no unit of its own and names its items' units.
    units: dict[int, list[str]] = {t.task_id: list(t.units) for t in by_task.rows}
    for t in by_task.rows:
        if t.parent_id is not None and t.parent_id in units:
            family = units[t.parent_id]
            family += [u for u in t.units if u not in family]
    lagging = [
        {
            "number": t.json_number,
            "section": t.section,
            "title": t.title,
            "due": t.due.isoformat(),
            "percent": _pct(t.percent),
            "overdue": t.overdue,
            "colour": t.colour,
            "units": units[t.task_id],
        }
        for t in by_task.rows
        if t.overdue or t.colour == RED
    ]
    due_next_numbers = set(by_task.due_next)
    due_next = [
        {
            "number": t.json_number,
            "title": t.title,
            "due": t.due.isoformat(),
            "units": units[t.task_id],
        }
        for t in by_task.rows
        if t.json_number in due_next_numbers
    ]
    return {
        "version": BODY_VERSION,
        "number": number,
        "title": title,
        "plan": plan.code,
        "year": plan.year,
        "plan_title": plan.title,
        "script": plan.script,
        "as_of": as_of.isoformat(),
        "scored": scoring is not None,
        "total": counts_json(sections.total),
        "sections": [
            {"section": r.section, "title": r.title, **counts_json(r.counts)} for r in sections.rows
        ],
        "ranking": ranking,
        "previous": None if previous is None else previous[0],
        "lagging": lagging,
        "due_next": due_next,
        "next_quarter": None if sections.next_quarter is None else list(sections.next_quarter),
        "thresholds": {"yellow": sections.thresholds.yellow, "red": sections.thresholds.red},
    }


def _pct(value: float | None) -> float | None:
    from pufa_cli.progress import round1

    return round1(value)


def issue_notice(
    conn: Connection,
    plan: PlanRef,
    as_of: date,
    *,
    title: str | None,
    by: str,
    now: datetime,
) -> dict[str, Any]:
    """Freeze the notice of ``plan`` as of ``as_of`` (inside the caller's write transaction);
    returns the stored document. A notice freezes what is known: not as of a day after
    ``now``'s (a notice as of 31 December issued in June would keep June's figures as the
    year's). Its title is one line (a heading in Markdown and Word, a row of notice list)."""
    from pufa_cli.inputs import clean_text

    if title is not None:
        title = clean_text(title, _("--title"), MAX_TITLE)
        if not title:
            raise BadInput(_("--title must not be empty"))
    if as_of > now.date():
        raise BadInput(
            _(
                "a notice as of {day} is after today ({today}): a notice freezes what is known"
            ).format(day=as_of.isoformat(), today=now.date().isoformat())
        )
    if as_of < date(plan.year, 1, 1):
        raise BadInput(
            _("a notice as of {day} is before the plan year {year}").format(
                day=as_of.isoformat(), year=plan.year
            )
        )
    last = conn.scalar(
        "SELECT COALESCE(MAX(seq), 0) FROM notices WHERE plan_id = :p", {"p": plan.id}
    )
    seq = int(last) + 1
    number = notice_number(plan.code, seq)
    if title is None:
        title = _("Notice on the progress of {plan}").format(plan=plan.title)
    body = build_body(conn, plan, as_of, number, title)
    body["issued_at"] = now.isoformat(sep=" ")
    body["issued_by"] = by
    conn.run(
        "INSERT INTO notices (plan_id, seq, as_of, title, issued_at, issued_by, body) "
        "VALUES (:p, :s, :d, :t, :at, :by, :body)",
        {
            "p": plan.id,
            "s": seq,
            "d": as_of,
            "t": body["title"],
            "at": now,
            "by": by,
            "body": json.dumps(body, ensure_ascii=False, sort_keys=True),
        },
    )
    return body


def list_notices(conn: Connection, plan: PlanRef) -> list[NoticeRef]:
    return [
        NoticeRef(
            notice_number(plan.code, int(seq)),
            plan.id,
            int(seq),
            as_date(day) or date.min,
            as_datetime(at) or datetime.min,
            str(title),
        )
        for seq, day, at, title in conn.rows(
            "SELECT seq, as_of, issued_at, title FROM notices WHERE plan_id = :p ORDER BY seq",
            {"p": plan.id},
        )
    ]


def notice_list_json(notices: list[NoticeRef]) -> list[dict[str, Any]]:
    return [
        {
            "number": n.number,
            "as_of": n.as_of.isoformat(),
            "issued_at": n.issued_at.isoformat(sep=" "),
            "title": n.title,
        }
        for n in notices
    ]


def read_notice(conn: Connection, number: str) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The notice called ``number`` and the trend up to it: for each notice of its plan up to
    and including it, ``{"number", "as_of", "percent", "done", "tasks"}`` (frozen values)."""
    code, _sep, seq_text = number.strip().rpartition("-")
    row = None
    if code and seq_text.isdigit() and len(seq_text) < 10:
        row = conn.one(
            "SELECT n.plan_id, n.body FROM notices n JOIN plans p ON p.id = n.plan_id "
            "WHERE p.code = :c AND n.seq = :s",
            {"c": code, "s": int(seq_text)},
        )
    if row is None:
        known = [
            notice_number(str(c), int(s))
            for c, s in conn.rows(
                "SELECT p.code, n.seq FROM notices n JOIN plans p ON p.id = n.plan_id "
                "ORDER BY p.year, p.code, n.seq"
            )
        ]
        raise NotFound(
            _("no notice {number} (issued: {numbers})").format(
                number=number, numbers=", ".join(known[-10:]) or "-"
            )
        )
    body = json.loads(row[1])
    trend = []
    for _s, raw in _raw_bodies(conn, int(row[0]), int(seq_text)):
        b = json.loads(raw)
        trend.append(
            {
                "number": b["number"],
                "as_of": b["as_of"],
                "percent": b["total"]["percent"],
                "done": b["total"]["done"],
                "tasks": b["total"]["tasks"],
            }
        )
    return body, trend
