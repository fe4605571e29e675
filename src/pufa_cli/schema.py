"""The schema revision this pufa writes, known without importing Alembic.

Start-up must stay fast, so opening a database reads ``alembic_version`` with one query and
compares it with these constants; Alembic itself is imported only to migrate. A test checks
that ``SCHEMA_HEAD`` is the head of ``migrations/versions`` and that ``KNOWN_REVISIONS`` lists
them all in order.
"""

KNOWN_REVISIONS = ("0001", "0002", "0003", "0004", "0005", "0006")
SCHEMA_HEAD = KNOWN_REVISIONS[-1]
