"""Offline districts: a bundle of one office's plan (its sections, tasks and sub-items, targets),
units, assignments and entries (with their metrics, retractions, reviews and evidence files), and
the plan's supervision and scoring rows (extensions, reminders, manual scores, bonuses, issued
notices), as one JSON document with a SHA-256 digest; ``pufa export --what bundle --out F``
writes it, ``pufa import F`` reads it (version 1 bundles, without the supervision and scoring
rows, too).

Import is all-or-nothing (one transaction, every check before the first write) and adds only
what is missing: a plan, section, task or target by its number or key, a unit by name, an
assignment by (task, unit), an entry by its content key (tracker.entry_key), a retraction by
its entry; a review, an evidence file of an entry, an extension, a reminder, a manual score or
a bonus when no row with the same content is there; a notice by its number. What the receiving
database already holds is never changed, so importing the same
bundle, or an older one, again adds nothing. A bundle whose digest does not match, or whose
office is not the office the command acts in or one below it, is refused in one line.
"""

from __future__ import annotations

import base64
import hashlib
import json
from datetime import datetime
from pathlib import Path
from typing import Any, NamedTuple

from pufa_cli.errors import BadInput
from pufa_cli.i18n import _
from pufa_cli.offices.scoping import current_office
from pufa_cli.offices.tree import office_by_id
from pufa_cli.progress import PlanRef
from pufa_cli.store import Connection, as_date, as_datetime

FORMAT = "pufa-bundle"
VERSION = 2
READS = (1, 2)

PLAN_COLS = (
    "code",
    "year",
    "title",
    "preamble",
    "source",
    "script",
    "doc_number",
    "issuer",
    "issued",
    "addressees",
    "groups",
    "loaded_at",
    "review",
    "reporting",
    "scoring",
)
TASK_COLS = (
    "number",
    "title",
    "text",
    "due_word",
    "due_date",
    "checks",
    "cadence",
    "leader",
    "timing",
    "responsible",
    "plan_units",
    "in_plan",
    "carries",
    "item",
    "label",
)
TARGET_COLS = ("key", "label", "target", "unit", "phrase", "position", "aggregate")


def plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def digest_of(doc: dict[str, Any]) -> str:
    """SHA-256 of the canonical JSON of everything but the digest itself."""
    body = {k: v for k, v in doc.items() if k != "digest"}
    text = json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def task_keys(conn: Connection, plan_id: int) -> dict[int, tuple[int, int]]:
    """Each task id of the plan → (number, item): how a bundle names a task or sub-item."""
    return {
        int(i): (int(n), int(it))
        for i, n, it in conn.rows(
            "SELECT id, number, item FROM tasks WHERE plan_id = :p", {"p": plan_id}
        )
    }


class Extra(NamedTuple):
    """Supervision and scoring rows (version 2) of one table: how its rows are found for a plan
    (``:p``), and its columns in the bundle, where ``task``/``unit`` stand for task_id/unit_id,
    written as the task's (number, item) and the unit's name."""

    table: str
    where: str
    columns: tuple[str, ...]

    @property
    def stored(self) -> list[str]:
        """The columns as the table names them."""
        return [f"{c}_id" if c in ("task", "unit") else c for c in self.columns]


_BY_TASK = "task_id IN (SELECT id FROM tasks WHERE plan_id = :p)"
# The rows of the plan's entries (reviews, retractions, evidence), in a WHERE clause.
OF_PLAN_ENTRIES = "entry_id IN (SELECT id FROM entries WHERE " + _BY_TASK + ")"
EXTRA: tuple[Extra, ...] = (
    Extra(
        "extensions",
        _BY_TASK,
        ("task", "unit", "due_word", "due_date", "reason", "approved_by", "granted_on",
         "recorded_by", "created_at"),
    ),
    Extra(
        "reminders", _BY_TASK, ("task", "unit", "colour", "sent_on", "recorded_by", "created_at")
    ),
    Extra(
        "manual_scores",
        "plan_id = :p",
        ("unit", "item_key", "self_score", "review_score", "recorded_by", "created_at"),
    ),
    Extra("bonuses", "plan_id = :p", ("unit", "points", "reason", "recorded_by", "created_at")),
)  # fmt: skip
_DATES = {"due_date", "granted_on", "sent_on", "as_of", "review_date", "issued"}
_MOMENTS = {"created_at", "issued_at", "reviewed_at", "loaded_at"}
NOTICE_COLS = ("seq", "as_of", "title", "issued_at", "issued_by", "body")
REVIEW_COLS = ("decision", "review_date", "note", "reviewed_by", "reviewed_at")


def typed(column: str, value: Any) -> Any:
    """A bundle's value as the database takes it (dates and moments are ISO text in JSON)."""
    if column in _DATES:
        return as_date(value)
    if column in _MOMENTS:
        return as_datetime(value)
    return value


def same(columns: tuple[str, ...], values: Any) -> tuple[Any, ...]:
    """A row's content, comparable between the bundle and the database."""
    return tuple(plain(typed(c, v)) for c, v in zip(columns, values, strict=True))


class _EntryRow(NamedTuple):
    """An entry as build_bundle selects it, with its retraction (None when not retracted)."""

    id: int
    task_id: int
    unit: str
    date: Any
    percent: int
    note: str
    by: str
    created_at: Any
    key: str
    reason: str | None
    retracted_by: str | None
    retracted_at: Any
    problems: str
    next_steps: str


def _plain_dict(columns: tuple[str, ...], values: Any) -> dict[str, Any]:
    return dict(zip(columns, (plain(v) for v in values), strict=True))


def build_bundle(conn: Connection, plan: PlanRef, now: datetime) -> dict[str, Any]:
    """The bundle of ``plan`` (a plan of the current office) and the units it uses."""
    office = current_office(conn)
    parent = None if office.parent_id is None else office_by_id(conn, office.parent_id).name
    row = conn.one(f"SELECT {', '.join(PLAN_COLS)} FROM plans WHERE id = :p", {"p": plan.id})
    assert row is not None
    keys = task_keys(conn, plan.id)
    sections = conn.rows(
        "SELECT number, title FROM sections WHERE plan_id = :p ORDER BY number", {"p": plan.id}
    )
    tasks = conn.rows(
        f"SELECT s.number, {', '.join('t.' + c for c in TASK_COLS)} FROM tasks t "
        "JOIN sections s ON s.id = t.section_id WHERE t.plan_id = :p ORDER BY t.number, t.item",
        {"p": plan.id},
    )
    targets = conn.rows(
        f"SELECT g.task_id, {', '.join('g.' + c for c in TARGET_COLS)} FROM targets g "
        "JOIN tasks t ON t.id = g.task_id WHERE t.plan_id = :p ORDER BY t.number, t.item, g.key",
        {"p": plan.id},
    )
    # The units the plan uses: assigned to one of its tasks, named in one of its entries, or
    # in one of its supervision or scoring rows.
    used = " UNION ".join(
        [
            "SELECT a.unit_id FROM assignments a WHERE a." + _BY_TASK,
            "SELECT e.unit_id FROM entries e WHERE e." + _BY_TASK,
            *(f"SELECT unit_id FROM {x.table} WHERE {x.where}" for x in EXTRA),
        ]
    )
    units = conn.rows(
        f"SELECT name, kind, created_at FROM units WHERE office_id = :o AND id IN ({used}) "
        "ORDER BY name",
        {"o": office.id, "p": plan.id},
    )
    assignments = conn.rows(
        "SELECT a.task_id, u.name, a.role, a.due_word, a.due_date, a.created_at "
        "FROM assignments a JOIN tasks t ON t.id = a.task_id JOIN units u ON u.id = a.unit_id "
        "WHERE t.plan_id = :p ORDER BY t.number, t.item, u.name",
        {"p": plan.id},
    )
    entries = map(
        _EntryRow._make,
        conn.rows(
            "SELECT e.id, e.task_id, u.name, e.entry_date, e.percent, e.note, e.recorded_by, "
            "e.created_at, e.key, r.reason, r.retracted_by, r.retracted_at, e.problems, "
            "e.next_steps FROM entries e "
            "JOIN tasks t ON t.id = e.task_id JOIN units u ON u.id = e.unit_id "
            "LEFT JOIN retractions r ON r.entry_id = e.id WHERE t.plan_id = :p ORDER BY e.id",
            {"p": plan.id},
        ),
    )
    metrics: dict[int, dict[str, float]] = {}
    for entry_id, key, value in conn.rows(
        "SELECT m.entry_id, g.key, m.value FROM entry_metrics m JOIN targets g "
        "ON g.id = m.target_id JOIN tasks t ON t.id = g.task_id WHERE t.plan_id = :p",
        {"p": plan.id},
    ):
        metrics.setdefault(int(entry_id), {})[str(key)] = float(value)
    reviews: dict[int, list[dict[str, Any]]] = {}
    for entry_id, *review in conn.rows(
        f"SELECT entry_id, {', '.join(REVIEW_COLS)} FROM reviews WHERE {OF_PLAN_ENTRIES} "
        "ORDER BY id",
        {"p": plan.id},
    ):
        reviews.setdefault(int(entry_id), []).append(_plain_dict(REVIEW_COLS, review))
    evidence: dict[int, list[dict[str, Any]]] = {}
    blobs: dict[str, str] = {}
    for entry_id, name, sha, data in conn.rows(
        "SELECT x.entry_id, x.name, b.sha256, b.data FROM entry_evidence x JOIN evidence_blobs b "
        f"ON b.id = x.blob_id WHERE x.{OF_PLAN_ENTRIES} ORDER BY x.id",
        {"p": plan.id},
    ):
        evidence.setdefault(int(entry_id), []).append({"name": name, "sha256": sha})
        blobs[str(sha)] = base64.b64encode(bytes(data)).decode("ascii")
    names = {
        int(i): str(n)
        for i, n in conn.rows("SELECT id, name FROM units WHERE office_id = :o", {"o": office.id})
    }

    def task(task_id: Any) -> dict[str, int]:
        """How the bundle names a task or sub-item: its number and item (0: the task)."""
        number, item = keys[int(task_id)]
        return {"task": number, "item": item}

    extra: dict[str, list[dict[str, Any]]] = {}
    for x in EXTRA:
        out = []
        for r in conn.rows(
            f"SELECT {', '.join(x.stored)} FROM {x.table} WHERE {x.where} ORDER BY id",
            {"p": plan.id},
        ):
            item: dict[str, Any] = {}
            for c, v in zip(x.columns, r, strict=True):
                if c == "task":
                    item |= task(v)
                elif c == "unit":
                    item["unit"] = names[int(v)]
                else:
                    item[c] = plain(v)
            out.append(item)
        extra[x.table] = out
    notices = conn.rows(
        f"SELECT {', '.join(NOTICE_COLS)} FROM notices WHERE plan_id = :p ORDER BY seq",
        {"p": plan.id},
    )
    doc: dict[str, Any] = {
        "format": FORMAT,
        "version": VERSION,
        "office": office.name,
        "parent": parent,
        "exported_at": now.isoformat(sep=" "),
        "plan": _plain_dict(PLAN_COLS, row),
        "sections": [{"number": int(n), "title": str(t)} for n, t in sections],
        "tasks": [
            {"section": int(section), **_plain_dict(TASK_COLS, values)}
            for section, *values in tasks
        ],
        "targets": [
            {**task(task_id), **dict(zip(TARGET_COLS, values, strict=True))}
            for task_id, *values in targets
        ],
        "units": [{"name": n, "kind": k, "created_at": plain(c)} for n, k, c in units],
        "assignments": [
            {
                **task(task_id),
                "unit": unit,
                "role": role,
                "due_word": due_word,
                "due_date": plain(due_date),
                "created_at": plain(created_at),
            }
            for task_id, unit, role, due_word, due_date, created_at in assignments
        ],
        "entries": [
            {
                **task(e.task_id),
                "unit": e.unit,
                "date": plain(as_date(e.date)),
                "percent": int(e.percent),
                "note": e.note,
                "by": e.by,
                "created_at": plain(e.created_at),
                "key": e.key,
                "problems": e.problems,
                "next_steps": e.next_steps,
                "metrics": metrics.get(int(e.id), {}),
                "retraction": None
                if e.reason is None
                else {"reason": e.reason, "by": e.retracted_by, "at": plain(e.retracted_at)},
                "reviews": reviews.get(int(e.id), []),
                "evidence": evidence.get(int(e.id), []),
            }
            for e in entries
        ],
        **extra,
        "notices": [_plain_dict(NOTICE_COLS, r) for r in notices],
        "blobs": blobs,
    }
    doc["digest"] = digest_of(doc)
    return doc


def is_bundle(path: str) -> bool:
    """Whether ``path`` is a bundle (its first bytes say so); False for anything else."""
    if path == "-":
        return False
    try:
        with open(path, "rb") as fh:
            head = fh.read(200)
    except OSError:
        return False
    return head.lstrip().startswith(b"{") and FORMAT.encode() in head


def read_bundle(path: str) -> dict[str, Any]:
    try:
        doc = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise BadInput(
            _("{path} is not a readable bundle: {reason}").format(
                path=path, reason=str(exc).splitlines()[0]
            )
        ) from None
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise BadInput(_("{path} is not a pufa bundle").format(path=path))
    if doc.get("version") not in READS:
        raise BadInput(
            _("{path} is a bundle of version {v}; this pufa reads version {ours}").format(
                path=path, v=doc.get("version"), ours=VERSION
            )
        )
    if doc.get("digest") != digest_of(doc):
        raise BadInput(
            _(
                "{path}: the digest does not match its content (changed or damaged); "
                "export the bundle again"
            ).format(path=path)
        )
    return doc
