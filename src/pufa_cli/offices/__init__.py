"""Offices: a city, its districts and their street offices in one database (docs/offices.md).

- ``tree``: the office tree (add, rename, move, list), cycles refused.
- ``scoping``: the office every command acts in (``--office`` / ``PUFA_OFFICE``, else the
  database's default office) and the checks that a named plan or unit is that office's.
- ``rollup``: ``report --by office`` (each office below, its whole plan and the carried tasks).
- ``grants``: PostgreSQL roles and row-level security policies (``db grant`` / ``db revoke``).
"""
