"""PostgreSQL: each office in its own rows, enforced by the server (row-level security).

``pufa db grant OFFICE --role ROLE`` makes ROLE a login role (its password, if any, is set by
the server's administrator as usual), gives it the privileges pufa's commands need, and
records its office in ``office_grants``. The policies, the same for every role, let a role
read the rows of its office and of the offices below it, and insert, update or delete only
its own office's. They are enforced by the server, not by pufa: a district clerk connecting
with ``psql`` sees nothing of a neighbour's rows. The database owner and superusers bypass
them (they run migrations and grants). ``pufa db revoke --role ROLE`` takes it all back (the
role itself stays: drop it with ``DROP ROLE`` when nobody uses it any more).

Two SECURITY DEFINER functions read ``office_grants`` and the tree; every other table's policy
follows its parent's through a sub-select that row-level security itself filters.
"""

from __future__ import annotations

import re

from pufa_cli.errors import BadInput, NotFound
from pufa_cli.i18n import _
from pufa_cli.offices.tree import OfficeRef, resolve_office
from pufa_cli.store import Connection

ROLE_RE = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")

# Tables a granted role reads and writes under the policies, and what makes a row its office's.
_OWN = "office_id = pufa_my_office(current_user)"
_READ_OFFICE = "office_id IN (SELECT pufa_read_offices(current_user))"
_MY_PLANS = "SELECT id FROM plans WHERE office_id = pufa_my_office(current_user)"
_MY_TASKS = f"SELECT id FROM tasks WHERE plan_id IN ({_MY_PLANS})"
_MY_ENTRIES = f"SELECT id FROM entries WHERE task_id IN ({_MY_TASKS})"
POLICIES: dict[str, tuple[str, str]] = {
    # table: (readable rows, writable rows)
    "plans": (_READ_OFFICE, _OWN),
    "units": (_READ_OFFICE, _OWN),
    "sections": ("plan_id IN (SELECT id FROM plans)", f"plan_id IN ({_MY_PLANS})"),
    "tasks": ("plan_id IN (SELECT id FROM plans)", f"plan_id IN ({_MY_PLANS})"),
    "targets": ("task_id IN (SELECT id FROM tasks)", f"task_id IN ({_MY_TASKS})"),
    "assignments": (
        "task_id IN (SELECT id FROM tasks)",
        f"task_id IN ({_MY_TASKS}) AND unit_id IN (SELECT id FROM units WHERE {_OWN})",
    ),
    "entries": (
        "task_id IN (SELECT id FROM tasks)",
        f"task_id IN ({_MY_TASKS}) AND unit_id IN (SELECT id FROM units WHERE {_OWN})",
    ),
    "entry_metrics": ("entry_id IN (SELECT id FROM entries)", f"entry_id IN ({_MY_ENTRIES})"),
    "retractions": ("entry_id IN (SELECT id FROM entries)", f"entry_id IN ({_MY_ENTRIES})"),
}
# Read only: the tree and the grants (names, not data), and the schema revision.
READ_ONLY = ("offices", "office_grants", "alembic_version")

_FUNCTIONS = (
    # Inside a SECURITY DEFINER function current_user is the owner: the policies pass theirs.
    "CREATE OR REPLACE FUNCTION pufa_my_office(who name) RETURNS integer LANGUAGE sql STABLE "
    "SECURITY DEFINER SET search_path FROM CURRENT AS $$ "
    "SELECT office_id FROM office_grants WHERE role_name = who $$",
    "CREATE OR REPLACE FUNCTION pufa_read_offices(who name) RETURNS SETOF integer "
    "LANGUAGE sql STABLE SECURITY DEFINER SET search_path FROM CURRENT AS $$ "
    "WITH RECURSIVE sub(id) AS (SELECT office_id FROM office_grants "
    "WHERE role_name = who UNION SELECT o.id FROM offices o "
    "JOIN sub ON o.parent_id = sub.id) SELECT id FROM sub $$",
)


def _need_postgres(conn: Connection) -> None:
    if conn.dialect != "postgresql":
        raise BadInput(_("db grant and db revoke need a PostgreSQL database (SQLite has no roles)"))


def _role(name: str) -> str:
    if not ROLE_RE.match(name):
        raise BadInput(
            _("--role must be a role name (lower-case letters, digits and _), not '{name}'").format(
                name=name
            )
        )
    return name


def ensure_policies(conn: Connection) -> None:
    """The functions and policies (idempotent: a later pufa may change them)."""
    for sql in _FUNCTIONS:
        conn.run(sql)
    for table, (read, write) in POLICIES.items():
        conn.run(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
        for action, clause in (
            ("select", f"FOR SELECT USING ({read})"),
            ("insert", f"FOR INSERT WITH CHECK ({write})"),
            ("update", f"FOR UPDATE USING ({write}) WITH CHECK ({write})"),
            ("delete", f"FOR DELETE USING ({write})"),
        ):
            conn.run(f"DROP POLICY IF EXISTS pufa_{action} ON {table}")
            conn.run(f"CREATE POLICY pufa_{action} ON {table} {clause}")


def grant(conn: Connection, office_name: str, role_name: str) -> tuple[OfficeRef, bool]:
    """Grant ROLE its office; (office, whether the role was created)."""
    _need_postgres(conn)
    role = _role(role_name)
    office = resolve_office(conn, office_name)
    row = conn.one(
        "SELECT rolsuper OR rolbypassrls, rolname = current_user FROM pg_roles WHERE rolname = :r",
        {"r": role},
    )
    if row is not None and (row[0] or row[1]):
        raise BadInput(
            _(
                "role {role} bypasses row-level security (a superuser or this database's owner)"
            ).format(role=role)
        )
    ensure_policies(conn)
    created = row is None
    conn.run(f'CREATE ROLE "{role}" LOGIN' if created else f'ALTER ROLE "{role}" LOGIN')
    schema = str(conn.scalar("SELECT current_schema()"))
    conn.run(f'GRANT USAGE ON SCHEMA "{schema}" TO "{role}"')
    conn.run(f'GRANT SELECT, INSERT, UPDATE, DELETE ON {", ".join(POLICIES)} TO "{role}"')
    conn.run(f'GRANT SELECT ON {", ".join(READ_ONLY)} TO "{role}"')
    conn.run(f'GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA "{schema}" TO "{role}"')
    conn.run("DELETE FROM office_grants WHERE role_name = :r", {"r": role})
    conn.run(
        "INSERT INTO office_grants (role_name, office_id) VALUES (:r, :o)",
        {"r": role, "o": office.id},
    )
    return office, created


def revoke(conn: Connection, role_name: str) -> str:
    """Take back what ``grant`` gave ROLE in this database; the office it had."""
    _need_postgres(conn)
    role = _role(role_name)
    row = conn.one(
        "SELECT o.name FROM office_grants g JOIN offices o ON o.id = g.office_id "
        "WHERE g.role_name = :r",
        {"r": role},
    )
    if row is None:
        raise NotFound(_("role {role} has no office in this database").format(role=role))
    schema = str(conn.scalar("SELECT current_schema()"))
    conn.run(f'REVOKE ALL ON {", ".join([*POLICIES, *READ_ONLY])} FROM "{role}"')
    conn.run(f'REVOKE ALL ON ALL SEQUENCES IN SCHEMA "{schema}" FROM "{role}"')
    conn.run(f'REVOKE USAGE ON SCHEMA "{schema}" FROM "{role}"')
    conn.run("DELETE FROM office_grants WHERE role_name = :r", {"r": role})
    return str(row[0])


def granted_office(conn: Connection) -> int | None:
    """PostgreSQL: the office granted to the role this connection runs as, if any."""
    if conn.dialect != "postgresql":
        return None
    value = conn.scalar("SELECT office_id FROM office_grants WHERE role_name = current_user")
    return None if value is None else int(value)
