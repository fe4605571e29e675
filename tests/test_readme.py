"""The README's everyday block runs as written, line by line, on a fresh database.

The block is read from README.md itself (not a copy), so a line added there is tested here.
Each line runs in bash (``;``, ``$(date +%F)`` as a user's shell has them) with the installed
``pufa`` first on PATH, in a scratch folder holding a copy of the repository's ``plans/``.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

from conftest import pufa_executable

ROOT = Path(__file__).resolve().parents[1]


def everyday_block() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## Everyday use", 1)[1]
    block = re.search(r"```sh\n(.*?)```", section, re.S)
    assert block, "README.md: no ```sh block under 'Everyday use'"
    return [line for line in block.group(1).splitlines() if line.strip()]


def test_the_everyday_block_runs_as_written(tmp_path: Path) -> None:
    lines = everyday_block()
    assert len(lines) >= 15 and lines[0].startswith("pufa init")
    shutil.copytree(ROOT / "plans", tmp_path / "plans")  # the block writes plans/2022.yaml
    env = dict(os.environ)
    for var in ("PUFA_DB", "PUFA_YEAR", "PUFA_TODAY", "PUFA_LANG", "PUFA_BY"):
        env.pop(var, None)
    env.update(
        PATH=f"{Path(pufa_executable()).parent}{os.pathsep}{env.get('PATH', '')}",
        HOME=str(tmp_path / "home"),
        XDG_DATA_HOME=str(tmp_path / "home" / "data"),  # the default database: a fresh one
        LANG="C.UTF-8",
    )
    for line in lines:
        proc = subprocess.run(
            ["bash", "-euo", "pipefail", "-c", line],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert proc.returncode == 0, (line, proc.stdout[-2000:], proc.stderr[-2000:])
        assert "Error" not in proc.stderr, (line, proc.stderr)
    # The block did what it says: the workbook and the backup are there.
    assert (tmp_path / "台賬.xlsx").stat().st_size > 0
    assert list(tmp_path.glob("pufa-*.db"))
