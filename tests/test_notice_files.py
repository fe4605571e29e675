"""Notices as files (issue 17.3): the docx read back with python-docx, the html page rendered in a
real headless Chromium (Debian's package; .ci/run installs it) through the DevTools protocol on
a pipe, checking the rendered text and that each chart draws."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest

from test_notice import ledger  # noqa: F401  (the fixture)
from test_scoring import log, ok


def test_docx_reads_back_with_its_content_fonts_and_a4(ledger, pufa, tmp_path):  # noqa: F811
    from docx import Document
    from docx.oxml.ns import qn

    ok(pufa, "notice", "issue", "--quarter", "2", "--title", "2012年上半年考核通報")
    out = tmp_path / "通報.docx"
    ok(pufa, "--lang", "zh-Hant", "notice", "show", "2012-1", "-f", "docx", "--out", out)
    doc = Document(str(out))
    section = doc.sections[0]
    # Word keeps twips (1/1440 inch): A4 is 11906 × 16838 of them, 210 × 297 mm to 0.1 mm.
    assert (round(section.page_width.mm, 1), round(section.page_height.mm, 1)) == (210.0, 297.0)
    texts = [p.text for p in doc.paragraphs]
    assert texts[0] == "2012年上半年考核通報"
    assert any("2012-1" in t and "2012-06-30" in t for t in texts[:2])
    # The lagging item names its units.
    assert any(t.startswith("2 任務二") and "乙局、甲局" in t for t in texts), texts
    normal = doc.styles["Normal"].element.rPr.find(qn("w:rFonts"))
    assert normal.get(qn("w:eastAsia")) == "仿宋" and normal.get(qn("w:ascii")) == "仿宋"
    title = doc.styles["Title"].element.rPr.find(qn("w:rFonts"))
    assert title.get(qn("w:eastAsia")) == "宋體"
    sections_table, ranking = doc.tables
    # Section 1 with its 3 tasks, 1 done, 1 overdue, 1 red, 58.3 %; then the total row.
    assert [c.text for c in sections_table.rows[1].cells] == [
        "1",
        "第一部分",
        "3",
        "1",
        "1",
        "1",
        "58.3%",
    ]
    assert [c.text for c in ranking.rows[1].cells][:3] == ["1", "甲局", "70.0"]
    assert [r.cells[1].text for r in ranking.rows[1:]] == ["甲局", "乙局", "丙局"]


def test_docx_for_a_simplified_reader_uses_the_simplified_family_name(ledger, pufa, tmp_path):  # noqa: F811
    from docx import Document
    from docx.oxml.ns import qn

    ok(pufa, "notice", "issue", "--quarter", "2")
    out = tmp_path / "n.docx"
    ok(pufa, "--lang", "zh-Hans", "notice", "show", "2012-1", "-f", "docx", "--out", out)
    doc = Document(str(out))
    title = doc.styles["Title"].element.rPr.find(qn("w:rFonts"))
    assert title.get(qn("w:eastAsia")) == "宋体"
    assert doc.tables[1].rows[1].cells[1].text == "甲局"
    assert "考核测试方案" in doc.paragraphs[0].text


# --- Chromium ---------------------------------------------------------------------------


def chromium() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    raise AssertionError("headless Chromium is needed (apt-get install chromium; .ci/run does)")


def _above_9(fd: int) -> int:
    import fcntl

    high = fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, 10)
    os.close(fd)
    return high


class DevTools:
    """Chromium's DevTools protocol over --remote-debugging-pipe (fd 3 in, fd 4 out): JSON
    messages ending in NUL, no network port and no extra package."""

    def __init__(self, profile: Path) -> None:
        to_chrome_r, self._to_chrome = os.pipe()
        self._from_chrome, from_chrome_w = os.pipe()
        # The child's ends above 9, so that moving them to 3 and 4 cannot close one another.
        to_chrome_r, from_chrome_w = (_above_9(fd) for fd in (to_chrome_r, from_chrome_w))
        # Chromium reads commands on fd 3 and writes replies on fd 4: bash moves the pipe
        # ends there, then becomes Chromium.
        moves = f"3<&{to_chrome_r} 4>&{from_chrome_w} {to_chrome_r}<&- {from_chrome_w}>&-"
        self.proc = subprocess.Popen(
            [
                "bash",  # dash refuses fd numbers above 9
                "-c",
                f'exec "$0" "$@" {moves}',
                chromium(),
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--no-first-run",
                "--remote-debugging-pipe",
                f"--user-data-dir={profile}",
                "about:blank",
            ],
            pass_fds=(to_chrome_r, from_chrome_w),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        os.close(to_chrome_r)
        os.close(from_chrome_w)
        self._buffer = b""
        self._id = 0

    def call(self, method: str, session: str | None = None, **params: Any) -> dict[str, Any]:
        self._id += 1
        message: dict[str, Any] = {"id": self._id, "method": method, "params": params}
        if session:
            message["sessionId"] = session
        os.write(self._to_chrome, json.dumps(message).encode() + b"\0")
        while True:
            while b"\0" not in self._buffer:
                chunk = os.read(self._from_chrome, 65536)
                if not chunk:
                    raise AssertionError("Chromium closed the pipe")
                self._buffer += chunk
            raw, self._buffer = self._buffer.split(b"\0", 1)
            reply = json.loads(raw)
            if reply.get("id") == self._id:
                assert "error" not in reply, reply
                return dict(reply["result"])

    def evaluate(self, session: str, expression: str) -> Any:
        result = self.call("Runtime.evaluate", session, expression=expression, returnByValue=True)
        assert "exceptionDetails" not in result, result["exceptionDetails"]
        return result["result"].get("value")

    def close(self) -> None:
        try:
            self.call("Browser.close")
        except (AssertionError, OSError):
            pass
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        os.close(self._to_chrome)
        os.close(self._from_chrome)


def render(page: Path, profile: Path) -> dict[str, Any]:
    """Open ``page`` in headless Chromium and measure what it drew."""
    tools = DevTools(profile)
    try:
        target = tools.call("Target.createTarget", url=page.as_uri())["targetId"]
        session = tools.call("Target.attachToTarget", targetId=target, flatten=True)["sessionId"]
        deadline = time.monotonic() + 30
        # A new target starts on about:blank, itself "complete": wait for the page's own URL.
        loaded = f"location.href === {json.dumps(page.as_uri())} && document.readyState"
        while tools.evaluate(session, loaded) != "complete":
            assert time.monotonic() < deadline, "the page did not load"
            time.sleep(0.1)
        measure = """JSON.stringify({
          text: document.body.innerText,
          resources: performance.getEntriesByType('resource').length,
          scripts: document.scripts.length,
          charts: Object.fromEntries(['chart-sections', 'chart-ranking', 'chart-trend'].map(id => {
            const svg = document.getElementById(id);
            const box = svg.getBoundingClientRect();
            const bars = [...svg.querySelectorAll('rect.bar')].map(r => r.getBBox().width);
            const dots = [...svg.querySelectorAll('circle.dot')].map(c => {
              c.scrollIntoView({block: 'center'});  // elementFromPoint sees the viewport only
              const b = c.getBoundingClientRect();
              const hit = document.elementFromPoint(b.x + b.width / 2, b.y + b.height / 2);
              return hit === c;
            });
            const line = svg.querySelector('polyline.line');
            return [id, {width: box.width, height: box.height, bars, dots,
                         line: line ? line.getTotalLength() : 0}];
          }))
        })"""
        return dict(json.loads(tools.evaluate(session, measure)))
    finally:
        tools.close()


def test_html_is_self_contained_and_draws_its_charts_in_chromium(ledger, pufa, tmp_path):  # noqa: F811
    ok(pufa, "notice", "issue", "--quarter", "2", "--title", "2012年上半年考核通報")
    # Task 3 reported again, so the second notice's overall percent moves: as of 09-30,
    # task 2 (50 + 0)/2 = 25, task 3 at 80: (100 + 25 + 80)/3 = 68.3.
    log(pufa, 3, "丙局", 80, "2012-08-01")
    ok(pufa, "notice", "issue", "--quarter", "3")
    page = tmp_path / "通報.html"
    ok(pufa, "notice", "show", "2012-2", "-f", "html", "--out", page)
    html = page.read_text(encoding="utf-8")
    assert "<script" not in html and "http://" not in html.replace(
        'xmlns="http://www.w3.org/2000/svg"', ""
    )
    assert "https://" not in html and "src=" not in html

    seen = render(page, tmp_path / "profile")
    assert seen["resources"] == 0 and seen["scripts"] == 0
    text = seen["text"]
    assert "As of 2012-09-30, 1 of the 3 tasks of 考核測試方案 are done (overall 68.3%)." in text
    assert "2 任務二 — due 2012-03-31, 25.0%, overdue: 乙局、甲局" in text
    charts = seen["charts"]
    # One section at 68.3 % of a 360-pixel bar: 245.9 pixels wide.
    assert charts["chart-sections"]["bars"] == [pytest.approx(0.683 * 360, abs=0.1)]
    # Ranking as of 09-30 by score: 甲 70.0 (task 2 still overdue), 乙 60.0, 丙 8 of 10 = 80.0;
    # bars against 100 points: 丙 288, 甲 252, 乙 216 pixels.
    assert charts["chart-ranking"]["bars"] == [
        pytest.approx(288, abs=0.1),
        pytest.approx(252, abs=0.1),
        pytest.approx(216, abs=0.1),
    ]
    # Two notices: two dots the browser hits where they are drawn, and a line between them.
    assert charts["chart-trend"]["dots"] == [True, True]
    assert charts["chart-trend"]["line"] > 0
    for chart in charts.values():
        assert chart["width"] > 0 and chart["height"] > 0
