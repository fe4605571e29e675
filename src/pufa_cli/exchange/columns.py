"""The columns of the exchange: machine names, the labels of every language, the words of
values people read, and formulas neutralised (the exchange's own rules, docs/exchange.md).

* **Stable columns.** ``ENTRY_COLUMNS`` and ``TASK_COLUMNS`` are the machine column names of
  the entries and tasks tables; the entries columns are also the import format. They never
  change with the language; ``--headers human`` (csv) and xlsx show the translated labels of
  ``column_labels()``, which import accepts in every language (``header_aliases``), and the
  status, colour and yes/no words of the language (``human_value``).
* **Formulas are neutralised** (OWASP, CSV injection): a text cell that starts with ``=``,
  ``+``, ``-``, ``@``, tab or carriage return gets a leading ``'``, in csv and xlsx. So that a
  round trip is lossless, a text that already starts with ``'`` followed (after any further
  ``'``) by one of those characters gets one too; import removes exactly one (``restore``).
  Numbers stay numbers.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from pufa_cli.i18n import _, pgettext

WHAT_REPORT = "report"
WHAT_TASKS = "tasks"
WHAT_ENTRIES = "entries"
WHAT_ALL = "all"

CSV = "csv"
JSON = "json"
XLSX = "xlsx"
# The format a file name stands for: what --out implies when --format is not given.
EXTENSIONS = {".csv": CSV, ".json": JSON, ".xlsx": XLSX}

ENTRY_COLUMNS = (
    "year",
    "task",
    "unit",
    "date",
    "percent",
    "metrics",
    "note",
    "by",
    "recorded_at",
    "id",
    "key",
    "retracted",
    "retracted_at",
    "retracted_by",
    "retraction_reason",
    "problems",  # structured progress (issue 16): 存在問題
    "next",  # 下一步措施
    # The entry's review (審核 → 銷號, issue 16), for plans with ``review: required``:
    # ``approve`` or ``return`` (as ``show``'s ``decision``), its date, reviewer and note.
    # Import ignores them: a review is recorded by ``pufa review``, never by a file.
    "review",
    "review_date",
    "reviewed_by",
    "review_note",
)

# Columns import reads that no export writes: ``evidence`` names files beside the sheet
# (issue 16), stored with the entry the row adds.
IMPORT_ONLY_COLUMNS = ("evidence",)

TASK_COLUMNS = (
    "year",
    "section",
    "number",
    "title",
    "lead",
    "supporting",
    "due",
    "due_word",
    "percent",
    "status",
    "overdue",
    "colour",
    "targets",
    "latest_note",
)

# Data rows per worksheet: Excel's 1,048,576 rows less the header row. Entries beyond it

TRUE = "true"
FALSE = "false"

# A cell starting with one of these is run as a formula by a spreadsheet (OWASP).
FORMULA_START = frozenset("=+-@\t\r")
_RISKY_START = FORMULA_START | {"'"}


def neutralise(text: str) -> str:
    """``'`` + text when a spreadsheet would run ``text`` as a formula (see the module doc)."""
    if text and text[0] in _RISKY_START:
        rest = text.lstrip("'")
        if rest[:1] in FORMULA_START:
            return "'" + text
    return text


def restore(text: str) -> str:
    """The inverse of ``neutralise``: drop the one ``'`` it added, and only that."""
    if text[:1] == "'" and text.lstrip("'")[:1] in FORMULA_START:
        return text[1:]
    return text


def column_labels(_: Callable[[str], str] = _) -> dict[str, str]:
    """Human labels of every column name, through ``_`` (pass another language's gettext to
    get its labels: import recognises the headers of every language)."""
    return {
        "year": _("Year"),
        "task": _("Task"),
        "unit": _("Unit"),
        "date": _("Date"),
        "percent": _("Percent"),
        "metrics": _("Metrics"),
        "note": _("Note"),
        "by": _("Recorded by"),
        "recorded_at": _("Recorded at"),
        "id": _("Entry ID"),
        "key": _("Entry key"),
        "retracted": _("Retracted"),
        "retracted_at": _("Retracted at"),
        "retracted_by": _("Retracted by"),
        "retraction_reason": _("Retraction reason"),
        "problems": _("Problems"),
        "next": _("Next steps"),
        # the office's check of a claim and its closure (審核銷號)
        "review": _("Review"),
        "review_date": _("Review date"),
        "reviewed_by": _("Reviewed by"),
        "review_note": _("Review note"),
        "evidence": _("Evidence"),
        "section": _("Section"),
        "number": _("No."),
        "title": _("Title"),
        "lead": _("Lead unit"),
        "supporting": _("Supporting units"),
        "units": _("Units"),
        "due": _("Due"),
        "due_word": _("Deadline"),
        "planned_due": _("Planned due"),  # the plan's date, before any extension (issue 16)
        "expected": _("Expected percent"),
        "status": _("Status"),
        "overdue": _("Overdue"),
        "colour": _("Colour"),
        "missed": _("Checkpoints missed"),
        "targets": _("Targets"),
        "latest_note": _("Latest note"),
        "rank": _("Rank"),
        "tasks": _("Tasks"),
        "done": _("Done"),
        "in_progress": _("In progress"),
        "not_started": _("Not started"),
        "red": _("Red"),
        "yellow": _("Yellow"),
        # report columns of review plans, reporting rounds and scoring (issues 16, 17)
        "awaiting_review": _("Awaiting review"),
        "late": _("Late reports"),
        "missing": _("Missing reports"),
        "score": _("Score"),
    }


def named_columns(columns: Sequence[str]) -> str:
    """Column names for a message: the machine names in English (``task, unit``); in Chinese
    each with its label first (``任務 task、單位 unit``), so a reader knows the column by the
    word on the sheet and by the name a script uses."""
    from pufa_cli.i18n import current_language

    if current_language() == "en":
        return ", ".join(columns)
    labels = column_labels()
    return "、".join(f"{labels[c]} {c}" if c in labels else c for c in columns)


def labels_for(columns: Sequence[str]) -> list[str]:
    labels = column_labels()
    return [labels.get(c, c) for c in columns]


def report_labels(headers: Sequence[str], by: str) -> list[str]:
    """The labels of the report's columns. By section, the two key columns are headed as in
    the report table: the title there is the section's (板塊名稱), not a task's (任務), and the
    number beside it keeps a label of its own in English too ("Sec.", "Section")."""
    labels = labels_for(headers)
    if by == "section":
        labels[headers.index("section")] = _("Sec.")
        labels[headers.index("title")] = pgettext("section title", "Section")
    return labels


def human_value(column: str, value: Any) -> Any:
    """Status, colour and yes/no in the reader's language, for the sheets and csv that people
    read (xlsx Report and Tasks, csv with ``--headers human``); other values as they are."""
    from pufa_cli.render import status_label

    if column == "status" and isinstance(value, str):
        return status_label(value)
    if column == "colour" and isinstance(value, str):
        return {"green": _("green"), "yellow": _("yellow"), "red": _("red")}.get(value, value)
    if column == "review" and isinstance(value, str):
        # the words of pufa show's Reviews table
        return {"approve": _("approved"), "return": _("returned")}.get(value, value)
    if column in ("overdue", "retracted") and (isinstance(value, bool) or value in (TRUE, FALSE)):
        return _("yes") if value is True or value == TRUE else _("no")
    return value


def humanise(headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> Iterator[list[Any]]:
    for row in rows:
        yield [human_value(h, v) for h, v in zip(headers, row, strict=True)]


def num_text(value: float) -> str:
    """A metric value as text that reads back to the very same float."""
    f = float(value)
    return str(int(f)) if f.is_integer() else repr(f)


def day_text(value: Any) -> str:
    # SQLite hands back ISO text already; PostgreSQL a date.
    return value[:10] if isinstance(value, str) else value.isoformat()


def time_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value.replace(" ", "T", 1)
    return str(value.isoformat())


def display_width(text: str) -> int:
    """Columns ``text`` takes in a spreadsheet: East Asian wide and full-width count 2."""
    width = 0
    for line in str(text).split("\n"):
        w = sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in line)
        width = max(width, w)
    return width


def as_time(value: Any) -> datetime | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value
    return datetime.fromisoformat(str(value))


@dataclass(frozen=True)
class Spec:
    """What to export and how (parsed by the CLI)."""

    what: str
    fmt: str
    as_of: date
    by: str = "section"
    bom: bool = True
    human_headers: bool = False
    all_years: bool = False


# --- the headers import recognises ------------------------------------------------------


def fold(header: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", header).replace("_", " ").split()).casefold()


def translations() -> list[Callable[[str], str]]:
    """The gettext function of every language pufa speaks (English: the msgids)."""
    import gettext

    from pufa_cli.i18n import DOMAIN, LANGUAGES, LOCALE_DIR, catalog_dir

    return [
        gettext.translation(
            DOMAIN, localedir=LOCALE_DIR, languages=[catalog_dir(lang)], fallback=True
        ).gettext
        for lang in LANGUAGES
    ]


def header_aliases() -> dict[str, str]:
    """Folded header → column: the machine names and the labels of every language (a label
    that means two columns in different languages is dropped, never guessed)."""
    aliases: dict[str, str] = {}
    ambiguous: set[str] = set()

    def add(label: str, column: str) -> None:
        folded = fold(label)
        if aliases.get(folded, column) != column:
            ambiguous.add(folded)
        aliases[folded] = column

    for column in (*ENTRY_COLUMNS, *IMPORT_ONLY_COLUMNS):
        add(column, column)
    for gettext in translations():
        labels = column_labels(gettext)
        for column in (*ENTRY_COLUMNS, *IMPORT_ONLY_COLUMNS):
            add(labels[column], column)
    for folded in ambiguous:
        del aliases[folded]
    return aliases
