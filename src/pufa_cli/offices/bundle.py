"""Offline districts: a bundle of one office's plan (its sections, tasks, targets), units,
assignments and entries (with their metrics and retractions), as one JSON document with a
SHA-256 digest; ``pufa export --what bundle --out F`` writes it, ``pufa import F`` reads it.

Import is all-or-nothing (one transaction, every check before the first write) and adds only
what is missing: a plan, section, task or target by its number or key, a unit by name, an
assignment by (task, unit), an entry by its content key (tracker.entry_key), a retraction by
its entry. What the receiving database already holds is never changed, so importing the same
bundle, or an older one, again adds nothing. A bundle whose digest does not match, or whose
office is not the office the command acts in or one below it, is refused in one line.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from pathlib import Path
from typing import Any

from pufa_cli.errors import BadInput
from pufa_cli.i18n import _
from pufa_cli.names import match_key
from pufa_cli.offices.scoping import current_office
from pufa_cli.offices.tree import find_office, office_by_id, subtree_ids
from pufa_cli.progress import PlanRef
from pufa_cli.store import Connection, as_date, as_datetime

FORMAT = "pufa-bundle"
VERSION = 1

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


def build_bundle(conn: Connection, plan: PlanRef, now: datetime) -> dict[str, Any]:
    """The bundle of ``plan`` (a plan of the current office) and the units it uses."""
    office = current_office(conn)
    parent = None if office.parent_id is None else office_by_id(conn, office.parent_id).name
    row = conn.one(f"SELECT {', '.join(_PLAN_COLS)} FROM plans WHERE id = :p", {"p": plan.id})
    assert row is not None
    sections = conn.rows(
        "SELECT number, title FROM sections WHERE plan_id = :p ORDER BY number", {"p": plan.id}
    )
    tasks = conn.rows(
        f"SELECT s.number, {', '.join('t.' + c for c in _TASK_COLS)} FROM tasks t "
        "JOIN sections s ON s.id = t.section_id WHERE t.plan_id = :p ORDER BY t.number",
        {"p": plan.id},
    )
    targets = conn.rows(
        f"SELECT t.number, {', '.join('g.' + c for c in _TARGET_COLS)} FROM targets g "
        "JOIN tasks t ON t.id = g.task_id WHERE t.plan_id = :p ORDER BY t.number, g.key",
        {"p": plan.id},
    )
    # The units the plan uses: assigned to one of its tasks or named in one of its entries.
    units = conn.rows(
        "SELECT name, kind, created_at FROM units WHERE office_id = :o AND id IN "
        "(SELECT a.unit_id FROM assignments a JOIN tasks t ON t.id = a.task_id "
        "WHERE t.plan_id = :p UNION SELECT e.unit_id FROM entries e JOIN tasks t "
        "ON t.id = e.task_id WHERE t.plan_id = :p) ORDER BY name",
        {"o": office.id, "p": plan.id},
    )
    assignments = conn.rows(
        "SELECT t.number, u.name, a.role, a.due_word, a.due_date, a.created_at "
        "FROM assignments a JOIN tasks t ON t.id = a.task_id JOIN units u ON u.id = a.unit_id "
        "WHERE t.plan_id = :p ORDER BY t.number, u.name",
        {"p": plan.id},
    )
    entries = conn.rows(
        "SELECT e.id, t.number, u.name, e.entry_date, e.percent, e.note, e.recorded_by, "
        "e.created_at, e.key, r.reason, r.retracted_by, r.retracted_at FROM entries e "
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
            {"task": int(r[0]), **dict(zip(_TARGET_COLS, r[1:], strict=True))} for r in targets
        ],
        "units": [{"name": n, "kind": k, "created_at": _plain(c)} for n, k, c in units],
        "assignments": [
            {
                "task": int(r[0]),
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
                "task": int(r[1]),
                "unit": r[2],
                "date": _plain(as_date(r[3])),
                "percent": int(r[4]),
                "note": r[5],
                "by": r[6],
                "created_at": _plain(r[7]),
                "key": r[8],
                "metrics": metrics.get(int(r[0]), {}),
                "retraction": None
                if r[9] is None
                else {"reason": r[9], "by": r[10], "at": _plain(r[11])},
            }
            for r in entries
        ],
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
    if doc.get("version") != VERSION:
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


def import_bundle(conn: Connection, doc: dict[str, Any], now: datetime) -> dict[str, int]:
    """Add what the bundle holds and this database does not; counts of what was added."""
    here = current_office(conn)
    office = find_office(conn, str(doc["office"]))
    if office is None or office.id not in subtree_ids(conn, here.id):
        raise BadInput(
            _("the bundle belongs to office '{office}', which is not '{here}' or below it").format(
                office=doc["office"], here=here.name
            )
        )
    added = {"plans": 0, "tasks": 0, "units": 0, "assignments": 0, "entries": 0}
    p = doc["plan"]
    plan_id = conn.scalar(
        "SELECT id FROM plans WHERE office_id = :o AND code = :c", {"o": office.id, "c": p["code"]}
    )
    if plan_id is None:
        values = {c: p[c] for c in _PLAN_COLS}
        values["issued"] = as_date(values["issued"])
        values["loaded_at"] = as_datetime(values["loaded_at"])
        plan_id = conn.insert(
            f"INSERT INTO plans (office_id, {', '.join(_PLAN_COLS)}) VALUES (:office_id, "
            f"{', '.join(':' + c for c in _PLAN_COLS)}) RETURNING id",
            {"office_id": office.id, **values},
        )
        added["plans"] = 1
    section_ids = {
        int(n): int(i)
        for i, n in conn.rows("SELECT id, number FROM sections WHERE plan_id = :p", {"p": plan_id})
    }
    for s in doc["sections"]:
        if int(s["number"]) not in section_ids:
            section_ids[int(s["number"])] = conn.insert(
                "INSERT INTO sections (plan_id, number, title) VALUES (:p, :n, :t) RETURNING id",
                {"p": plan_id, "n": s["number"], "t": s["title"]},
            )
    task_ids = {
        int(n): int(i)
        for i, n in conn.rows("SELECT id, number FROM tasks WHERE plan_id = :p", {"p": plan_id})
    }
    for t in doc["tasks"]:
        if int(t["number"]) in task_ids:
            continue
        values = {c: t[c] for c in _TASK_COLS}
        values["due_date"] = as_date(values["due_date"])
        task_ids[int(t["number"])] = conn.insert(
            f"INSERT INTO tasks (plan_id, section_id, {', '.join(_TASK_COLS)}) VALUES (:p, :s, "
            f"{', '.join(':' + c for c in _TASK_COLS)}) RETURNING id",
            {"p": plan_id, "s": section_ids[int(t["section"])], **values},
        )
        added["tasks"] += 1
    target_ids = {
        (int(tid), str(k)): int(i)
        for i, tid, k in conn.rows(
            "SELECT g.id, g.task_id, g.key FROM targets g JOIN tasks t ON t.id = g.task_id "
            "WHERE t.plan_id = :p",
            {"p": plan_id},
        )
    }
    for g in doc["targets"]:
        tid = task_ids[int(g["task"])]
        if (tid, g["key"]) not in target_ids:
            target_ids[(tid, g["key"])] = conn.insert(
                f"INSERT INTO targets (task_id, {', '.join(_TARGET_COLS)}) VALUES (:t, "
                f"{', '.join(':' + c for c in _TARGET_COLS)}) RETURNING id",
                {"t": tid, **{c: g[c] for c in _TARGET_COLS}},
            )
    unit_ids = {
        str(n): int(i)
        for i, n in conn.rows("SELECT id, name FROM units WHERE office_id = :o", {"o": office.id})
    }
    for u in doc["units"]:
        if u["name"] not in unit_ids:
            unit_ids[u["name"]] = conn.insert(
                "INSERT INTO units (office_id, name, match_key, kind, created_at) "
                "VALUES (:o, :n, :k, :kind, :at) RETURNING id",
                {
                    "o": office.id,
                    "n": u["name"],
                    "k": match_key(u["name"]),
                    "kind": u["kind"],
                    "at": as_datetime(u["created_at"]),
                },
            )
            added["units"] += 1
    assigned = {
        (int(t), int(u))
        for t, u in conn.rows(
            "SELECT a.task_id, a.unit_id FROM assignments a JOIN tasks t ON t.id = a.task_id "
            "WHERE t.plan_id = :p",
            {"p": plan_id},
        )
    }
    for a in doc["assignments"]:
        pair = (task_ids[int(a["task"])], unit_ids[a["unit"]])
        if pair not in assigned:
            conn.run(
                "INSERT INTO assignments (task_id, unit_id, role, due_word, due_date, created_at) "
                "VALUES (:t, :u, :r, :w, :d, :at)",
                {
                    "t": pair[0],
                    "u": pair[1],
                    "r": a["role"],
                    "w": a["due_word"],
                    "d": as_date(a["due_date"]),
                    "at": as_datetime(a["created_at"]),
                },
            )
            assigned.add(pair)
            added["assignments"] += 1
    known = {
        (int(t), str(k)): int(i)
        for i, t, k in conn.rows(
            "SELECT e.id, e.task_id, e.key FROM entries e JOIN tasks t ON t.id = e.task_id "
            "WHERE t.plan_id = :p",
            {"p": plan_id},
        )
    }
    retracted = {
        int(r[0])
        for r in conn.rows(
            "SELECT r.entry_id FROM retractions r JOIN entries e ON e.id = r.entry_id "
            "JOIN tasks t ON t.id = e.task_id WHERE t.plan_id = :p",
            {"p": plan_id},
        )
    }
    for e in doc["entries"]:
        tid = task_ids[int(e["task"])]
        entry_id = known.get((tid, e["key"]))
        if entry_id is None:
            entry_id = conn.insert(
                "INSERT INTO entries (task_id, unit_id, entry_date, percent, note, recorded_by, "
                "created_at, key) VALUES (:t, :u, :d, :p, :n, :b, :at, :k) RETURNING id",
                {
                    "t": tid,
                    "u": unit_ids[e["unit"]],
                    "d": as_date(e["date"]),
                    "p": e["percent"],
                    "n": e["note"],
                    "b": e["by"],
                    "at": as_datetime(e["created_at"]),
                    "k": e["key"],
                },
            )
            known[(tid, e["key"])] = entry_id
            for key, value in e["metrics"].items():
                conn.run(
                    "INSERT INTO entry_metrics (entry_id, target_id, value) VALUES (:e, :g, :v)",
                    {"e": entry_id, "g": target_ids[(tid, key)], "v": value},
                )
            added["entries"] += 1
        r = e.get("retraction")
        if r is not None and entry_id not in retracted:
            conn.run(
                "INSERT INTO retractions (entry_id, reason, retracted_by, retracted_at) "
                "VALUES (:e, :r, :b, :at)",
                {"e": entry_id, "r": r["reason"], "b": r["by"], "at": as_datetime(r["at"])},
            )
            retracted.add(entry_id)
    return added
