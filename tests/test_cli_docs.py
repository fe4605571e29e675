"""docs/cli.md is the commands' own --help (scripts/cli_docs.py writes it): never stale."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_the_command_reference_is_the_help_of_today() -> None:
    r = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "cli_docs.py"), "--check"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert r.returncode == 0, r.stdout + r.stderr + " (run: python scripts/cli_docs.py)"
    text = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    # every command and subcommand has its page
    for title in ("## pufa log", "## pufa unit merge", "## pufa db upgrade", "## pufa plan check"):
        assert f"\n{title}\n" in text, title
