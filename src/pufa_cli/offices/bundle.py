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
from typing import Any

from pufa_cli.errors import BadInput
from pufa_cli.i18n import _
from pufa_cli.offices.scoping import current_office
from pufa_cli.offices.tree import office_by_id
from pufa_cli.progress import PlanRef
from pufa_cli.store import Connection, as_date, as_datetime

FORMAT = "pufa-bundle"
VERSION = 2
READS = (1, 2)

_PLAN_COLS = (
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
_TASK_COLS = (
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
_TARGET_COLS = ("key", "label", "target", "unit", "phrase", "position", "aggregate")


def _plain(value: Any) -> Any:
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


def _task_key(conn: Connection, plan_id: int) -> dict[int, tuple[int, int]]:
    """Each task id of the plan → (number, item): how a bundle names a task or sub-item."""
    return {
        int(i): (int(n), int(it))
        for i, n, it in conn.rows(
            "SELECT id, number, item FROM tasks WHERE plan_id = :p", {"p": plan_id}
        )
    }


# Supervision and scoring rows (version 2), each: (table, how its rows are found for a plan,
# its columns in the bundle). ``task``/``unit`` stand for task_id/unit_id, written as the task's
# (number, item) and the unit's name.
_BY_TASK = "task_id IN (SELECT id FROM tasks WHERE plan_id = :p)"
_EXTRA: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    (
        "extensions",
        _BY_TASK,
        ("task", "unit", "due_word", "due_date", "reason", "approved_by", "granted_on",
         "recorded_by", "created_at"),
    ),
    ("reminders", _BY_TASK, ("task", "unit", "colour", "sent_on", "recorded_by", "created_at")),
    (
        "manual_scores",
        "plan_id = :p",
        ("unit", "item_key", "self_score", "review_score", "recorded_by", "created_at"),
    ),
    ("bonuses", "plan_id = :p", ("unit", "points", "reason", "recorded_by", "created_at")),
)  # fmt: skip
_DATES = {"due_date", "granted_on", "sent_on", "as_of", "review_date", "issued"}
_MOMENTS = {"created_at", "issued_at", "reviewed_at", "loaded_at"}
_NOTICE_COLS = ("seq", "as_of", "title", "issued_at", "issued_by", "body")
_REVIEW_COLS = ("decision", "review_date", "note", "reviewed_by", "reviewed_at")


def _typed(column: str, value: Any) -> Any:
    """A bundle's value as the database takes it (dates and moments are ISO text in JSON)."""
    if column in _DATES:
        return as_date(value)
    if column in _MOMENTS:
        return as_datetime(value)
    return value


def _same(columns: tuple[str, ...], values: Any) -> tuple[Any, ...]:
    """A row's content, comparable between the bundle and the database."""
    return tuple(_plain(_typed(c, v)) for c, v in zip(columns, values, strict=True))


def build_bundle(conn: Connection, plan: PlanRef, now: datetime) -> dict[str, Any]:
    """The bundle of ``plan`` (a plan of the current office) and the units it uses."""
    office = current_office(conn)
    parent = None if office.parent_id is None else office_by_id(conn, office.parent_id).name
    row = conn.one(f"SELECT {', '.join(_PLAN_COLS)} FROM plans WHERE id = :p", {"p": plan.id})
    assert row is not None
    keys = _task_key(conn, plan.id)
    sections = conn.rows(
        "SELECT number, title FROM sections WHERE plan_id = :p ORDER BY number", {"p": plan.id}
    )
    tasks = conn.rows(
        f"SELECT s.number, {', '.join('t.' + c for c in _TASK_COLS)} FROM tasks t "
        "JOIN sections s ON s.id = t.section_id WHERE t.plan_id = :p ORDER BY t.number, t.item",
        {"p": plan.id},
    )
    targets = conn.rows(
        f"SELECT g.task_id, {', '.join('g.' + c for c in _TARGET_COLS)} FROM targets g "
        "JOIN tasks t ON t.id = g.task_id WHERE t.plan_id = :p ORDER BY t.number, t.item, g.key",
        {"p": plan.id},
    )
    # The units the plan uses: assigned to one of its tasks, named in one of its entries, or
    # in one of its supervision or scoring rows.
    used = " UNION ".join(
        [
            "SELECT a.unit_id FROM assignments a WHERE a." + _BY_TASK,
            "SELECT e.unit_id FROM entries e WHERE e." + _BY_TASK,
            *(f"SELECT unit_id FROM {table} WHERE {where}" for table, where, _c in _EXTRA),
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
    entries = conn.rows(
        "SELECT e.id, e.task_id, u.name, e.entry_date, e.percent, e.note, e.recorded_by, "
        "e.created_at, e.key, r.reason, r.retracted_by, r.retracted_at, e.problems, "
        "e.next_steps FROM entries e "
        "JOIN tasks t ON t.id = e.task_id JOIN units u ON u.id = e.unit_id "
        "LEFT JOIN retractions r ON r.entry_id = e.id WHERE t.plan_id = :p ORDER BY e.id",
        {"p": plan.id},
    )
    metrics: dict[int, dict[str, float]] = {}
    for entry_id, key, value in conn.rows(
        "SELECT m.entry_id, g.key, m.value FROM entry_metrics m JOIN targets g "
        "ON g.id = m.target_id JOIN tasks t ON t.id = g.task_id WHERE t.plan_id = :p",
        {"p": plan.id},
    ):
        metrics.setdefault(int(entry_id), {})[str(key)] = float(value)
    of_plan = "entry_id IN (SELECT id FROM entries WHERE " + _BY_TASK + ")"
    reviews: dict[int, list[dict[str, Any]]] = {}
    for r in conn.rows(
        f"SELECT entry_id, {', '.join(_REVIEW_COLS)} FROM reviews WHERE {of_plan} ORDER BY id",
        {"p": plan.id},
    ):
        reviews.setdefault(int(r[0]), []).append(
            dict(zip(_REVIEW_COLS, (_plain(v) for v in r[1:]), strict=True))
        )
    evidence: dict[int, list[dict[str, Any]]] = {}
    blobs: dict[str, str] = {}
    for entry_id, name, sha, data in conn.rows(
        "SELECT x.entry_id, x.name, b.sha256, b.data FROM entry_evidence x JOIN evidence_blobs b "
        f"ON b.id = x.blob_id WHERE x.{of_plan} ORDER BY x.id",
        {"p": plan.id},
    ):
        evidence.setdefault(int(entry_id), []).append({"name": name, "sha256": sha})
        blobs[str(sha)] = base64.b64encode(bytes(data)).decode("ascii")
    names = {
        int(i): str(n)
        for i, n in conn.rows("SELECT id, name FROM units WHERE office_id = :o", {"o": office.id})
    }
    extra: dict[str, list[dict[str, Any]]] = {}
    for table, where, columns in _EXTRA:
        stored = [f"{c}_id" if c in ("task", "unit") else c for c in columns]
        rows = conn.rows(
            f"SELECT {', '.join(stored)} FROM {table} WHERE {where} ORDER BY id", {"p": plan.id}
        )
        out = []
        for r in rows:
            item: dict[str, Any] = {}
            for c, v in zip(columns, r, strict=True):
                if c == "task":
                    item["task"], item["item"] = keys[int(v)]
                elif c == "unit":
                    item["unit"] = names[int(v)]
                else:
                    item[c] = _plain(v)
            out.append(item)
        extra[table] = out
    notices = conn.rows(
        f"SELECT {', '.join(_NOTICE_COLS)} FROM notices WHERE plan_id = :p ORDER BY seq",
        {"p": plan.id},
    )
    doc: dict[str, Any] = {
        "format": FORMAT,
        "version": VERSION,
        "office": office.name,
        "parent": parent,
        "exported_at": now.isoformat(sep=" "),
        "plan": dict(zip(_PLAN_COLS, (_plain(v) for v in row), strict=True)),
        "sections": [{"number": int(n), "title": str(t)} for n, t in sections],
        "tasks": [
            {"section": int(r[0]), **dict(zip(_TASK_COLS, (_plain(v) for v in r[1:]), strict=True))}
            for r in tasks
        ],
        "targets": [
            {
                "task": keys[int(r[0])][0],
                "item": keys[int(r[0])][1],
                **dict(zip(_TARGET_COLS, r[1:], strict=True)),
            }
            for r in targets
        ],
        "units": [{"name": n, "kind": k, "created_at": _plain(c)} for n, k, c in units],
        "assignments": [
            {
                "task": keys[int(r[0])][0],
                "item": keys[int(r[0])][1],
                "unit": r[1],
                "role": r[2],
                "due_word": r[3],
                "due_date": _plain(r[4]),
                "created_at": _plain(r[5]),
            }
            for r in assignments
        ],
        "entries": [
            {
                "task": keys[int(r[1])][0],
                "item": keys[int(r[1])][1],
                "unit": r[2],
                "date": _plain(as_date(r[3])),
                "percent": int(r[4]),
                "note": r[5],
                "by": r[6],
                "created_at": _plain(r[7]),
                "key": r[8],
                "problems": r[12],
                "next_steps": r[13],
                "metrics": metrics.get(int(r[0]), {}),
                "retraction": None
                if r[9] is None
                else {"reason": r[9], "by": r[10], "at": _plain(r[11])},
                "reviews": reviews.get(int(r[0]), []),
                "evidence": evidence.get(int(r[0]), []),
            }
            for r in entries
        ],
        **extra,
        "notices": [dict(zip(_NOTICE_COLS, (_plain(v) for v in r), strict=True)) for r in notices],
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
