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
from pufa_cli.names import match_key
from pufa_cli.offices.scoping import current_office
from pufa_cli.offices.tree import find_office, office_by_id, subtree_ids
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


def _tkey(row: dict[str, Any]) -> tuple[int, int]:
    """A bundle row's task: (number, item); version 1 had no sub-items (item 0)."""
    return int(row["task"]), int(row.get("item", 0) or 0)


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
        cols = [c for c in _PLAN_COLS if c in p]  # a version 1 bundle: the schema's defaults
        values = {c: _typed(c, p[c]) for c in cols}
        plan_id = conn.insert(
            f"INSERT INTO plans (office_id, {', '.join(cols)}) VALUES (:office_id, "
            f"{', '.join(':' + c for c in cols)}) RETURNING id",
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
    task_ids = {key: tid for tid, key in _task_key(conn, plan_id).items()}
    # Tasks before their sub-items (item 0 first), each sub-item under its task.
    for t in sorted(doc["tasks"], key=lambda t: (int(t["number"]), int(t.get("item", 0) or 0))):
        key = (int(t["number"]), int(t.get("item", 0) or 0))
        if key in task_ids:
            continue
        cols = [c for c in _TASK_COLS if c in t]
        values = {c: _typed(c, t[c]) for c in cols}
        parent = task_ids.get((key[0], 0)) if key[1] else None
        task_ids[key] = conn.insert(
            f"INSERT INTO tasks (plan_id, section_id, parent_id, {', '.join(cols)}) VALUES "
            f"(:p, :s, :parent, {', '.join(':' + c for c in cols)}) RETURNING id",
            {"p": plan_id, "s": section_ids[int(t["section"])], "parent": parent, **values},
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
        tid = task_ids[_tkey(g)]
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
        pair = (task_ids[_tkey(a)], unit_ids[a["unit"]])
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
    of_plan = (
        "entry_id IN (SELECT e.id FROM entries e JOIN tasks t ON t.id = e.task_id "
        "WHERE t.plan_id = :p)"
    )
    retracted = {
        int(r[0])
        for r in conn.rows(f"SELECT entry_id FROM retractions WHERE {of_plan}", {"p": plan_id})
    }
    reviewed = {
        (int(r[0]), _same(_REVIEW_COLS, r[1:]))
        for r in conn.rows(
            f"SELECT entry_id, {', '.join(_REVIEW_COLS)} FROM reviews WHERE {of_plan}",
            {"p": plan_id},
        )
    }
    attached = {
        (int(e), str(n), str(h))
        for e, n, h in conn.rows(
            "SELECT x.entry_id, x.name, b.sha256 FROM entry_evidence x JOIN evidence_blobs b "
            f"ON b.id = x.blob_id WHERE x.{of_plan}",
            {"p": plan_id},
        )
    }
    blobs: dict[str, int] = {}
    for e in doc["entries"]:
        tid = task_ids[_tkey(e)]
        entry_id = known.get((tid, e["key"]))
        if entry_id is None:
            entry_id = conn.insert(
                "INSERT INTO entries (task_id, unit_id, entry_date, percent, note, recorded_by, "
                "created_at, key, problems, next_steps) VALUES (:t, :u, :d, :p, :n, :b, :at, :k, "
                "COALESCE(:problems, ''), COALESCE(:next, '')) RETURNING id",
                {
                    "t": tid,
                    "u": unit_ids[e["unit"]],
                    "d": as_date(e["date"]),
                    "p": e["percent"],
                    "n": e["note"],
                    "b": e["by"],
                    "at": as_datetime(e["created_at"]),
                    "k": e["key"],
                    "problems": e.get("problems"),
                    "next": e.get("next_steps"),
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
        for v in e.get("reviews", []):
            same = _same(_REVIEW_COLS, [v[c] for c in _REVIEW_COLS])
            if (entry_id, same) not in reviewed:
                conn.run(
                    f"INSERT INTO reviews (entry_id, {', '.join(_REVIEW_COLS)}) VALUES (:e, "
                    f"{', '.join(':' + c for c in _REVIEW_COLS)})",
                    {"e": entry_id, **{c: _typed(c, v[c]) for c in _REVIEW_COLS}},
                )
                reviewed.add((entry_id, same))
        for x in e.get("evidence", []):
            if (entry_id, x["name"], x["sha256"]) in attached:
                continue
            blob = blobs.get(x["sha256"])
            if blob is None:
                blob = conn.scalar(
                    "SELECT id FROM evidence_blobs WHERE sha256 = :h", {"h": x["sha256"]}
                )
            if blob is None:
                data = base64.b64decode(doc["blobs"][x["sha256"]], validate=True)
                if hashlib.sha256(data).hexdigest() != x["sha256"]:
                    raise ValueError(f"evidence {x['name']} does not match its SHA-256")
                blob = conn.insert(
                    "INSERT INTO evidence_blobs (sha256, size, data) VALUES (:h, :n, :d) "
                    "RETURNING id",
                    {"h": x["sha256"], "n": len(data), "d": data},
                )
            blobs[x["sha256"]] = int(blob)
            conn.run(
                "INSERT INTO entry_evidence (entry_id, blob_id, name) VALUES (:e, :b, :n)",
                {"e": entry_id, "b": int(blob), "n": x["name"]},
            )
            attached.add((entry_id, x["name"], x["sha256"]))
    _import_extra(conn, doc, plan_id, task_ids, unit_ids)
    return added


def _import_extra(
    conn: Connection,
    doc: dict[str, Any],
    plan_id: int,
    task_ids: dict[tuple[int, int], int],
    unit_ids: dict[str, int],
) -> None:
    """The plan's supervision and scoring rows (version 2), each once; notices by number."""
    keys = {tid: key for key, tid in task_ids.items()}
    names = {i: n for n, i in unit_ids.items()}
    for table, where, columns in _EXTRA:
        stored = [f"{c}_id" if c in ("task", "unit") else c for c in columns]
        have = set()
        for r in conn.rows(
            f"SELECT {', '.join(stored)} FROM {table} WHERE {where}", {"p": plan_id}
        ):
            values: list[Any] = []
            for c, v in zip(columns, r, strict=True):
                if c == "task":
                    values.append(keys[int(v)])
                elif c == "unit":
                    values.append(names.get(int(v)))
                else:
                    values.append(_plain(_typed(c, v)))
            have.add(tuple(values))
        for row in doc.get(table, []):
            content: list[Any] = []
            params: dict[str, Any] = {"plan": plan_id}
            for c, col in zip(columns, stored, strict=True):
                if c == "task":
                    content.append(_tkey(row))
                    params[col] = task_ids[_tkey(row)]
                elif c == "unit":
                    content.append(row["unit"])
                    params[col] = unit_ids[row["unit"]]
                else:
                    content.append(_plain(_typed(c, row[c])))
                    params[col] = _typed(c, row[c])
            if tuple(content) in have:
                continue
            plan_col = "" if "task" in columns else "plan_id, "
            plan_val = "" if "task" in columns else ":plan, "
            conn.run(
                f"INSERT INTO {table} ({plan_col}{', '.join(stored)}) VALUES ({plan_val}"
                f"{', '.join(':' + c for c in stored)})",
                params,
            )
            have.add(tuple(content))
    seqs = {
        int(r[0]) for r in conn.rows("SELECT seq FROM notices WHERE plan_id = :p", {"p": plan_id})
    }
    for n in doc.get("notices", []):
        if int(n["seq"]) not in seqs:
            conn.run(
                f"INSERT INTO notices (plan_id, {', '.join(_NOTICE_COLS)}) VALUES (:p, "
                f"{', '.join(':' + c for c in _NOTICE_COLS)})",
                {"p": plan_id, **{c: _typed(c, n[c]) for c in _NOTICE_COLS}},
            )
            seqs.add(int(n["seq"]))
