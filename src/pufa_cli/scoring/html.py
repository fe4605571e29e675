"""A notice as one self-contained HTML page: no scripts, no fonts or images from elsewhere, the
charts drawn as inline SVG (completion by section, the unit ranking, the trend of the notices
issued so far). Every text is escaped; the page states its language for the browser's font
choice (``zh-Hant`` / ``zh-Hans`` / ``en``)."""

from __future__ import annotations

from html import escape
from typing import Any

from pufa_cli.scoring import wording

_CSS = """
body{font-family:"Songti TC","Songti SC","Noto Serif CJK TC","Noto Serif CJK SC",serif;
max-width:52em;margin:2em auto;padding:0 1em;color:#222;line-height:1.6}
h1{text-align:center;font-size:1.6em}.sub{text-align:center;color:#555}
table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #999;padding:.2em .6em}
td.n{text-align:right}svg{display:block;margin:1em 0}svg text{font-size:12px}
"""

BAR_WIDTH = 360  # pixels for 100 %
ROW = 22


def _table(headers: list[str], rows: list[list[Any]]) -> str:
    head = "".join(f"<th>{escape(str(h))}</th>" for h in headers)
    body = "".join(
        "<tr>"
        + "".join(
            f'<td class="n">{escape(str(v))}</td>'
            if isinstance(v, (int, float))
            else f"<td>{escape('' if v is None else str(v))}</td>"
            for v in row
        )
        + "</tr>"
        for row in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def bar_chart(chart_id: str, label: str, bars: list[tuple[str, float, str]], top: float) -> str:
    """Horizontal bars: (name, value, shown text); ``top`` is the value of a full bar."""
    left = 190
    height = ROW * len(bars) + 10
    parts = [
        f'<svg id="{chart_id}" role="img" aria-label="{escape(label)}" '
        f'width="{left + BAR_WIDTH + 70}" height="{height}" '
        f'viewBox="0 0 {left + BAR_WIDTH + 70} {height}" xmlns="http://www.w3.org/2000/svg">'
    ]
    for i, (name, value, shown) in enumerate(bars):
        y = 5 + i * ROW
        width = 0.0 if top <= 0 else max(0.0, min(1.0, value / top)) * BAR_WIDTH
        parts.append(
            f'<text x="{left - 6}" y="{y + 14}" text-anchor="end">{escape(name[:14])}</text>'
            f'<rect class="bar" x="{left}" y="{y + 2}" width="{width:.1f}" height="{ROW - 6}" '
            f'fill="#3a6ea5"><title>{escape(name)}: {escape(shown)}</title></rect>'
            f'<text x="{left + width + 4:.1f}" y="{y + 14}">{escape(shown)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def trend_chart(chart_id: str, label: str, points: list[dict[str, Any]]) -> str:
    """Overall completion in each notice issued so far, as a line with a dot per notice."""
    width, height, pad = 520, 200, 36
    span = max(len(points) - 1, 1)
    coords = []
    for i, p in enumerate(points):
        x = pad + (width - 2 * pad) * (i / span if len(points) > 1 else 0.5)
        y = height - pad - (height - 2 * pad) * float(p["percent"] or 0) / 100
        coords.append((x, y, p))
    parts = [
        f'<svg id="{chart_id}" role="img" aria-label="{escape(label)}" width="{width}" '
        f'height="{height}" viewBox="0 0 {width} {height}" xmlns="http://www.w3.org/2000/svg">',
        f'<line x1="{pad}" y1="{height - pad}" x2="{width - pad}" y2="{height - pad}" '
        'stroke="#999"/>',
        f'<line x1="{pad}" y1="{pad}" x2="{pad}" y2="{height - pad}" stroke="#999"/>',
        f'<text x="{pad - 4}" y="{pad + 4}" text-anchor="end">100%</text>',
        f'<text x="{pad - 4}" y="{height - pad + 4}" text-anchor="end">0</text>',
    ]
    if len(coords) > 1:
        path = " ".join(f"{x:.1f},{y:.1f}" for x, y, _p in coords)
        parts.append(
            f'<polyline class="line" points="{path}" fill="none" stroke="#3a6ea5" '
            'stroke-width="2"/>'
        )
    for x, y, p in coords:
        shown = "-" if p["percent"] is None else f"{float(p['percent']):.1f}%"
        parts.append(
            f'<circle class="dot" cx="{x:.1f}" cy="{y:.1f}" r="4" fill="#3a6ea5">'
            f"<title>{escape(p['number'])}: {shown}</title></circle>"
            f'<text x="{x:.1f}" y="{height - pad + 16}" text-anchor="middle">'
            f"{escape(p['as_of'])}</text>"
            f'<text x="{x:.1f}" y="{y - 8:.1f}" text-anchor="middle">{shown}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def notice_html(body: dict[str, Any], trend: list[dict[str, Any]], text: wording.TextFn) -> str:
    from pufa_cli.i18n import reader_script

    lang = {"Hant": "zh-Hant", "Hans": "zh-Hans"}.get(reader_script() or "", "en")
    words = wording.titles()
    sections = [
        (f"{s['section']} {text(s['title'])}", float(s["percent"] or 0), _pct(s["percent"]))
        for s in body["sections"]
    ]
    if body["scored"]:
        top = max([100.0, *(float(r["score"]) for r in body["ranking"])])
        ranking = [
            (text(r["unit"]), float(r["score"]), f"{float(r['score']):.1f}")
            for r in body["ranking"]
        ]
    else:
        top = 100.0
        ranking = [
            (text(r["unit"]), float(r["percent"] or 0), _pct(r["percent"])) for r in body["ranking"]
        ]
    out = [
        "<!DOCTYPE html>",
        f'<html lang="{lang}"><head><meta charset="utf-8">',
        f"<title>{escape(wording.heading(body, text))}</title>",
        f"<style>{_CSS}</style></head><body>",
        f"<h1>{escape(wording.heading(body, text))}</h1>",
        f'<p class="sub">{escape(wording.subheading(body))}</p>',
        f'<p id="counts">{escape(wording.counts_paragraph(body, text))}</p>',
        f"<h2>{escape(words['sections'])}</h2>",
        bar_chart("chart-sections", words["sections"], sections, 100.0),
        _table(*wording.section_table(body, text)),
        f"<h2>{escape(words['ranking'])}</h2>",
    ]
    if body["ranking"]:
        out += [
            bar_chart("chart-ranking", words["ranking"], ranking, top),
            _table(*wording.ranking_table(body, text)),
        ]
    else:
        out.append(f"<p>{escape(words['none'])}</p>")
    for key, lines in (
        ("lagging", wording.lagging_lines(body, text)),
        ("due_next", wording.due_next_lines(body, text)),
    ):
        out.append(f"<h2>{escape(words[key])}</h2>")
        if lines:
            out.append("<ul>" + "".join(f"<li>{escape(line)}</li>" for line in lines) + "</ul>")
        else:
            out.append(f"<p>{escape(words['none'])}</p>")
    out += [
        f"<h2>{escape(words['trend'])}</h2>",
        trend_chart("chart-trend", words["trend"], trend),
        "</body></html>",
    ]
    return "\n".join(out) + "\n"


def _pct(value: Any) -> str:
    return "-" if value is None else f"{float(value):.1f}%"
