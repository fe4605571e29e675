"""PostgreSQL: each office in its own rows, enforced by the server (row-level security).

``pufa db grant OFFICE --role ROLE`` makes ROLE a login role (its password, if any, is set by
the server's administrator as usual), gives it the privileges pufa's commands need, and
records its office in ``office_grants``. The policies, the same for every role, let a role
read the rows of its office and of the offices below it, and insert, update or delete only
its own office's. They are enforced by the server, not by pufa: a district clerk connecting
with ``psql`` sees nothing of a neighbour's rows. The database owner and superusers bypass
them (they run migrations and grants). ``pufa db revoke --role ROLE`` takes it all back (the
role itself stays: drop it with ``DROP ROLE`` when nobody uses it any more).

SECURITY DEFINER functions (``pufa_office_ids``, ``pufa_plan_ids``, ``pufa_task_ids``,
``pufa_unit_ids``: the role's readable or own ids) read ``office_grants`` and the tree; each
table's policies compare its column with one of them.
"""

from __future__ import annotations

import re

from pufa_cli.errors import BadInput, NotFound
from pufa_cli.i18n import _
from pufa_cli.offices.tree import OfficeRef, resolve_office
from pufa_cli.store import Connection

ROLE_RE = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


def _ids(column: str, kind: str, own: bool) -> str:
    """``column`` is one of the role's ids of ``kind`` (offices, plans, tasks, units): readable
    ones, or with ``own`` only its office's. The array comes from a SECURITY DEFINER function
    in an uncorrelated sub-select, so the server computes it once a query (an InitPlan) and
    can still use the column's index; a sub-select filtered row by row made a district's
    report of a 1.4 M-entry city take 0.8 s instead of 0.06 s (docs/performance.md)."""
    flag = "true" if own else "false"
    return f"{column} = ANY (CAST((SELECT pufa_{kind}_ids(current_user, {flag})) AS integer[]))"


POLICIES: dict[str, tuple[str, str]] = {
    # table: (readable rows, writable rows)
    "plans": (_ids("office_id", "office", False), _ids("office_id", "office", True)),
    "units": (_ids("office_id", "office", False), _ids("office_id", "office", True)),
    "sections": (_ids("plan_id", "plan", False), _ids("plan_id", "plan", True)),
    "tasks": (_ids("plan_id", "plan", False), _ids("plan_id", "plan", True)),
    "targets": (_ids("task_id", "task", False), _ids("task_id", "task", True)),
    "assignments": (
        _ids("task_id", "task", False),
        f"{_ids('task_id', 'task', True)} AND {_ids('unit_id', 'unit', True)}",
    ),
    "entries": (
        _ids("task_id", "task", False),
        f"{_ids('task_id', 'task', True)} AND {_ids('unit_id', 'unit', True)}",
    ),
    # Through their entry, which row-level security on entries filters in turn.
    "entry_metrics": (
        "entry_id IN (SELECT id FROM entries)",
        f"entry_id IN (SELECT id FROM entries WHERE {_ids('task_id', 'task', True)})",
    ),
    "retractions": (
        "entry_id IN (SELECT id FROM entries)",
        f"entry_id IN (SELECT id FROM entries WHERE {_ids('task_id', 'task', True)})",
    ),
    # The supervision cycle (issue 16) and scoring: through their task, plan or entry.
    "extensions": (
        _ids("task_id", "task", False),
        f"{_ids('task_id', 'task', True)} AND {_ids('unit_id', 'unit', True)}",
    ),
    "reminders": (
        _ids("task_id", "task", False),
        f"{_ids('task_id', 'task', True)} AND {_ids('unit_id', 'unit', True)}",
    ),
    "reviews": (
        "entry_id IN (SELECT id FROM entries)",
        f"entry_id IN (SELECT id FROM entries WHERE {_ids('task_id', 'task', True)})",
    ),
    "entry_evidence": (
        "entry_id IN (SELECT id FROM entries)",
        f"entry_id IN (SELECT id FROM entries WHERE {_ids('task_id', 'task', True)})",
    ),
    # Content-addressed files: readable when a readable entry names them; a new one may be
    # added (an entry of one's own then names it); one in use cannot go (entry_evidence's key).
    "evidence_blobs": (
        "id IN (SELECT blob_id FROM entry_evidence)",
        "id NOT IN (SELECT blob_id FROM entry_evidence)",
    ),
    "manual_scores": (_ids("plan_id", "plan", False), _ids("plan_id", "plan", True)),
    "bonuses": (_ids("plan_id", "plan", False), _ids("plan_id", "plan", True)),
    "notices": (_ids("plan_id", "plan", False), _ids("plan_id", "plan", True)),
    # The unit registry's story (0009): an event belongs to its unit's office (0012: still
    # when the unit is removed and unit_id is NULL), names its unit and, for a lead change,
    # its task; a merge's moved entries hang off entries.
    "unit_events": (
        _ids("office_id", "office", False),
        f"{_ids('office_id', 'office', True)} "
        f"AND (unit_id IS NULL OR {_ids('unit_id', 'unit', True)}) "
        f"AND (task_id IS NULL OR {_ids('task_id', 'task', True)})",
    ),
    "unit_event_entries": (
        "entry_id IN (SELECT id FROM entries)",
        f"entry_id IN (SELECT id FROM entries WHERE {_ids('task_id', 'task', True)}) "
        "AND event_id IN (SELECT id FROM unit_events)",
    ),
}
# Read only: the tree and the grants (names, not data), and the schema revision.
READ_ONLY = ("offices", "office_grants", "alembic_version")
# Read only, and only the role's readable rows: what the server keeps itself (0013: each
# (task, unit)'s latest counting entry, written by triggers as the owner).
READ_ONLY_ROWS = {"latest_entries": _ids("task_id", "task", False)}


def _function(name: str, body: str) -> str:
    return (
        f"CREATE OR REPLACE FUNCTION {name}(who name, own boolean) RETURNS integer[] "
        "LANGUAGE sql STABLE SECURITY DEFINER SET search_path FROM CURRENT AS $$ "
        f"SELECT coalesce(array_agg(id), '{{}}') FROM ({body}) AS ids $$"
    )


# Inside a SECURITY DEFINER function current_user is the owner: the policies pass theirs.
_OFFICES = (
    "WITH RECURSIVE sub(id) AS (SELECT office_id FROM office_grants WHERE role_name = who "
    "UNION SELECT o.id FROM offices o JOIN sub ON o.parent_id = sub.id WHERE NOT own) "
    "SELECT id FROM sub"
)
# An evidence file for a district's role (store.connection.store_blob): the blob with these
# bytes, added if new. As the owner, since the role may not see another district's copy nor
# read back a blob no entry names yet; the digest is the server's own, so a role cannot store
# bytes under another file's digest. It tells the role only that some district stored the
# same bytes, which it had in hand.
_EVIDENCE_BLOB = (
    "CREATE OR REPLACE FUNCTION pufa_evidence_blob(content bytea) RETURNS integer "
    "LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path FROM CURRENT AS $$ "
    "DECLARE found integer; digest text := encode(sha256(content), 'hex'); BEGIN "
    "INSERT INTO evidence_blobs (sha256, size, data) VALUES (digest, length(content), content) "
    "ON CONFLICT (sha256) DO NOTHING RETURNING id INTO found; "
    "IF found IS NULL THEN SELECT id INTO found FROM evidence_blobs WHERE sha256 = digest; "
    "END IF; RETURN found; END $$"
)
_FUNCTIONS = (
    _EVIDENCE_BLOB,
    _function("pufa_office_ids", _OFFICES),
    _function(
        "pufa_plan_ids",
        "SELECT p.id FROM plans p WHERE p.office_id = ANY (pufa_office_ids(who, own))",
    ),
    _function(
        "pufa_task_ids",
        "SELECT t.id FROM tasks t JOIN plans p ON p.id = t.plan_id "
        "WHERE p.office_id = ANY (pufa_office_ids(who, own))",
    ),
    _function(
        "pufa_unit_ids",
        "SELECT u.id FROM units u WHERE u.office_id = ANY (pufa_office_ids(who, own))",
    ),
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
    for table, read in READ_ONLY_ROWS.items():
        conn.run(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
        conn.run(f"DROP POLICY IF EXISTS pufa_select ON {table}")
        conn.run(f"CREATE POLICY pufa_select ON {table} FOR SELECT USING ({read})")


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
    conn.run(f'GRANT SELECT ON {", ".join([*READ_ONLY, *READ_ONLY_ROWS])} TO "{role}"')
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
    conn.run(f'REVOKE ALL ON {", ".join([*POLICIES, *READ_ONLY, *READ_ONLY_ROWS])} FROM "{role}"')
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
