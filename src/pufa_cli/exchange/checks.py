"""Row checks: one row's cells → an entry ready to insert (``tracker.NewEntry``), or BadInput
with the reason.

Everything a check needs (plans, tasks, targets, assignments, units) is loaded once.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from pufa_cli.errors import BadInput, PufaError
from pufa_cli.exchange.columns import restore, translations
from pufa_cli.i18n import _
from pufa_cli.inputs import (
    MAX_BY,
    MAX_NOTE,
    check_entry_date,
    clean_text,
    entry_window,
    parse_day,
    parse_metrics,
    parse_percent,
    parse_whole,
    split_metrics,
)
from pufa_cli.inputs import text_of as _text
from pufa_cli.ledger import parse_task_number
from pufa_cli.progress import PlanRef, find_plan
from pufa_cli.refs import json_ref, task_ref
from pufa_cli.store import Connection, as_date
from pufa_cli.tracker import NewEntry, Retraction, entry_key
from pufa_cli.units import UnitRef, resolve_unit

_TRUE = frozenset({"true", "yes", "y", "1", "是"})
_FALSE = frozenset({"false", "no", "n", "0", "否", ""})


@dataclass
class _PlanData:
    plan: PlanRef
    tasks: dict[int | str, int]  # task number (9) or sub-item ("9.2") → task id
    parents: dict[int, str]  # task id of a task with items → its items ("9.1, 9.2")
    targets: dict[int, dict[str, tuple[int, float]]]  # task id → key → (target id, target)
    words: dict[int, dict[str, tuple[str, str]]]  # task id → key → (label, unit)
    windows: dict[int, tuple[date, date]]  # task id → the dates its entries may carry
    assigned: set[tuple[int, int]]  # (task id, unit id)


def _plan_data(conn: Connection, plan: PlanRef) -> _PlanData:
    tasks: dict[int | str, int] = {}
    windows: dict[int, tuple[date, date]] = {}
    items: dict[int, list[str]] = {}
    for i, n, due, item, parent in conn.rows(
        "SELECT id, number, due_date, item, parent_id FROM tasks WHERE plan_id = :p "
        "ORDER BY number, item",
        {"p": plan.id},
    ):
        tasks[json_ref(int(n), int(item))] = int(i)
        windows[int(i)] = entry_window(plan.year, as_date(due))
        if parent is not None:
            items.setdefault(int(parent), []).append(task_ref(int(n), int(item)))
    parents = {p: ", ".join(refs) for p, refs in items.items()}
    targets: dict[int, dict[str, tuple[int, float]]] = {i: {} for i in tasks.values()}
    words: dict[int, dict[str, tuple[str, str]]] = {i: {} for i in tasks.values()}
    for gid, tid, key, target, label, unit in conn.rows(
        "SELECT g.id, g.task_id, g.key, g.target, g.label, g.unit FROM targets g "
        "JOIN tasks t ON t.id = g.task_id WHERE t.plan_id = :p ORDER BY g.task_id, g.position",
        {"p": plan.id},
    ):
        targets[int(tid)][str(key)] = (int(gid), float(target))
        words[int(tid)][str(key)] = (str(label), str(unit))
    assigned = {
        (int(t), int(u))
        for t, u in conn.rows(
            "SELECT a.task_id, a.unit_id FROM assignments a JOIN tasks t ON t.id = a.task_id "
            "WHERE t.plan_id = :p",
            {"p": plan.id},
        )
    }
    return _PlanData(plan, tasks, parents, targets, words, windows, assigned)


def _whole(value: Any, what: str) -> int:
    if type(value) is str:
        try:
            return int(value)
        except ValueError:
            pass
    return parse_whole(value, what)


def _moment(value: Any, what: str) -> datetime | None:
    if value is None or isinstance(value, datetime):
        return value.replace(tzinfo=None, microsecond=0) if value is not None else None
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day)
    text = _text(value).strip()
    if not text:
        return None
    try:
        return datetime.fromisoformat(text).replace(tzinfo=None, microsecond=0)
    except ValueError:
        raise BadInput(
            _("{what}: '{value}' is not a date and time (YYYY-MM-DDTHH:MM:SS)").format(
                what=what, value=text
            )
        ) from None


@lru_cache(maxsize=1)
def _flag_words() -> tuple[frozenset[str], frozenset[str]]:
    """The words for true and false: ours, and the yes and no of every language pufa speaks
    (what export writes with ``--headers human``)."""
    gettexts = translations()
    return (
        _TRUE | {g("yes").casefold() for g in gettexts},
        _FALSE | {g("no").casefold() for g in gettexts},
    )


def _flag(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)) and value in (0, 1):
        return bool(value)
    folded = _text(value).strip().casefold()
    true, false = _flag_words()
    if folded in true:
        return True
    if folded in false:
        return False
    raise BadInput(
        _("retracted: '{value}' is not true or false").format(value=_text(value).strip())
    )


def _clean(value: Any, what: str, limit: int, *, multiline: bool = False) -> str:
    return clean_text(restore(_text(value)), what, limit, multiline=multiline)


@dataclass
class ImportResult:
    rows: int = 0
    added: int = 0
    present: int = 0
    retractions: int = 0
    assigned: int = 0


class Checker:
    """Checks rows against the plans, with everything it needs loaded once."""

    def __init__(
        self,
        conn: Connection,
        default_plan: PlanRef,
        default_by: str,
        today: date,
        assign: bool,
    ) -> None:
        self.conn = conn
        self.default = default_plan
        self.today = today
        self.assign = assign
        self.default_by = clean_text(default_by, _("--by"), MAX_BY) or "unknown"
        self.plans: dict[int, _PlanData | str] = {}
        self.units: dict[str, UnitRef | str] = {}
        # (task id, unit id) → (unit name, task number) of the rows whose unit is not assigned
        # to their task: an error (or an assignment, with --assign) for the rows that add an
        # entry, nothing for those already present.
        self.unassigned: dict[tuple[int, int], tuple[str, int | str]] = {}
        self.people: dict[Any, str] = {}
        self.label_note = _("note")
        self.label_by = _("by")
        self.label_reason = _("retraction_reason")
        self.folder = Path(".")  # where the ``evidence`` column's files are (the sheet's folder)

    def plan(self, year: int) -> _PlanData:
        data = self.plans.get(year)
        if data is None:
            try:
                plan = self.default if year == self.default.year else find_plan(self.conn, year)
                data = _plan_data(self.conn, plan)
            except PufaError as exc:
                data = exc.message
            self.plans[year] = data
        if isinstance(data, str):
            raise BadInput(data)
        return data

    def unit(self, typed: Any) -> UnitRef:
        unit = self.units.get(typed)
        if unit is None:
            name = restore(_text(typed)).strip()
            try:
                unit = resolve_unit(self.conn, name) if name else _("unit is empty")
            except PufaError as exc:
                unit = exc.message
            self.units[typed] = unit
        if isinstance(unit, str):
            raise BadInput(unit)
        return unit

    def by_name(self, value: Any) -> str:
        by = self.people.get(value)
        if by is None:
            by = _clean(value, self.label_by, MAX_BY) or self.default_by
            self.people[value] = by
        return by

    def check(self, v: tuple[Any, ...]) -> NewEntry:
        """One row's values (in ``FIELDS`` order) → a checked row; BadInput with the reason.

        Written for 100,000 rows a second or so: the common case (text cells from a csv, as
        pufa writes them) takes the short paths, anything else the general helpers."""
        (
            year_v,
            task_v,
            unit_v,
            date_v,
            pct_v,
            metrics_v,
            note_v,
            by_v,
            rec_v,
            retr_v,
            retr_at_v,
            retr_by_v,
            reason_v,
            problems_v,
            next_v,
            evidence_v,
        ) = v
        if year_v is None or year_v == "":
            year = self.default.year
        else:
            year = _whole(year_v, "year")
        data = self.plans.get(year)
        if data is None or isinstance(data, str):
            data = self.plan(year)
        if task_v is None or task_v == "":
            raise BadInput(_("task is empty"))
        number: int | str
        if type(task_v) is str and "." in task_v:  # a sub-item: 9.2
            number = str(parse_task_number(task_v))
        else:
            number = _whole(task_v, "task")
        task_id = data.tasks.get(number)
        if task_id is None:
            raise BadInput(_("no task {n} in plan {year}").format(n=number, year=year))
        if task_id in data.parents:
            raise BadInput(
                _("task {n} has items {items}: its percent is their mean; name an item").format(
                    n=number, items=data.parents[task_id]
                )
            )
        unit = self.units.get(unit_v)
        if unit is None or isinstance(unit, str):
            unit = self.unit(unit_v)
        pair = (task_id, unit.id)
        if pair not in data.assigned and pair not in self.unassigned:
            self.unassigned[pair] = (unit.name, number)
        day = None
        if type(date_v) is str and len(date_v) == 10 and date_v[4] == "-" and date_v[7] == "-":
            try:
                day = date.fromisoformat(date_v)
            except ValueError:
                pass
        if day is None:
            day = parse_day(date_v, year)
        window = data.windows[task_id]
        if day > self.today or not window[0] <= day <= window[1]:
            check_entry_date(day, self.today, year, window, option=False)
        percent = -1
        if type(pct_v) is str:
            try:
                percent = int(pct_v)
            except ValueError:
                pass
        if not 0 <= percent <= 100:
            percent = parse_percent(pct_v)
        targets = data.targets[task_id]
        values: dict[str, float] = {}
        if metrics_v is not None and metrics_v != "":
            text = unicodedata.normalize("NFKC", restore(_text(metrics_v)))
            values = parse_metrics(split_metrics(text), targets, number, data.words[task_id])
        note = ""
        if note_v:
            note = clean_text(
                restore(note_v) if type(note_v) is str else _text(note_v),
                self.label_note,
                MAX_NOTE,
                multiline=True,
            )
        by = self.people.get(by_v) or self.by_name(by_v)
        recorded = None
        if type(rec_v) is str and len(rec_v) == 19:
            try:
                recorded = datetime.fromisoformat(rec_v)
            except ValueError:
                pass
            if recorded is not None and recorded.tzinfo is not None:
                recorded = None
        if recorded is None and rec_v is not None and rec_v != "":
            recorded = _moment(rec_v, "recorded_at")
        retraction = None
        if retr_v is None or retr_v == "false" or retr_v == "":
            if reason_v or retr_by_v or retr_at_v:
                self._no_retraction(retr_v, reason_v, retr_by_v, retr_at_v)
        elif _flag(retr_v):
            reason = _clean(reason_v, self.label_reason, MAX_NOTE, multiline=True)
            if not reason:
                raise BadInput(_("a retracted row needs a retraction_reason"))
            retraction = Retraction(
                _moment(retr_at_v, "retracted_at"),
                _clean(retr_by_v, self.label_by, MAX_BY) or self.default_by,
                reason,
            )
        else:
            self._no_retraction(retr_v, reason_v, retr_by_v, retr_at_v)
        # Structured progress (issue 16): optional columns, in the key only when given.
        problems = _clean(problems_v, "problems", MAX_NOTE, multiline=True) if problems_v else ""
        next_steps = _clean(next_v, "next", MAX_NOTE, multiline=True) if next_v else ""
        key = entry_key(
            year, number, unit.name, day, percent, values, note, by, problems, next_steps
        )
        return NewEntry(
            key,
            task_id,
            unit.id,
            day,
            percent,
            note,
            by,
            {targets[k][0]: x for k, x in values.items()} if values else {},
            problems,
            next_steps,
            recorded,
            retraction,
            self._evidence(evidence_v) if evidence_v else (),
        )

    def _evidence(self, value: Any) -> tuple[Any, ...]:
        """``evidence``: file names separated by ``;`` (or new lines), relative to the folder of
        the sheet (the working folder for stdin), read and checked now (issue 16)."""
        from pufa_cli.supervision.evidence import read_files

        names = [n.strip() for n in re.split(r"[;；\n]", restore(_text(value))) if n.strip()]
        return tuple(read_files([str(self.folder / n) for n in names]))

    def _no_retraction(self, flag: Any, reason: Any, by: Any, at: Any) -> None:
        """A row not marked retracted must leave the retraction columns empty."""
        _flag(flag)
        if (
            _clean(reason, self.label_reason, MAX_NOTE, multiline=True)
            or _clean(by, self.label_by, MAX_BY)
            or _moment(at, "retracted_at") is not None
        ):
            raise BadInput(_("retraction columns are filled but retracted is not true"))
