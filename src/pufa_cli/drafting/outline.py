"""The outline: blocks → title, preamble, sections, tasks and sub-items.

Chinese official documents number their levels ``一、`` → ``（一）`` → ``1.`` → ``（1）``/``①``.
A plan uses two or three of them; the first level present makes the sections, the next the
tasks, any further level the sub-items of a task. Word heading styles without a written
number (Word's automatic numbering) rank above all written levels, paragraphs of Word's
numbered lists below them. A task-table row is a task and a table row spanning the whole
table a section heading, whatever the paragraphs do.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import PurePath

from pufa_cli.drafting.model import Note
from pufa_cli.drafting.sources import Block
from pufa_cli.errors import BadInput
from pufa_cli.i18n import _

_CN = "一二三四五六七八九十"
MAX_TITLE = 500  # the plan format takes 500 characters in a plan title, 1000 in others
_MARKERS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("cn", re.compile(rf"^([{_CN}]{{1,3}})[、．]\s*")),
    ("pcn", re.compile(rf"^[(（]([{_CN}]{{1,3}})[)）][、.．]?\s*")),
    ("num", re.compile(r"^([0-9０-９]{1,3})(?:[.．](?![0-9０-９])|、)\s*")),
    ("pnum", re.compile(r"^(?:[(（]([0-9０-９]{1,3})[)）]|([①-⑳]))[、.．]?\s*")),
)
_LEVEL_ORDER = ("h1", "h2", "h3", "h4", "cn", "pcn", "num", "pnum", "l1", "l2", "l3")
_METADATA = re.compile(
    r"^(?:時間|时间|日期|發布時間|发布时间|發佈時間|來源|来源|作者|導語|导语|編輯|编辑|責任編輯|"
    r"责任编辑|字號|字号|瀏覽|浏览|點擊|点击|閱讀|阅读|關鍵詞|关键词|分享到)\s*[:：]"
)
_DOC_NUMBER = re.compile(r"[〔\[［(（]\s*[0-9０-９]{4}\s*[〕\]］)）]\s*[0-9０-９]+\s*[號号]")
_COVER = re.compile(r"^(?:關於|关于)印[發发]《(.+)》的通知$")
_SIGNATURE_DATE = re.compile(r"^(?:\d{4}|[〇○零一二三四五六七八九]{4})年.{1,3}月.{1,3}日$")
_SENTENCE_PUNCT = re.compile(r"[。，,；;：:！？!?]")


@dataclass
class Part:
    """A task's own paragraph, a continuation paragraph, or a sub-item, in document order."""

    text: str
    place: str
    item: bool = False


@dataclass
class OutlineTask:
    label_value: int | None
    label: str | None
    parts: list[Part]
    place: str
    row: dict[str, str] = field(default_factory=dict)


@dataclass
class OutlineSection:
    label_value: int | None
    label: str | None
    title: str
    place: str
    tasks: list[OutlineTask] = field(default_factory=list)
    intro: list[str] = field(default_factory=list)
    is_part: bool = False  # a first-level heading above sections (一、主要任務)
    part: list[str] = field(default_factory=list)  # the part heading and text before this one


@dataclass
class Outline:
    title: str
    title_given: bool
    preamble: list[str]
    sections: list[OutlineSection]
    left_out: list[str]  # each '(why) text'
    notes: list[Note]
    preamble_dropped: bool = False  # lines between the title and the first section left out
    doc_title: str | None = None  # the document's own title line


def cn_number(text: str) -> int | None:
    """一 → 1, 十二 → 12, 二十三 → 23, '7' or '７' → 7, ③ → 3; None for anything else."""
    if text.isdigit():
        return int(text)  # int() reads full-width digits too
    if len(text) == 1 and "①" <= text <= "⑳":
        return ord(text) - ord("①") + 1
    digits = {ch: i for i, ch in enumerate(_CN[:9], start=1)}
    if text == "十":
        return 10
    if len(text) == 1:
        return digits.get(text)
    if text.startswith("十") and len(text) == 2:
        return 10 + digits[text[1]] if text[1] in digits else None
    if len(text) in (2, 3) and text[1] == "十" and text[0] in digits:
        ones = digits.get(text[2], 0) if len(text) == 3 else 0
        if len(text) == 3 and text[2] not in digits:
            return None
        return digits[text[0]] * 10 + ones
    return None


@dataclass(frozen=True)
class _Marked:
    level: str | None
    value: int | None
    label: str | None  # the marker as written, e.g. '(三)' or '12.'
    body: str


def _classify(block: Block) -> _Marked:
    for level, pattern in _MARKERS:
        m = pattern.match(block.text)
        if m:
            token = next(g for g in m.groups() if g)
            body = block.text[m.end() :]
            if body:
                return _Marked(level, cn_number(token), m.group(0).strip(), body)
    if block.heading is not None and 1 <= block.heading <= 4:
        return _Marked(f"h{block.heading}", None, None, block.text)
    if block.list_level is not None and 1 <= block.list_level <= 3:
        return _Marked(f"l{block.list_level}", None, None, block.text)
    return _Marked(None, None, None, block.text)


def _headings_only(body: list[tuple[Block, _Marked]], level: str) -> bool:
    """Every entry of ``level`` is one short sentence: a heading, not a task's paragraph."""
    entries = [m.body for _b, m in body if m.level == level]
    return bool(entries) and all(
        len(e) <= 60 and "。" not in e.rstrip("。") and "\n" not in e for e in entries
    )


def _front_matter(text: str, title: str | None, *, first: bool) -> str | None:
    """Why a line before the first section is not preamble, or None if it is preamble."""
    if _METADATA.match(text):
        return _("page metadata")
    if text == title:
        return _("the title again")
    if len(text) <= 60 and _DOC_NUMBER.search(text):
        return _("document number")
    if first and len(text) <= 120 and text.endswith(("：", ":")):
        return _("addressees")
    return None


def _may_be_title(marked: list[_Marked]) -> bool:
    """The first block is the title unless it is numbered or a heading level used again."""
    level = marked[0].level
    if len(marked[0].body) > MAX_TITLE:
        return False  # a paragraph, not a title
    return level is None or (level.startswith("h") and all(m.level != level for m in marked[1:]))


def build_outline(blocks: list[Block], *, title: str | None, file: str) -> Outline:
    notes: list[Note] = []
    left_out: list[str] = []
    dropped = False
    marked = [_classify(b) for b in blocks]
    title_given = title is not None
    at = next((i for i, b in enumerate(blocks) if b.is_title), None)
    if at is None and blocks and not blocks[0].row and _may_be_title(marked):
        at = 0
    cover: set[int] = set()
    if at == 0 and (m := _COVER.match(blocks[0].text)):
        # 關於印發《X》的通知 … X: a cover notice, then the plan itself under its own title.
        inner = next(
            (i for i, b in enumerate(blocks) if i > 0 and b.text == m.group(1) and not b.row),
            None,
        )
        if inner is not None and all(mk.level is None for mk in marked[:inner]):
            cover, at = set(range(inner)), inner
    doc_title = blocks[at].text if at is not None else None
    if title is None:
        if doc_title is not None and at is not None:
            title = doc_title
            notes.append(Note(blocks[at].place, _("plan title taken from this line")))
        else:
            title = PurePath(file).stem
            notes.append(
                Note(
                    blocks[0].place if blocks else "",
                    _("no title line; the file name is the title (give --title)"),
                )
            )
    # The document's own title line is not preamble, also when --title replaces it.
    for i in sorted(cover):
        left_out.append(f"({_('cover notice')}) {blocks[i].text}")
        notes.append(Note(blocks[i].place, _("left out: the cover notice before the plan")))
    body = [
        (b, m)
        for i, (b, m) in enumerate(zip(blocks, marked, strict=True))
        if i != at and i not in cover
    ]
    has_rows = any(b.row or b.merged for b, _m in body)
    present = [lv for lv in _LEVEL_ORDER if any(m.level == lv for b, m in body if not b.row)]
    if has_rows:
        roles = {present[0]: "section"} if present else {}
    else:
        if not present:
            raise BadInput(
                _(
                    "{file}: no outline found: no numbered sections or tasks "
                    "(一、 (一) 1. (1)) and no heading styles"
                ).format(file=file)
            )
        names = ["section", "task"] if len(present) > 1 else ["task"]
        if len(present) > 2 and _headings_only(body, present[1]):
            # 一、主要任務 / （一）… / 1.…: the second level only groups the tasks of the third.
            names = ["part", "section", "task"]
            notes.append(
                Note(
                    file,
                    _(
                        "the second outline level holds headings only: its entries are the "
                        "sections, the third level's the tasks"
                    ),
                )
            )
        roles = {lv: names[i] if i < len(names) else "item" for i, lv in enumerate(present)}
        if len(present) == 1:
            notes.append(
                Note(
                    file,
                    _("only one outline level found; its entries are the tasks of one section"),
                )
            )

    preamble: list[str] = []
    sections: list[OutlineSection] = []
    task: OutlineTask | None = None
    section_column: str | None = None

    def new_section(label_value: int | None, label: str | None, text: str, place: str) -> None:
        nonlocal task
        # A heading's closing 。 is punctuation, not title (as a task's title drops it).
        title_text = text.removesuffix("。")
        intro = []
        if len(title_text) > MAX_TITLE:  # a paragraph, not a heading: whole in a comment
            notes.append(
                Note(
                    place,
                    _("a section heading longer than {n} characters: cut").format(n=MAX_TITLE),
                )
            )
            title_text, intro = title_text[:MAX_TITLE], [text]
        sections.append(OutlineSection(label_value, label, title_text, place, intro=intro))
        task = None

    def current_section(place: str) -> OutlineSection:
        if not sections:
            new_section(None, None, title or file, place)
            notes.append(Note(place, _("tasks before any section heading: one section made")))
        return sections[-1]

    for block, mark in body:
        role = "section" if block.merged else "task" if block.row else roles.get(mark.level or "")
        if block.row and block.row.get("section") and block.row["section"] != section_column:
            section_column = block.row["section"]
            smark = _classify(Block(section_column, block.place))
            new_section(smark.value, smark.label, smark.body, block.place)
        if role == "part":
            new_section(mark.value, mark.label, mark.body, block.place)
            sections[-1].is_part = True
        elif role == "section":
            if block.merged:
                mark = _classify(Block(block.text, block.place))
            carried: list[str] = []
            if sections and sections[-1].is_part and not sections[-1].tasks:
                part = sections.pop()  # its heading and text go with its first section
                carried = [(part.label or "") + part.title, *part.intro]
            new_section(mark.value, mark.label, mark.body, block.place)
            sections[-1].part = carried
        elif role == "task":
            section = current_section(block.place)
            if block.row:
                label_text = block.row.get("label")
                value = cn_number(label_text) if label_text else None
                task = OutlineTask(value, label_text, [], block.place, dict(block.row))
            else:
                task = OutlineTask(
                    mark.value, mark.label, [Part(mark.body, block.place)], block.place
                )
            section.tasks.append(task)
        elif task is not None and task.row:
            left_out.append(f"({_('after a table row')}) {block.text}")
            notes.append(Note(block.place, _("left out: a paragraph after a task-table row")))
        elif role == "item" and task is not None:
            task.parts.append(Part(block.text, block.place, item=True))
        elif task is not None:
            task.parts.append(Part(block.text, block.place))
        elif sections:
            sections[-1].intro.append(block.text)
            notes.append(
                Note(
                    block.place,
                    _("text under a section heading before its first task: kept as a comment"),
                )
            )
        elif kind := _front_matter(block.text, doc_title or title, first=not preamble):
            left_out.append(f"({kind}) {block.text}")
            notes.append(Note(block.place, _("left out of the preamble: {kind}").format(kind=kind)))
            dropped = True
        else:
            preamble.append(block.text)
    if not any(s.tasks for s in sections):
        raise BadInput(
            _("{file}: no tasks found under the outline (numbered 1. or (一) paragraphs)").format(
                file=file
            )
        )
    _drop_signature(sections, left_out, notes)
    return Outline(
        title or file, title_given, preamble, sections, left_out, notes, dropped, doc_title
    )


def _drop_signature(sections: list[OutlineSection], left_out: list[str], notes: list[Note]) -> None:
    """Short lines after the last task (issuing office, date) are the signature, not the task."""
    last = next((s.tasks[-1] for s in reversed(sections) if s.tasks), None)
    if last is None or last.row:
        return
    signature: list[Part] = []
    while len(last.parts) > 1:
        part = last.parts[-1]
        if part.item:
            break
        short = len(part.text) <= 30 and not _SENTENCE_PUNCT.search(part.text)
        if not (short or _SIGNATURE_DATE.match(part.text)):
            break
        signature.insert(0, last.parts.pop())
    for part in signature:
        left_out.append(f"({_('signature')}) {part.text}")
        notes.append(Note(part.place, _("left out as the signature after the last task")))
