"""The schema revision this pufa writes, known without importing Alembic.

Start-up must stay fast, so opening a database reads ``alembic_version`` with one query and
compares it with these constants; Alembic itself is imported only to migrate. A test checks
that ``SCHEMA_HEAD`` is the head of ``migrations/versions`` and that ``KNOWN_REVISIONS`` lists
them all in order.
"""

from typing import Any

KNOWN_REVISIONS = (
    "0001",
    "0002",
    "0003",
    "0004",
    "0005",
    "0006",
    "0007",
    "0008",
    "0009",
    "0010",
    "0011",
    "0012",
    "0013",
    "0014",
    "0015",
)
SCHEMA_HEAD = KNOWN_REVISIONS[-1]


def refuse_rule_breaks(conn: Any) -> None:
    """Before schema 0006 enforces them (a SQLAlchemy connection inside the migration): a
    database that already has two leads for a task, one unit registered twice, or a percent
    outside 0-100 is refused with one line naming them (SchemaError), and stays as it was."""
    from sqlalchemy import text

    from pufa_cli.errors import SchemaError
    from pufa_cli.i18n import _

    problems = []
    for sql, what in (
        (
            "SELECT task_id FROM assignments WHERE role = 'lead' GROUP BY task_id "
            "HAVING COUNT(*) > 1 ORDER BY task_id",
            _("tasks with more than one lead (task ids)"),
        ),
        (
            "SELECT match_key FROM units GROUP BY match_key HAVING COUNT(*) > 1 ORDER BY match_key",
            _("units registered twice (match keys)"),
        ),
        (
            "SELECT id FROM entries WHERE percent < 0 OR percent > 100 ORDER BY id",
            _("entries with a percent outside 0-100 (entry ids)"),
        ),
    ):
        found = [str(r[0]) for r in conn.execute(text(sql)).fetchall()]
        if found:
            problems.append(f"{what}: {', '.join(found[:10])}")
    if problems:
        raise SchemaError(
            _(
                "the database cannot be upgraded to schema 0006 until these are put right: "
                "{problems}"
            ).format(problems="; ".join(problems))
        )
