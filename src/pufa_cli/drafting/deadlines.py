"""Deadline words in a task's paragraph → ``due``, ``checks`` and the verbatim ``timing``.

Candidates are found with one pattern of the shapes timing.py knows (一季度, 上半年, 12月份,
6月底前, 年終, 2011-06-30 …); each is then resolved by ``timing.parse_period`` itself, so the
drafter never accepts a word the plan loader would refuse. A day written ``6月15日`` (with
or without 前, 年 first) is written as the ISO date the plan format reads (``2011-06-15``).

Rules, in order:

* no deadline word → ``年底`` (the plan format's own default), with a comment saying so;
* a word followed in its sentence by 在此基礎上 / 隨後 / 然後 / 之後 marks a first stage: it
  becomes a checkpoint and the task is due at year end;
* 每年兩次 / 一年兩次 / 每半年 add a 上半年 checkpoint (and 下半年 when nothing later is named);
* otherwise the task is due at its latest word; with several, the others are checkpoints;
* ``timing`` is the source's own phrase: from the first word to the end of the sentence of
  the last one (a first stage ends at its stage word), without the closing 。.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from pufa_cli.errors import BadInput
from pufa_cli.i18n import _
from pufa_cli.timing import parse_period

_D = "0-9０-９"
_WORD = re.compile(
    rf"(?<![{_D}.．])(?:"
    rf"(?P<ymd>(?:(?P<y>[{_D}]{{4}})年)?(?P<m>[{_D}]{{1,2}})月(?P<d>[{_D}]{{1,2}})[日号號](?:之?前)?)"
    rf"|[{_D}]{{4}}-[{_D}]{{1,2}}(?:-[{_D}]{{1,2}})?"
    rf"|第?[一二三四1-4１-４]季度(?:末|底)?前?"
    r"|[上下]半年"
    rf"|(?:1[0-2]|１[０-２]|[1-9]|[１-９]|十[一二]?|[一二兩两三四五六七八九])月份?(?:底|末)?前?"
    r"|年底前?|年[終终末]前?|全年|(?P<within>年[內内])"
    r")"
)
_YEAR_BEFORE = re.compile(rf"([{_D}]{{4}})年?$")
_NUMERAL_BEFORE = re.compile(rf"[{_D}一二兩两三四五六七八九十]$")
_TWICE = re.compile(r"(?:每年|一年|全年)(?:兩|两|2|２)次|每半年")
_STAGE = re.compile(r"[,，;；]\s*(?:在此基礎上|在此基础上|此後|此后|隨後|随后|然後|然后|之後|之后)")
_SENTENCE_END = re.compile(r"[。！？!?\n]")
# Format version 2 words (issue 14), noted as comments in version 1: a reporting cadence, and
# work the plan means to go on all year.
_CADENCE = re.compile(rf"每(?:月|季度|半年)(?:[{_D}]{{1,2}}[日号號]前?|末|底)?")
_ONGOING = re.compile(r"常態化|常态化|長期|长期|持續|持续|全年持續|全年持续")


@dataclass(frozen=True)
class _Hit:
    start: int
    end: int
    word: str  # as the plan file will have it
    source: str  # as the document has it
    date: date
    stage: bool


@dataclass
class Deadline:
    due: str = "年底"
    found: bool = False
    checks: list[str] = field(default_factory=list)
    timing: str | None = None
    comment: str | None = None
    words: list[str] = field(default_factory=list)  # the words found, as written
    cadence: str | None = None  # 每月 / 每季度末 …: a cadence in format version 2
    ongoing: str | None = None  # 常態化 / 長期 …, when no deadline word: 持續 in version 2


def _hits(text: str, year: int) -> list[_Hit]:
    hits: list[_Hit] = []
    for m in _WORD.finditer(text):
        source = m.group(0)
        if m.group("within") and _NUMERAL_BEFORE.search(text[: m.start()]):
            continue  # 三年內 is a span of years, not this year
        written_year = _YEAR_BEFORE.search(text, 0, m.start())
        if written_year and int(written_year.group(1)) != year and not m.group("ymd"):
            continue  # 2012年6月 in a 2011 plan: not this plan's deadline
        word = source
        if m.group("ymd"):
            y = int(m.group("y")) if m.group("y") else year
            word = f"{y:04d}-{int(m.group('m')):02d}-{int(m.group('d')):02d}"
        try:
            end = parse_period(word, year).end
        except BadInput:
            continue  # not a word of this plan year (another year, 13月): not a deadline
        sentence_end = _sentence_end(text, m.end())
        stage = _STAGE.search(text, m.end(), sentence_end) is not None
        hits.append(_Hit(m.start(), m.end(), word, source, end, stage))
    return hits


def _sentence_end(text: str, pos: int) -> int:
    m = _SENTENCE_END.search(text, pos)
    return m.start() if m else len(text)


def find_deadline(text: str, year: int) -> Deadline:
    """The deadline of a task whose paragraph is ``text`` in plan year ``year``."""
    hits = _hits(text, year)
    twice = _TWICE.search(text)
    cadence = _CADENCE.search(text)
    if not hits and not twice:
        ongoing = _ONGOING.search(text)
        return Deadline(
            comment=_("no deadline word in the source: due at year end"),
            cadence=cadence.group(0) if cadence else None,
            ongoing=ongoing.group(0) if ongoing else None,
        )
    checks: dict[date, str] = {}
    due_hits = [h for h in hits if not h.stage]
    for h in hits:
        checks.setdefault(h.date, h.word)
    comment: str | None = None
    if due_hits:
        last = max(due_hits, key=lambda h: h.date)
        due, due_date = last.word, last.date
    elif hits:
        due, due_date = "年底", date(year, 12, 31)
        checks.setdefault(due_date, due)
        comment = _("'{word}' starts a first stage: a checkpoint; due at year end").format(
            word=hits[0].source
        )
    else:
        due, due_date = "下半年", date(year, 12, 31)
    if twice:
        checks.setdefault(date(year, 6, 30), "上半年")
        checks.setdefault(due_date, due)
        comment = _("'{phrase}' read as checkpoints: {checks}").format(
            phrase=twice.group(0), checks=", ".join(checks[d] for d in sorted(checks))
        )
    later = [d for d in checks if d > due_date]
    for d in later:  # a stage word after the due word: due at the end of the work
        due, due_date = checks[d], d
    ordered = [checks[d] for d in sorted(checks)]
    if len(ordered) > 1 and comment is None:
        comment = _("several deadline words: due at the latest, the others are checkpoints")
    if any(h.word != h.source for h in hits) and comment is None:
        comment = _("the source's day written as a date")
    return Deadline(
        due=due,
        found=True,
        checks=ordered if len(ordered) > 1 else [],
        timing=_timing(text, hits, twice),
        comment=comment,
        words=[h.source for h in hits] + ([twice.group(0)] if twice else []),
        cadence=cadence.group(0) if cadence else None,
    )


def _timing(text: str, hits: list[_Hit], twice: re.Match[str] | None) -> str:
    starts = [h.start for h in hits] + ([twice.start()] if twice else [])
    ends = [h.end for h in hits] + ([twice.end()] if twice else [])
    begin, last = min(starts), max(ends)
    end = _sentence_end(text, last)
    stage = _STAGE.search(text, last, end)
    if stage:
        end = stage.start()
    return text[begin:end]
