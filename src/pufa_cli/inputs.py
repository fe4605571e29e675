"""Values as people type them: one parser for ``pufa log``'s options and import's cells.

What a clerk types at the terminal and what a department's spreadsheet holds are read by the
same functions, so ``log`` and ``import`` accept exactly the same things (docs/exchange.md,
"Values as people type them"):

* **percent** — ``37``, ``37%``, ``30 %``, ``３７％``, ``37.0``; a whole number from 0 to 100.
* **metrics** — ``KEY=VALUE``; KEY is the target's key (``bases``), its label
  (``青少年法制教育基地``) or a part of the label that names one target only (``基地``), in
  either script; VALUE a number, optionally followed by the target's unit (``37個``,
  ``85%``). Import separates pairs with ``;`` (or ``；``).
* **dates** — ``2011-06-30``, ``2011/6/30``, ``2011.6.30``, ``2011年6月30日``, and ``6月30日``
  (in the plan's year); full-width digits too.
* **status words** — the machine values (``done``, ``in-progress``, ``not-started``,
  ``overdue``) and the words of every language pufa speaks (``逾期``, ``进行中`` …).

An entry's date must lie in its plan year (``check_entry_date``): not before 1 January, not
after 31 December, and not after today — unless the task's deadline lies in the next year (a
``次年`` deadline), which extends the window to the end of that year (``entry_window``).
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from datetime import date, datetime
from functools import lru_cache
from typing import Any

from pufa_cli.errors import BadInput
from pufa_cli.i18n import N_, _
from pufa_cli.names import BIDI_CONTROLS

MAX_METRIC = 1e12
# The longest note, reason or problems text, and the longest --by name, in characters.
MAX_NOTE = 10_000
MAX_BY = 200
METRIC_SPLIT = re.compile(r"[;；]")

_YMD = re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})$")
_CN_YMD = re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})[日號号]?$")
_CN_MD = re.compile(r"^(\d{1,2})月(\d{1,2})[日號号]$")
# A date with a midnight time, as spreadsheets write a date cell saved as text.
_MIDNIGHT = re.compile(r"^(\d{4}-\d{1,2}-\d{1,2})[T ]00:00(:00(\.0+)?)?$")


def text_of(value: Any) -> str:
    """A cell or option as text: integral floats without ``.0``, datetimes in ISO form."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value)


def _nfkc(value: Any) -> str:
    return unicodedata.normalize("NFKC", text_of(value)).strip()


def parse_whole(value: Any, what: str) -> int:
    """A whole number (``37``, ``37.0``, full-width digits); BadInput naming ``what``."""
    if isinstance(value, bool):
        raise BadInput(_("{what}: '{value}' is not a whole number").format(what=what, value=value))
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    text = _nfkc(value)
    try:
        return int(text)
    except ValueError:
        try:
            number = float(text)
        except ValueError:
            number = float("nan")
        if number.is_integer():
            return int(number)
        raise BadInput(
            _("{what}: '{value}' is not a whole number").format(what=what, value=text)
        ) from None


def parse_percent(value: Any) -> int:
    """``37``, ``37%``, ``30 %``, ``37.0`` → 37; BadInput unless a whole number 0–100."""
    if value is None or (isinstance(value, str) and not value.strip()):
        raise BadInput(_("percent is empty"))
    number: Any = value
    if isinstance(value, str):
        number = _nfkc(value).removesuffix("%").strip()
    try:
        result = parse_whole(number, "percent")
    except BadInput:
        result = -1
    if not 0 <= result <= 100:
        raise BadInput(
            _("percent must be a whole number from 0 to 100, not {value}").format(
                value=text_of(value).strip()
            )
        )
    return result


def parse_day(value: Any, year: int | None = None) -> date:
    """A date as people write it (module doc); ``year`` completes ``6月30日``."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    raw = text_of(value).strip()
    if not raw:
        raise BadInput(_("date is empty"))
    text = " ".join(unicodedata.normalize("NFKC", raw).split())
    midnight = _MIDNIGHT.match(text)
    text = midnight.group(1) if midnight else text.replace(" ", "")
    m = _YMD.match(text) or _CN_YMD.match(text)
    parts: tuple[int, int, int] | None = None
    if m:
        parts = (int(m.group(1)), int(m.group(2)), int(m.group(3)))
    else:
        m = _CN_MD.match(text)
        if m and year is not None:
            parts = (year, int(m.group(1)), int(m.group(2)))
    if parts is None:
        raise BadInput(
            _("'{text}' is not a date (use YYYY-MM-DD, YYYY/M/D or YYYY年M月D日)").format(text=raw)
        )
    try:
        return date(*parts)
    except ValueError:
        raise BadInput(_("'{text}' is not a valid date").format(text=raw)) from None


# --- the plan year -----------------------------------------------------------------------


def entry_window(plan_year: int, due: date | None = None) -> tuple[date, date]:
    """The first and last day an entry of a task may carry: the plan year, or up to the end
    of the next year when the task's deadline lies there (a ``次年`` deadline). The hook for
    the plan model: pass the task's due date; a due date within the plan year changes nothing."""
    last_year = plan_year if due is None or due.year <= plan_year else due.year
    return date(plan_year, 1, 1), date(last_year, 12, 31)


def default_day(today: date, window: tuple[date, date]) -> date:
    """The date of an entry logged without ``--date``: today, or the last day of its window
    when today is past it (a ledger of a past year brought up to date)."""
    return min(today, window[1])


def check_entry_date(
    day: date, today: date, plan_year: int, window: tuple[date, date], *, option: bool
) -> date:
    """``day`` if an entry may carry it; else BadInput. ``option``: the message names
    ``--date`` and ``--year`` (log); else the row's ``date`` and ``year`` columns (import)."""
    if day > today:
        raise BadInput(_("the date {day} is in the future").format(day=day.isoformat()))
    first, last = window
    if first <= day <= last:
        return day
    values = {"day": day.isoformat(), "year": plan_year, "first": first, "last": last}
    if day < first:
        text = (
            _(
                "--date {day} is before the plan year {year} ({first} to {last}); "
                "give a --date in it, or --year for another year's plan"
            )
            if option
            else _(
                "the date {day} is before the plan year {year} ({first} to {last}); "
                "give the row's year for another year's plan"
            )
        )
    else:
        text = (
            _(
                "--date {day} is after the plan year {year} ({first} to {last}); "
                "give a --date in it, or --year for another year's plan"
            )
            if option
            else _(
                "the date {day} is after the plan year {year} ({first} to {last}); "
                "give the row's year for another year's plan"
            )
        )
    raise BadInput(text.format(**values))


# --- metrics -----------------------------------------------------------------------------


def split_metrics(text: str) -> list[str]:
    """A metrics cell (``bases=37;coverage=85%``) → its ``KEY=VALUE`` items."""
    return [p for p in METRIC_SPLIT.split(text) if p.strip()]


def _fold(text: str, simplified: Callable[[str], str]) -> str:
    return simplified("".join(unicodedata.normalize("NFKC", text).split())).casefold()


def _simplified(text: str) -> str:
    from pufa_cli.i18n import to_simplified

    return to_simplified(text)


def _target_key(
    typed: str, keys: Iterable[str], words: Mapping[str, tuple[str, str]], task: object
) -> str:
    """The key of the target ``typed`` names: its key, its label, or a part of its label
    naming one target only (compared in either script)."""
    keys = list(keys)
    if typed in keys:
        return typed
    folded = _fold(typed, _simplified) if words else ""
    if folded:
        labels = {k: _fold(words[k][0], _simplified) for k in keys if k in words}
        for pick in (
            lambda label: label == folded,
            lambda label: label.startswith(folded),
            lambda label: folded in label,
        ):
            found = [k for k, label in labels.items() if label and pick(label)]
            if len(found) == 1:
                return found[0]
            if len(found) > 1:
                raise BadInput(
                    _("task {task}: '{key}' could be any of the targets {keys}").format(
                        task=task, key=typed, keys=", ".join(found)
                    )
                )
    known = ", ".join(keys) or _("none")
    raise BadInput(
        _("task {task} has no target '{key}' (targets: {known})").format(
            task=task, key=typed, known=known
        )
    )


def _metric_number(key: str, value: str, unit: str) -> float:
    text = "".join(unicodedata.normalize("NFKC", value).split())
    number: float | None = None
    try:
        number = float(text)
    except ValueError:
        m = re.match(r"^([-+]?[0-9.]+(?:[eE][-+]?\d+)?)(.+)$", text)
        if m and unit and _fold(m.group(2), _simplified) == _fold(unit, _simplified):
            try:
                number = float(m.group(1))
            except ValueError:
                number = None
    if number is None:
        raise BadInput(_("metric {key}: '{value}' is not a number").format(key=key, value=value))
    if not math.isfinite(number) or number < 0 or number > MAX_METRIC:
        raise BadInput(
            _("metric {key}: {value} must be a number from 0 to 10^12").format(key=key, value=value)
        )
    return number


def parse_metrics(
    raw: Iterable[str],
    targets: Mapping[str, Any],
    task: object,  # the task as typed (9, 9.2): for messages
    words: Mapping[str, tuple[str, str]] | None = None,
) -> dict[str, float]:
    """``KEY=VALUE`` items checked against the task's ``targets`` (keyed by target key);
    ``words``: key → (label, unit), for labels as keys and units after values."""
    words = words or {}
    out: dict[str, float] = {}
    for item in raw:
        typed, sep, value = str(item).partition("=")
        typed = typed.strip()
        if not sep or not typed:
            raise BadInput(_("'{item}' is not KEY=VALUE (e.g. bases=37)").format(item=item))
        key = _target_key(typed, targets, words, task)
        number = _metric_number(key, value, words.get(key, ("", ""))[1])
        if key in out:
            raise BadInput(_("metric {key} is given twice").format(key=key))
        out[key] = number
    return out


# --- status words ------------------------------------------------------------------------

# "behind" is a filter, not a status: a task that missed a checkpoint (checkpoints.py).
# awaiting-review: plans with `review: required` only (issue 16).
STATUSES = ("done", "in-progress", "not-started", "overdue", "behind", "awaiting-review")
# The msgids of the status words people read (render.status_label; "Overdue" the column's).
_STATUS_WORDS = {
    "done": "done",
    "in-progress": "in progress",
    "not-started": "not started",
    "overdue": "Overdue",
    "behind": N_("behind"),
    "awaiting-review": N_("awaiting review"),
}


def _status_fold(text: str) -> str:
    folded = unicodedata.normalize("NFKC", text).casefold()
    return "".join(ch for ch in folded if not ch.isspace() and ch not in "-_")


@lru_cache(maxsize=1)
def _status_words() -> dict[str, str]:
    from pufa_cli.exchange.columns import translations

    words: dict[str, str] = {}
    for status, msgid in _STATUS_WORDS.items():
        words[_status_fold(status)] = status
        for gettext in translations():
            words[_status_fold(gettext(msgid))] = status
    return words


def parse_status(text: str) -> str:
    """A status word of any language pufa speaks → its machine value (``STATUSES``)."""
    words = _status_words()
    status = words.get(_status_fold(text)) or words.get(_status_fold(_simplified(text)))
    if status is None:
        raise BadInput(
            _("'{text}' is not a status (done, in-progress, not-started, overdue, behind)").format(
                text=text
            )
        )
    return status


def clean_text(value: str, what: str, limit: int, *, multiline: bool = False) -> str:
    """Trimmed text without control characters (newlines and tabs allowed where multiline)."""
    text = unicodedata.normalize("NFC", value).strip()
    if len(text) > limit:
        raise BadInput(_("{what} is longer than {n} characters").format(what=what, n=limit))
    allowed = {"\n", "\t"} if multiline else set()
    for ch in text:
        if ch in BIDI_CONTROLS:
            # They reorder the text after them on screen: a note could show what it does not say.
            raise BadInput(
                _("{what} contains a bidirectional control character (U+{code:04X})").format(
                    what=what, code=ord(ch)
                )
            )
        if ch not in allowed and unicodedata.category(ch) in ("Cc", "Cs"):
            raise BadInput(
                _("{what} contains a control character (U+{code:04X})").format(
                    what=what, code=ord(ch)
                )
            )
    return text
