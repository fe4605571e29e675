"""A notice as a Word document an office can send as is (python-docx).

A4 with the margins of an official document (公文: 37 mm top, 35 mm bottom, 28 mm left,
26 mm right), the title in 宋體 (宋体 for Simplified readers) and the body in 仿宋, both set as
the East Asian font too (Word takes Chinese glyphs from ``w:eastAsia``, not from the font
name): heading, the paragraph of counts, the section table, the unit ranking, the lagging items
named and the items due next quarter.
"""

from __future__ import annotations

import io
from typing import Any

from pufa_cli.scoring import wording

BODY_FONT = "仿宋"
TITLE_FONT = {"Hans": "宋体"}  # else 宋體


def _title_font() -> str:
    from pufa_cli.i18n import reader_script

    return TITLE_FONT.get(reader_script() or "", "宋體")


def _set_font(run_or_style: Any, name: str, size_pt: float | None = None) -> None:
    from docx.oxml.ns import qn
    from docx.shared import Pt

    font = run_or_style.font
    font.name = name
    if size_pt is not None:
        font.size = Pt(size_pt)
    element = run_or_style.element
    rpr = element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = rpr.makeelement(qn("w:rFonts"), {})
        rpr.append(fonts)
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attr), name)


def _table(doc: Any, headers: list[str], rows: list[list[Any]]) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    table = doc.add_table(rows=1, cols=len(headers))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, headers, strict=True):
        cell.text = str(text)
        for run in cell.paragraphs[0].runs:
            run.bold = True
    for row in rows:
        cells = table.add_row().cells
        for cell, value in zip(cells, row, strict=True):
            cell.text = "" if value is None else str(value)
            if isinstance(value, (int, float)):
                cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.RIGHT


def notice_docx(body: dict[str, Any], text: wording.TextFn) -> bytes:
    """The notice as the bytes of a .docx file."""
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Mm

    from pufa_cli.errors import escape_controls

    # Word's XML takes no control character: plan text holding one (an ESC from a pasted
    # terminal line) is written escaped (\x1b), as on the terminal, not refused by python-docx.
    def safe(value: str) -> str:
        return escape_controls(text(value))

    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    _set_font(doc.styles["Normal"], BODY_FONT, 12)
    title_font = _title_font()
    for name in ("Title", "Heading 1", "Heading 2"):
        _set_font(doc.styles[name], title_font)

    words = wording.titles()
    title = doc.add_heading(wording.heading(body, safe), level=0)
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    sub = doc.add_paragraph(wording.subheading(body))
    sub.alignment = WD_ALIGN_PARAGRAPH.CENTER
    doc.add_paragraph(wording.counts_paragraph(body, safe))

    doc.add_heading(words["sections"], level=1)
    _table(doc, *wording.section_table(body, safe))
    doc.add_heading(words["ranking"], level=1)
    if body["ranking"]:
        _table(doc, *wording.ranking_table(body, safe))
    else:
        doc.add_paragraph(words["none"])
    for key, lines in (
        ("lagging", wording.lagging_lines(body, safe)),
        ("due_next", wording.due_next_lines(body, safe)),
    ):
        doc.add_heading(words[key], level=1)
        for line in lines or [words["none"]]:
            doc.add_paragraph(line, style="List Bullet" if lines else None)
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()
