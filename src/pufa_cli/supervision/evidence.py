"""Evidence (佐證材料): files attached to entries, stored in the database.

A file's bytes are stored once per content (``evidence_blobs``, keyed by SHA-256) and linked to
each entry that names it (``entry_evidence``, with the name the file had), in the same
transaction as the entry: an interrupted ``log --evidence`` leaves neither. Files are read and
checked (exists, a regular file, readable, within the size limit) before the database is
opened, so a bad file changes nothing. ``pufa check`` recomputes every digest.
"""

from __future__ import annotations

import os
import unicodedata
from collections import defaultdict
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, NamedTuple

from pufa_cli.errors import BadInput, NotFound
from pufa_cli.i18n import _
from pufa_cli.ledger import MAX_ID
from pufa_cli.store import Connection, as_date

DEFAULT_MAX_MB = 20
MAX_NAME = 255


class EvidenceFile(NamedTuple):
    """A file read and checked, ready to store."""

    name: str
    data: bytes
    sha256: str

    @property
    def size(self) -> int:
        return len(self.data)


def max_bytes() -> int:
    """The per-file limit: ``PUFA_EVIDENCE_MAX_MB`` MiB (default 20)."""
    raw = os.environ.get("PUFA_EVIDENCE_MAX_MB", "").strip()
    if not raw:
        return DEFAULT_MAX_MB * 1024 * 1024
    try:
        value = float(raw)
    except ValueError:
        value = -1.0
    if not 0 < value <= 1024:
        raise BadInput(
            _("PUFA_EVIDENCE_MAX_MB must be a number of MiB from 0 to 1024, not '{value}'").format(
                value=raw
            )
        )
    return int(value * 1024 * 1024)


def stored_name(path: Path) -> str:
    """The name kept with the file: its last path component, NFC, without control characters."""
    name = unicodedata.normalize("NFC", path.name)
    name = "".join(ch for ch in name if unicodedata.category(ch) not in ("Cc", "Cs"))
    return name[:MAX_NAME] or "file"


def read_files(paths: Sequence[str]) -> list[EvidenceFile]:
    """Read and check every file before anything is written (BadInput on the first bad one)."""
    limit = max_bytes() if paths else 0
    out = []
    for raw in paths:
        path = Path(raw)
        try:
            st = path.stat()
        except FileNotFoundError:
            raise BadInput(_("evidence file {path} does not exist").format(path=raw)) from None
        except OSError as exc:
            raise BadInput(
                _("cannot read evidence file {path}: {reason}").format(
                    path=raw, reason=exc.strerror or exc
                )
            ) from None
        if path.is_dir():
            raise BadInput(_("evidence {path} is a folder, not a file").format(path=raw))
        if not path.is_file():
            raise BadInput(_("evidence {path} is not a regular file").format(path=raw))
        if st.st_size > limit:
            raise BadInput(_too_large(raw, st.st_size, limit))
        try:
            with open(path, "rb") as fh:
                data = fh.read(limit + 1)
        except OSError as exc:
            raise BadInput(
                _("cannot read evidence file {path}: {reason}").format(
                    path=raw, reason=exc.strerror or exc
                )
            ) from None
        if len(data) > limit:  # grew since stat
            raise BadInput(_too_large(raw, len(data), limit))
        out.append(EvidenceFile(stored_name(path), data, _sha256(data)))
    return out


def _too_large(path: str, size: int, limit: int) -> str:
    return _(
        "evidence file {path} is {size} bytes, over the limit of {limit} bytes "
        "(PUFA_EVIDENCE_MAX_MB)"
    ).format(path=path, size=size, limit=limit)


def attach(conn: Connection, entry_id: int, files: Sequence[EvidenceFile]) -> list[int]:
    """Store ``files`` for an entry (each content once); return the new evidence ids."""
    ids = []
    for f in files:
        blob = conn.store_blob(f.sha256, f.size, f.data)
        ids.append(
            conn.insert(
                "INSERT INTO entry_evidence (entry_id, blob_id, name) VALUES (:e, :b, :n) "
                "RETURNING id",
                {"e": entry_id, "b": int(blob), "n": f.name},
            )
        )
    return ids


def by_entry(conn: Connection, task_id: int) -> dict[int, list[dict[str, Any]]]:
    """entry id → its evidence as ``{"id", "name", "sha256", "size"}``, in the order attached."""
    out: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for eid, vid, name, sha, size in conn.rows(
        "SELECT v.entry_id, v.id, v.name, b.sha256, b.size FROM entry_evidence v "
        "JOIN evidence_blobs b ON b.id = v.blob_id JOIN entries e ON e.id = v.entry_id "
        "WHERE e.task_id = :t ORDER BY v.id",
        {"t": task_id},
    ):
        out[int(eid)].append({"id": int(vid), "name": str(name), "sha256": sha, "size": int(size)})
    return out


def list_evidence(
    conn: Connection, plan_id: int, *, task_id: int | None = None, unit_id: int | None = None
) -> list[dict[str, Any]]:
    """Every evidence file of the plan (of one task, one unit), by task, date, id."""
    where = ""
    params: dict[str, Any] = {"p": plan_id}
    if task_id is not None:
        where += " AND e.task_id = :t"
        params["t"] = task_id
    if unit_id is not None:
        where += " AND e.unit_id = :u"
        params["u"] = unit_id
    rows = conn.rows(
        "SELECT v.id, t.number, u.name, e.id, e.entry_date, v.name, b.sha256, b.size, "
        "CASE WHEN EXISTS (SELECT 1 FROM retractions r WHERE r.entry_id = e.id) "
        "THEN 1 ELSE 0 END, s.number, s.title, t.title "
        "FROM entry_evidence v JOIN evidence_blobs b ON b.id = v.blob_id "
        "JOIN entries e ON e.id = v.entry_id JOIN tasks t ON t.id = e.task_id "
        "JOIN sections s ON s.id = t.section_id JOIN units u ON u.id = e.unit_id "
        f"WHERE t.plan_id = :p{where} ORDER BY t.number, e.entry_date, e.id, v.id",
        params,
    )
    out = []
    for vid, num, unit, eid, day, name, sha, size, retracted, snum, stitle, ttitle in rows:
        d = as_date(day)
        out.append(
            {
                "id": int(vid),
                "task": int(num),
                "unit": str(unit),
                "entry": int(eid),
                "date": d.isoformat() if d else None,
                "name": str(name),
                "sha256": str(sha),
                "size": int(size),
                "retracted": bool(retracted),
                # for the evidence package; not in the documented JSON of `evidence list`
                "_section": int(snum),
                "_section_title": str(stitle),
                "_task_title": str(ttitle),
            }
        )
    return out


def get_evidence(conn: Connection, evidence_id: int) -> tuple[str, bytes]:
    """(name, bytes) of one evidence file."""
    row = (
        conn.one(
            "SELECT v.name, b.data FROM entry_evidence v JOIN evidence_blobs b ON b.id = v.blob_id "
            "WHERE v.id = :v",
            {"v": evidence_id},
        )
        if 1 <= evidence_id <= MAX_ID
        else None
    )
    if row is None:
        raise NotFound(_("no evidence {id}").format(id=evidence_id))
    name, data = row
    return str(name), bytes(data)


def bad_digests(conn: Connection) -> Iterator[str]:
    """Each stored file whose bytes no longer match its SHA-256 or size (for ``pufa check``)."""
    ids = [int(i) for (i,) in conn.rows("SELECT id FROM evidence_blobs ORDER BY id")]
    for blob_id in ids:  # one at a time: files may be large
        row = conn.one(
            "SELECT sha256, size, data FROM evidence_blobs WHERE id = :b", {"b": blob_id}
        )
        assert row is not None
        sha, size, stored = row
        data = bytes(stored)
        if len(data) != int(size) or _sha256(data) != sha:
            yield _("stored file {id} ({sha})").format(id=blob_id, sha=str(sha)[:12])


def _sha256(data: bytes) -> str:
    import hashlib  # here, not at the top: ``show`` lists evidence without hashing any

    return hashlib.sha256(data).hexdigest()
