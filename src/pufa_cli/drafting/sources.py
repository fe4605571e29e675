"""Reading the document: text or Markdown (UTF-8, UTF-16 with a BOM, GB18030/GBK) and .docx.

Everything comes out as a list of ``Block`` — one paragraph, or one row of a task table —
with the text exactly as the document has it and a place (``line 12``, ``paragraph 7``,
``table 1 row 3``) for messages. Nothing is trimmed inside a paragraph; only the white space
around it and Markdown's heading marks (``## ``) go.
"""

from __future__ import annotations

import re
import unicodedata
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pufa_cli.errors import BadInput
from pufa_cli.i18n import _

MAX_SOURCE_BYTES = 5 * 1024 * 1024  # 5 MB: a plan document is tens of kilobytes
TEXT_SUFFIXES = (".txt", ".md", ".markdown", ".text", "")

# Table columns by role; header cells are matched without spaces, in either script.
COLUMN_ROLES: dict[str, tuple[str, ...]] = {
    "label": ("序號", "序号", "編號", "编号"),
    "section": ("板塊", "板块", "類別", "类别", "領域", "领域", "工作板塊", "工作板块"),
    "title": (
        "工作任務", "工作任务", "任務", "任务", "重點任務", "重点任务", "主要任務", "主要任务",
        "任務名稱", "任务名称", "工作事項", "工作事项", "工作項目", "工作项目",
    ),
    "text": (
        "具體要求", "具体要求", "工作要求", "目標要求", "目标要求", "任務內容", "任务内容",
        "工作內容", "工作内容", "具體內容", "具体内容", "工作措施", "主要內容", "主要内容",
    ),
    "responsible": ("責任單位", "责任单位", "責任部門", "责任部门", "責任主體", "责任主体"),
    "lead": ("牽頭單位", "牵头单位", "牽頭部門", "牵头部门"),
    "support": ("配合單位", "配合单位", "協辦單位", "协办单位", "參與單位", "参与单位"),
    "due": (
        "完成時限", "完成时限", "時限", "时限", "完成時間", "完成时间", "時間節點", "时间节点",
        "時間要求", "时间要求",
    ),
}  # fmt: skip
_ROLE_OF = {name: role for role, names in COLUMN_ROLES.items() for name in names}
_HEADING_STYLE = re.compile(r"^(?:heading|標題|标题)\s*(\d)$", re.IGNORECASE)
_TITLE_STYLES = frozenset({"title", "標題", "标题"})
_MD_BOLD_LINE = re.compile(r"(\*\*|__)(.+?)\1")
_MD_HEADING = re.compile(r"^(#{1,6})[ \t]+(.*?)(?:[ \t]+#+)?[ \t]*$")


@dataclass(frozen=True)
class Block:
    """One paragraph or table row of the document."""

    text: str
    place: str
    heading: int | None = None  # heading level from a Word style or Markdown '#'
    is_title: bool = False  # Word's Title style
    list_level: int | None = None  # Word's automatic list numbering (1 = top level)
    row: dict[str, str] = field(default_factory=dict)  # a task-table row: role → cell text
    merged: bool = False  # a table row of one cell spanning the table (a section heading)


def read_blocks(path: Path) -> list[Block]:
    """The blocks of the document at ``path``; BadInput (exit 2) for anything unreadable."""
    raw = _read_bytes(path)
    name = str(path)
    if not raw.strip():
        raise BadInput(_("{file}: the document is empty").format(file=name))
    suffix = path.suffix.lower()
    if raw[:4] == b"PK\x03\x04":
        if suffix not in (".docx", ".docm", ".dotx"):
            raise BadInput(
                _("{file}: a zip archive, not a .docx document or text").format(file=name)
            )
        return _docx_blocks(path)
    if suffix == ".docx":
        raise BadInput(_("{file}: not a valid .docx document").format(file=name))
    if suffix == ".doc" or raw[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise BadInput(
            _("{file}: an old Word .doc file; save it as .docx and draft from that").format(
                file=name
            )
        )
    text = decode_text(raw, name)
    blocks = _text_blocks(text, markdown=suffix in (".md", ".markdown"))
    if not blocks:
        raise BadInput(_("{file}: the document is empty").format(file=name))
    return blocks


def _read_bytes(path: Path) -> bytes:
    from pufa_cli.files import read_limited

    return read_limited(
        path,
        MAX_SOURCE_BYTES,
        BadInput,
        too_large=_("{file}: larger than 5 MB; not a plan document").format(file=path),
        folder=_("{file}: is a folder, not a document").format(file=path),
    )


def decode_text(raw: bytes, name: str) -> str:
    """UTF-8 (BOM or not), UTF-16 with a BOM, else GB18030 (a superset of GBK and GB2312)."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            text = raw.decode("utf-16")
        except UnicodeDecodeError:
            raise BadInput(_("{file}: not readable text").format(file=name)) from None
    else:
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            try:
                text = raw.decode("gb18030")
            except UnicodeDecodeError:
                raise BadInput(
                    _("{file}: not text (neither UTF-8 nor GB18030) and not a .docx").format(
                        file=name
                    )
                ) from None
    if not _looks_like_text(text):
        raise BadInput(_("{file}: binary data, not a text document").format(file=name))
    return text


def _looks_like_text(text: str) -> bool:
    """No NUL, and at most 1% control characters: binary data that happens to decode fails."""
    if "\x00" in text:
        return False
    sample = text[:20000]
    control = sum(
        1
        for ch in sample
        if unicodedata.category(ch) in ("Cc", "Co", "Cn") and ch not in "\t\n\r\f\v\x85"
    )
    return control <= len(sample) // 100


def _text_blocks(text: str, *, markdown: bool) -> list[Block]:
    blocks: list[Block] = []
    # Lines end at \n (\r\n, \r) only: str.splitlines would also split at U+2028, U+0085 and
    # other characters that belong to the text.
    for n, line in enumerate(text.replace("\r\n", "\n").replace("\r", "\n").split("\n"), start=1):
        stripped = line.strip()
        if not stripped:
            continue
        heading = None
        if markdown:
            m = _MD_HEADING.match(stripped)
            if m:
                heading, stripped = len(m.group(1)), m.group(2).strip()
                if not stripped:
                    continue
            bold = _MD_BOLD_LINE.fullmatch(stripped)
            if bold:  # **一、…**: the emphasis is markup, not text
                stripped = bold.group(2).strip()
        blocks.append(Block(stripped, _("line {n}").format(n=n), heading=heading))
    return blocks


def _docx_blocks(path: Path) -> list[Block]:
    try:
        import docx
        from docx.table import Table
    except ImportError:  # pragma: no cover - a dependency of pufa
        raise BadInput(_("reading .docx needs python-docx (pip install python-docx)")) from None
    try:
        document = docx.Document(str(path))
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise BadInput(
            _("{file}: not a valid .docx document ({reason})").format(file=path, reason=exc)
        ) from None
    except Exception as exc:  # lxml and python-docx raise their own types for broken parts
        raise BadInput(
            _("{file}: not a valid .docx document ({reason})").format(
                file=path, reason=type(exc).__name__
            )
        ) from None
    blocks: list[Block] = []
    paragraphs = tables = 0
    styles = _ParagraphStyles(document)
    for item in document.iter_inner_content():
        if isinstance(item, Table):
            tables += 1
            blocks.extend(_table_blocks(item, tables))
            continue
        paragraphs += 1
        text = paragraph_text(item._p).strip()
        if not text:
            continue
        style, style_list_level = styles.of(item)
        m = _HEADING_STYLE.match(style)
        blocks.append(
            Block(
                text,
                _("paragraph {n}").format(n=paragraphs),
                heading=int(m.group(1)) if m else None,
                is_title=style.lower() in _TITLE_STYLES,
                list_level=None if m else _list_level(item._p.pPr, style_list_level),
            )
        )
    return blocks


class _ParagraphStyles:
    """Each paragraph style's name and list level, read once: python-docx's ``paragraph.style``
    searches the whole style sheet on every call (4 ms a paragraph, measured)."""

    def __init__(self, document: Any) -> None:
        self.by_id: dict[str, tuple[str, int | None]] = {}
        self.default: tuple[str, int | None] = ("", None)
        try:
            sheet = document.styles.element.style_lst
        except AttributeError:
            return
        for st in sheet:
            if st.get(_W_TYPE) not in (None, "paragraph"):
                continue
            entry = (str(st.name_val or "").strip(), _list_level(st.pPr, None))
            if st.styleId:
                self.by_id[st.styleId] = entry
            if st.get(_W_DEFAULT) in ("1", "true", "on"):
                self.default = entry

    def of(self, paragraph: Any) -> tuple[str, int | None]:
        style_id = paragraph._p.style
        return self.by_id.get(style_id, self.default) if style_id else self.default


_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_W_TYPE, _W_DEFAULT = _W + "type", _W + "default"


def _list_level(pPr: Any, inherited: int | None) -> int | None:
    """1 + the list level of a paragraph Word numbers itself (its own numPr, else its style's,
    ``inherited``); numId 0 switches numbering off."""
    num_pr = getattr(pPr, "numPr", None) if pPr is not None else None
    if num_pr is None or num_pr.numId is None:
        return inherited
    if num_pr.numId.val == 0:
        return None
    return (num_pr.ilvl.val if num_pr.ilvl is not None else 0) + 1


# Every run of the paragraph, also inside tracked insertions (w:ins), content controls
# (w:sdt), fields and smart tags, which python-docx's ``Paragraph.text`` leaves out; not the
# runs of tracked deletions, nor those of text boxes anchored in the paragraph.
_RUN_TEXT = (
    ".//w:r[not(ancestor::w:del) and not(ancestor::w:txbxContent)]"
    "/*[self::w:t or self::w:tab or self::w:br or self::w:cr or self::w:noBreakHyphen]"
)


def paragraph_text(p: Any) -> str:
    """The text of a ``w:p`` element as Word shows it: tabs as \t, line breaks as \n."""
    out = []
    for node in p.xpath(_RUN_TEXT):  # python-docx's elements know the w: prefix
        tag = node.tag.rsplit("}", 1)[-1]
        if tag == "t":
            out.append(node.text or "")
        elif tag == "tab":
            out.append("\t")
        elif tag == "noBreakHyphen":
            out.append("-")
        elif tag == "cr" or node.get(_W + "type") in (None, "textWrapping"):
            out.append("\n")  # a page or column break is layout, not text
    return "".join(out)


def cell_text(cell: Any) -> str:
    return "\n".join(paragraph_text(p) for p in cell._tc.iterchildren(_W + "p"))


def _cell_texts(row: Any) -> list[Any]:
    # python-docx repeats a merged cell once per grid column it spans; keep each cell once.
    seen: list[Any] = []
    for cell in row.cells:
        if not any(cell._tc is s._tc for s in seen):
            seen.append(cell)
    return seen


def column_role(header: str) -> str | None:
    key = "".join(unicodedata.normalize("NFKC", header).split())
    return _ROLE_OF.get(key)


def _table_blocks(table: Any, number: int) -> list[Block]:
    rows = list(table.rows)
    if not rows:
        return []
    header = [column_role(cell_text(c)) for c in _cell_texts(rows[0])]
    if "title" not in header and "text" not in header:
        # Not a task table: its cells read as paragraphs, row by row.
        out = []
        for r, row in enumerate(rows, start=1):
            for cell in _cell_texts(row):
                text = cell_text(cell).strip()
                if text:
                    place = _("table {t} row {r}").format(t=number, r=r)
                    out.append(Block(text, place))
        return out
    out = []
    for r, row in enumerate(rows[1:], start=2):
        cells = _cell_texts(row)
        place = _("table {t} row {r}").format(t=number, r=r)
        texts = [cell_text(c).strip() for c in cells]
        if not any(texts):
            continue
        filled = [t for t in texts if t]
        if len(cells) == 1 or (len(cells) < len(header) and len(filled) <= 2):
            # One cell across the table (or a number cell and one across the rest): a section.
            out.append(Block(filled[-1], place, merged=True))
            continue
        pairs = zip(header, texts, strict=False)
        fields = {role: text for role, text in pairs if role is not None and text}
        if fields.get("title") or fields.get("text"):
            out.append(Block(fields.get("text") or fields["title"], place, row=fields))
        elif fields.get("section"):
            out.append(Block(fields["section"], place, merged=True))
    return out
