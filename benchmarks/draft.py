"""Time ``pufa plan draft`` on a 200-task plan document against the start-up floor.

    python benchmarks/draft.py              # 7 runs each of .txt and .docx, markdown on stdout
    python benchmarks/draft.py --runs 3

The document (10 sections of 20 tasks, each task a paragraph of about 150 characters with a
deadline word, a target, a responsibility phrase and a sub-item every fifth task) is generated
here, as text and as .docx (python-docx), in a temporary folder. Each command runs as its own
process, once to warm up and then ``--runs`` times, interleaved with the start-up floor
(``python -c "import sqlite3"``); the table shows medians of wall time, and of CPU time (user +
system), which other work on the machine disturbs less. Target: under 1 s for 200 tasks.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CN = "一二三四五六七八九十"
DUES = ["一季度", "上半年", "6月底前", "第三季度", "年底前", "11月份", "年終", ""]


def document_lines(sections: int = 10, per_section: int = 20) -> list[str]:
    lines = ["2012年全區普法依法治理工作要點", "為深入推進普法依法治理工作,制定本要點。"]
    number = 0
    for s in range(sections):
        lines.append(f"{CN[s]}、加強第{s + 1}方面的法治宣傳教育,推進依法治理")
        for _ in range(per_section):
            number += 1
            due = DUES[number % len(DUES)]
            lines.append(
                f"{number}.開展第{number}項普法宣傳活動。各部門各單位要結合實際,"
                f"組織開展“法律進社區”活動,全區要建立{number + 10}個法治宣傳陣地,"
                f"群眾知曉率達到{80 + number % 20}%以上。"
                + (f"{due}完成階段性任務,做好總結。" if due else "")
                + "(區司法局牽頭,區教育局、區民政局配合)"
            )
            if number % 5 == 0:
                lines.append(f"(1)舉辦專題講座不少於{number % 7 + 3}場。")
    return lines


def write_documents(folder: Path) -> dict[str, Path]:
    import docx

    lines = document_lines()
    txt = folder / "plan-200.txt"
    txt.write_text("\n\n".join(lines) + "\n", encoding="utf-8")
    document = docx.Document()
    for line in lines:
        document.add_paragraph(line)
    path = folder / "plan-200.docx"
    document.save(str(path))
    return {"txt": txt, "docx": path}


def timed(argv: list[str]) -> tuple[float, float]:
    """Wall time and CPU time (user + system, from wait4) of one run of ``argv``."""
    start = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _pid, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise SystemExit(f"{argv} failed with status {proc.returncode}")
    return wall, usage.ru_utime + usage.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    pufa = str(Path(sys.executable).with_name("pufa"))
    floor_argv = [sys.executable, "-c", "import sqlite3"]
    with tempfile.TemporaryDirectory() as tmp:
        docs = write_documents(Path(tmp))
        rows = []
        for kind, path in docs.items():
            out = Path(tmp) / f"{kind}.yaml"
            argv = [pufa, "plan", "draft", str(path), "--out", str(out), "--force", "-q"]
            timed(argv)  # warm-up; also checks that it works
            runs, floors = [], []
            for _ in range(args.runs):
                floors.append(timed(floor_argv))
                runs.append(timed(argv))
            median = statistics.median(w for w, _c in runs)
            cpu = statistics.median(c for _w, c in runs)
            floor = statistics.median(w for w, _c in floors)
            verdict = "met" if median < 1.0 else "NOT met"
            rows.append(
                f"| `pufa plan draft` 200 tasks, .{kind} | {median * 1000:.0f} ms | "
                f"{cpu * 1000:.0f} ms | {floor * 1000:.0f} ms | {median / floor:.1f} × | "
                f"< 1 s: {verdict} |"
            )
            print(f"{kind}: {median * 1000:.0f} ms (floor {floor * 1000:.0f} ms)", file=sys.stderr)
    print("| command | median | CPU | start-up floor | ratio | target |")
    print("|---|---:|---:|---:|---:|---|")
    for row in rows:
        print(row)
    print(f"\n{os.cpu_count()} cores, Python {sys.version.split()[0]}, {args.runs} runs each.")


if __name__ == "__main__":
    main()
