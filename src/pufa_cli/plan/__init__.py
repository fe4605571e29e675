"""Plan files: YAML → validated, frozen plan objects. Pure: never touches the database.

The whole file is checked before anything is written. Each problem is reported on one line
naming the file, the line and the place in the document, e.g.
``plans/2012.yaml:41: sections[1].tasks[3].due: unknown period '明年'`` (indexes count from 0).
The format is documented in docs/plan-format.md.

``yamlfile`` reads the YAML (line numbers, alias budget, duplicate keys), ``checker`` gives
the typed readers and the one-line errors, ``validate`` builds the plan, ``model`` holds it.
"""

from __future__ import annotations

from pufa_cli.plan.model import (
    LEAD_ROLES,
    ROLE_COLEAD,
    ROLE_LEAD,
    ROLE_SUPPORT,
    Check,
    Plan,
    Section,
    Target,
    Task,
)
from pufa_cli.plan.validate import build_plan, load_plan_file
from pufa_cli.plan.yamlfile import MAX_PLAN_BYTES

__all__ = [
    "LEAD_ROLES",
    "MAX_PLAN_BYTES",
    "ROLE_COLEAD",
    "ROLE_LEAD",
    "ROLE_SUPPORT",
    "Check",
    "Plan",
    "Section",
    "Target",
    "Task",
    "build_plan",
    "load_plan_file",
]
