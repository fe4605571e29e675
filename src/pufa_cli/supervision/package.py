"""The evidence package (佐證材料): ``pufa export --what evidence --out 佐證.zip``.

A zip laid out as the acceptance folder offices assemble by hand: one folder per section, in
it one per task, in it one per unit, holding that unit's evidence files as
``<evidence id>-<name>`` (the id keeps two files of the same name apart and finds the file in
``pufa evidence list``). ``index.xlsx`` at the top lists every file with its task, unit, entry,
date, size and SHA-256. Evidence of retracted (or returned) entries is left out, and so is that
of entries dated after the as-of date.

Names are sanitised: every folder and file name is one path component without separators,
control characters or characters Windows refuses, never empty, ``.`` or ``..``, and not over
80 characters, so no stored name can place a file outside the package's folders.
"""

from __future__ import annotations

import unicodedata
import zipfile
from collections.abc import Callable
from datetime import date
from typing import IO, Any

from pufa_cli.i18n import _
from pufa_cli.progress import PlanRef
from pufa_cli.store import Connection

MAX_COMPONENT = 80
_REFUSED = set('/\\:*?"<>|')
INDEX_NAME = "index.xlsx"


def safe_component(name: str, limit: int = MAX_COMPONENT) -> str:
    """One safe path component (see the module doc); keeps a file's extension when cutting."""
    text = unicodedata.normalize("NFC", str(name))
    text = "".join(
        "_" if ch in _REFUSED or unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Zl", "Zp") else ch
        for ch in text
    )
    text = text.strip().strip(".").strip()
    if len(text) > limit:
        stem, dot, ext = text.rpartition(".")
        if dot and 0 < len(ext) <= 10 and stem:
            text = stem[: limit - len(ext) - 1].rstrip() + "." + ext
        else:
            text = text[:limit].rstrip()
    return text or "_"


def _path(row: dict[str, Any], text_fn: Callable[[str], str]) -> str:
    parts = [
        safe_component(f"{row['_section']:02d} {text_fn(row['_section_title'])}", 40),
        safe_component(f"{row['task']:02d} {text_fn(row['_task_title'])}", 40),
        safe_component(text_fn(row["unit"])),
        safe_component(f"{row['id']}-{row['name']}"),
    ]
    return "/".join(parts)


def write_package(
    conn: Connection, plan: PlanRef, as_of: date, out: IO[bytes], text_fn: Callable[[str], str]
) -> int:
    """Write the zip to ``out``; return the number of files in it (the index not counted)."""
    from openpyxl import Workbook

    from pufa_cli.exchange.columns import neutralise
    from pufa_cli.supervision.evidence import get_evidence, list_evidence

    rows = [
        r
        for r in list_evidence(conn, plan.id)
        if not r["retracted"] and r["date"] is not None and r["date"] <= as_of.isoformat()
    ]
    wb = Workbook(write_only=True)
    sheet = wb.create_sheet(_("Evidence"))
    sheet.append(
        [
            _("Path"),
            _("Section"),
            _("Task"),
            _("Title"),
            _("Unit"),
            _("Entry"),
            _("Date"),
            _("Name"),
            _("Size"),
            "SHA-256",
            _("ID"),
        ]
    )
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for r in rows:
            path = _path(r, text_fn)
            _name, data = get_evidence(conn, r["id"])
            info = zipfile.ZipInfo(path, date_time=_zip_time(r["date"]))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            zf.writestr(info, data)
            sheet.append(
                [
                    path,
                    r["_section"],
                    r["task"],
                    neutralise(text_fn(r["_task_title"])),
                    neutralise(text_fn(r["unit"])),
                    r["entry"],
                    r["date"],
                    neutralise(r["name"]),
                    r["size"],
                    r["sha256"],
                    r["id"],
                ]
            )
        import io

        index = io.BytesIO()
        wb.save(index)
        info = zipfile.ZipInfo(INDEX_NAME, date_time=_zip_time(as_of.isoformat()))
        info.compress_type = zipfile.ZIP_DEFLATED
        info.external_attr = 0o644 << 16
        zf.writestr(info, index.getvalue())
    return len(rows)


def _zip_time(iso: str) -> tuple[int, int, int, int, int, int]:
    """The entry's day as the file's time (zip cannot hold years before 1980)."""
    y, m, d = (int(x) for x in iso[:10].split("-"))
    return (max(y, 1980), m, d, 0, 0, 0)
