"""Reading a bundle back into a database (``pufa import F``): all-or-nothing, adding only what
is missing — the rules are in :mod:`pufa_cli.offices.bundle`, which writes and reads the file."""

from __future__ import annotations

import base64
import hashlib
from datetime import date, datetime
from typing import Any

from pufa_cli.errors import BadInput
from pufa_cli.i18n import _
from pufa_cli.names import match_key
from pufa_cli.offices.bundle import (
    EXTRA,
    NOTICE_COLS,
    OF_PLAN_ENTRIES,
    PLAN_COLS,
    REVIEW_COLS,
    TARGET_COLS,
    TASK_COLS,
    plain,
    same,
    task_keys,
    typed,
)
from pufa_cli.offices.scoping import current_office
from pufa_cli.offices.tree import find_office, subtree_ids
from pufa_cli.store import Connection, as_date, as_datetime
from pufa_cli.tracker import NewEntry, insert_entry


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
        cols = [c for c in PLAN_COLS if c in p]  # a version 1 bundle: the schema's defaults
        values = {c: typed(c, p[c]) for c in cols}
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
    task_ids = {key: tid for tid, key in task_keys(conn, plan_id).items()}
    # Tasks before their sub-items (item 0 first), each sub-item under its task.
    for t in sorted(doc["tasks"], key=lambda t: (int(t["number"]), int(t.get("item", 0) or 0))):
        key = (int(t["number"]), int(t.get("item", 0) or 0))
        if key in task_ids:
            continue
        cols = [c for c in TASK_COLS if c in t]
        values = {c: typed(c, t[c]) for c in cols}
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
                f"INSERT INTO targets (task_id, {', '.join(TARGET_COLS)}) VALUES (:t, "
                f"{', '.join(':' + c for c in TARGET_COLS)}) RETURNING id",
                {"t": tid, **{c: g[c] for c in TARGET_COLS}},
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
        pair = task_id, unit_id = task_ids[_tkey(a)], unit_ids[a["unit"]]
        if pair not in assigned:
            conn.run(
                "INSERT INTO assignments (task_id, unit_id, role, due_word, due_date, created_at) "
                "VALUES (:t, :u, :r, :w, :d, :at)",
                {
                    "t": task_id,
                    "u": unit_id,
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
        int(entry_id)
        for (entry_id,) in conn.rows(
            f"SELECT entry_id FROM retractions WHERE {OF_PLAN_ENTRIES}", {"p": plan_id}
        )
    }
    reviewed = {
        (int(entry_id), same(REVIEW_COLS, review))
        for entry_id, *review in conn.rows(
            f"SELECT entry_id, {', '.join(REVIEW_COLS)} FROM reviews WHERE {OF_PLAN_ENTRIES}",
            {"p": plan_id},
        )
    }
    attached = {
        (int(e), str(n), str(h))
        for e, n, h in conn.rows(
            "SELECT x.entry_id, x.name, b.sha256 FROM entry_evidence x JOIN evidence_blobs b "
            f"ON b.id = x.blob_id WHERE x.{OF_PLAN_ENTRIES}",
            {"p": plan_id},
        )
    }
    blobs: dict[str, int] = {}
    for e in doc["entries"]:
        tid = task_ids[_tkey(e)]
        entry_id = known.get((tid, e["key"]))
        if entry_id is None:
            metrics = {target_ids[(tid, k)]: v for k, v in e["metrics"].items()}
            entry = NewEntry(
                e["key"],
                tid,
                unit_ids[e["unit"]],
                date.fromisoformat(str(e["date"])),
                e["percent"],
                e["note"],
                e["by"],
                metrics,
                e.get("problems") or "",
                e.get("next_steps") or "",
                recorded_at=as_datetime(e["created_at"]),
            )
            entry_id = insert_entry(conn, entry, now)
            known[(tid, e["key"])] = entry_id
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
            content = same(REVIEW_COLS, [v[c] for c in REVIEW_COLS])
            if (entry_id, content) not in reviewed:
                conn.run(
                    f"INSERT INTO reviews (entry_id, {', '.join(REVIEW_COLS)}) VALUES (:e, "
                    f"{', '.join(':' + c for c in REVIEW_COLS)})",
                    {"e": entry_id, **{c: typed(c, v[c]) for c in REVIEW_COLS}},
                )
                reviewed.add((entry_id, content))
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
    for extra in EXTRA:
        table, where, columns, stored = extra.table, extra.where, extra.columns, extra.stored
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
                    values.append(plain(typed(c, v)))
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
                    content.append(plain(typed(c, row[c])))
                    params[col] = typed(c, row[c])
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
        int(seq)
        for (seq,) in conn.rows("SELECT seq FROM notices WHERE plan_id = :p", {"p": plan_id})
    }
    for n in doc.get("notices", []):
        if int(n["seq"]) not in seqs:
            conn.run(
                f"INSERT INTO notices (plan_id, {', '.join(NOTICE_COLS)}) VALUES (:p, "
                f"{', '.join(':' + c for c in NOTICE_COLS)})",
                {"p": plan_id, **{c: typed(c, n[c]) for c in NOTICE_COLS}},
            )
            seqs.add(int(n["seq"]))
