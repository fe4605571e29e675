"""The schema, as SQLAlchemy 2 typed models.

These models are the single description of the schema: Alembic migrations in ``migrations/``
create and upgrade it, and a test checks that the migrated database matches these models
exactly. Commands that must answer at once (``log``, ``report``, ``tasks``) do not import
SQLAlchemy at all on SQLite: they run portable SQL through ``pufa_cli.store``.

Dates are ``Date`` (ISO text on SQLite). Entries are append-only: a correction is a row in
``retractions``, never an UPDATE or DELETE of an entry.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    CheckConstraint,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class Office(Base):
    """A node of the city's tree: the city's 依法治市辦, a district's, a street office.

    Every plan and unit belongs to one; a database made before offices has one, the default
    (``is_default`` = 1), holding everything."""

    __tablename__ = "offices"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    match_key: Mapped[str] = mapped_column(String(200))
    parent_id: Mapped[int | None] = mapped_column(
        ForeignKey("offices.id"), nullable=True, index=True
    )
    is_default: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(DateTime)


class OfficeGrant(Base):
    """PostgreSQL: the database role (``pufa db grant OFFICE --role ROLE``) and its office; the
    row-level security policies let it read its office and those below, write its own."""

    __tablename__ = "office_grants"

    role_name: Mapped[str] = mapped_column(String(63), primary_key=True)
    office_id: Mapped[int] = mapped_column(ForeignKey("offices.id"))


class Plan(Base):
    __tablename__ = "plans"
    __table_args__ = (
        UniqueConstraint("office_id", "code"),
        # An office's plans of a year in code order, as every command looks its plan up (0014).
        Index("ix_plans_office_year", "office_id", "year", "code"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    office_id: Mapped[int] = mapped_column(ForeignKey("offices.id"))
    # The plan file's ``id`` (lower-case letters, digits, -), else its year as text: several
    # plans of one year live side by side (unique within the office).
    code: Mapped[str] = mapped_column(String(40))
    year: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(Text)
    preamble: Mapped[str] = mapped_column(Text, default="")
    source: Mapped[str] = mapped_column(Text, default="")
    # 'Hant' or 'Hans': the script the plan is written in, so display converts only when needed.
    script: Mapped[str] = mapped_column(String(8), default="Hant")
    # 'required' when the plan file says ``review: required`` (a 100 % entry then awaits review).
    review: Mapped[str] = mapped_column(String(20), default="", server_default="")
    # The plan file's ``reporting:`` word (每月5日前 …): units owe a report each period.
    reporting: Mapped[str] = mapped_column(String(40), default="", server_default="")
    loaded_at: Mapped[datetime] = mapped_column(DateTime)
    # 文號, issuing body (印發單位), issue date (the on-schedule clock starts then), and the
    # addressees (主送) as a JSON list; all optional in the plan file.
    doc_number: Mapped[str | None] = mapped_column(Text, nullable=True)
    issuer: Mapped[str | None] = mapped_column(Text, nullable=True)
    issued: Mapped[date | None] = mapped_column(Date, nullable=True)
    addressees: Mapped[str] = mapped_column(Text, default="[]", server_default="[]")
    # JSON {group: [unit, …]}: naming a group in ``pufa assign`` assigns each of its units.
    groups: Mapped[str] = mapped_column(Text, default="{}", server_default="{}")

    # The plan file's ``scoring:`` block as JSON (scoring/rules.py); NULL: the plan does not score.
    scoring: Mapped[str | None] = mapped_column(Text, nullable=True)


class Section(Base):
    __tablename__ = "sections"
    __table_args__ = (UniqueConstraint("plan_id", "number"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(Text)
    label: Mapped[str | None] = mapped_column(String(20), nullable=True)  # 二、 as written


class Task(Base):
    __tablename__ = "tasks"
    # A task is (plan, number, 0); its sub-item N is (plan, number, N), written ``9.2``.
    __table_args__ = (UniqueConstraint("plan_id", "number", "item"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id", ondelete="CASCADE"))
    section_id: Mapped[int] = mapped_column(ForeignKey("sections.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    # 0 for a task; N for sub-item N of task ``number`` (format version 2 ``items:``).
    item: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # The task a sub-item belongs to (NULL for a task).
    parent_id: Mapped[int | None] = mapped_column(
        ForeignKey("tasks.id", ondelete="CASCADE"), nullable=True, index=True
    )
    title: Mapped[str] = mapped_column(Text)
    text: Mapped[str] = mapped_column(Text)
    due_word: Mapped[str] = mapped_column(String(40))
    due_date: Mapped[date] = mapped_column(Date)
    # JSON list of [word, ISO date] checkpoints, in order; the last is the due date.
    checks: Mapped[str] = mapped_column(Text, default="[]")
    # 每月, 每季度末 …: repeating checkpoints besides ``checks`` (format version 2).
    cadence: Mapped[str | None] = mapped_column(String(40), nullable=True)
    leader: Mapped[str | None] = mapped_column(Text, nullable=True)  # 責任領導
    # The source's own numbering, shown instead of the number: (三), 二(三).
    label: Mapped[str | None] = mapped_column(String(20), nullable=True)
    timing: Mapped[str | None] = mapped_column(Text, nullable=True)
    responsible: Mapped[str | None] = mapped_column(Text, nullable=True)
    # JSON [lead or null, [supporting…]]: the units the plan file named when last loaded, so a
    # reload assigns only units it newly names and never undoes the office's own changes.
    plan_units: Mapped[str] = mapped_column(Text, default="", server_default="")
    # 1 while the task is in the latest loaded version of its plan; 0 after it disappeared.
    in_plan: Mapped[int] = mapped_column(Integer, default=1)
    # The city task this district task carries: ``PLAN_ID#N`` of a plan of an office above.
    carries: Mapped[str | None] = mapped_column(String(60), nullable=True)


class Target(Base):
    __tablename__ = "targets"
    __table_args__ = (UniqueConstraint("task_id", "key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("tasks.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(40))
    label: Mapped[str] = mapped_column(Text)
    target: Mapped[float] = mapped_column(Float)
    unit: Mapped[str] = mapped_column(String(20))
    phrase: Mapped[str | None] = mapped_column(Text, nullable=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    # How the units' values make the task's figure: sum, each, mean or latest (targets.py).
    aggregate: Mapped[str] = mapped_column(String(10), default="latest", server_default="latest")


class Unit(Base):
    __tablename__ = "units"
    __table_args__ = (
        UniqueConstraint("office_id", "name"),
        UniqueConstraint("office_id", "match_key", name="uq_units_office_match_key"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    office_id: Mapped[int] = mapped_column(ForeignKey("offices.id"))
    # Trimmed, NFKC-normalised name, as shown (unique within the office).
    name: Mapped[str] = mapped_column(String(200))
    # Script- and case-folded name (names.match_key), so 区司法局 finds 區司法局; unique within
    # the office, so 區審計局 and 区审计局 added at once are one unit, never two.
    match_key: Mapped[str] = mapped_column(String(200), index=True)
    kind: Mapped[str | None] = mapped_column(String(40), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime)


class Assignment(Base):
    __tablename__ = "assignments"
    __table_args__ = (
        UniqueConstraint("task_id", "unit_id"),
        Index("ix_assignments_unit_id", "unit_id"),
        # A task's assignments with their own due dates from the index alone (the report, 0014).
        Index("ix_assignments_task_unit_due", "task_id", "unit_id", "due_date"),
        # At most one lead per task, whoever writes at the same time.
        Index(
            "uq_assignments_one_lead",
            "task_id",
            unique=True,
            sqlite_where=text("role = 'lead'"),
            postgresql_where=text("role = 'lead'"),
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("tasks.id", ondelete="CASCADE"))
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    # 'lead', 'colead' (a further lead, 共同牽頭: shown and reported as lead) or 'support'
    role: Mapped[str] = mapped_column(String(10))
    due_word: Mapped[str | None] = mapped_column(String(40), nullable=True)
    due_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    person: Mapped[str | None] = mapped_column(Text, nullable=True)  # 責任人 (assign --person)


class Entry(Base):
    __tablename__ = "entries"
    __table_args__ = (
        # The report's "latest entry per task and unit as of D" walks this index backwards.
        Index("ix_entries_latest", "task_id", "unit_id", "entry_date", "id"),
        Index("ix_entries_key", "key"),
        CheckConstraint("percent BETWEEN 0 AND 100", name="percent_range"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("tasks.id"))
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    entry_date: Mapped[date] = mapped_column(Date)
    percent: Mapped[int] = mapped_column(Integer)
    note: Mapped[str] = mapped_column(Text, default="")
    recorded_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime)
    # Content hash (task, unit, date, percent, metrics, note, by): import recognises a row again.
    key: Mapped[str] = mapped_column(String(64))
    # Structured progress (issue 16): 存在問題 and 下一步措施 beside the note (進展情況).
    problems: Mapped[str] = mapped_column(Text, default="", server_default="")
    next_steps: Mapped[str] = mapped_column(Text, default="", server_default="")


class EntryMetric(Base):
    __tablename__ = "entry_metrics"
    __table_args__ = (
        # "Latest value of a target as of D" starts here, then joins entries by id.
        Index("ix_entry_metrics_target_id", "target_id", "entry_id"),
    )

    entry_id: Mapped[int] = mapped_column(
        ForeignKey("entries.id", ondelete="CASCADE"), primary_key=True
    )
    target_id: Mapped[int] = mapped_column(ForeignKey("targets.id"), primary_key=True)
    value: Mapped[float] = mapped_column(Float)


class Retraction(Base):
    __tablename__ = "retractions"

    entry_id: Mapped[int] = mapped_column(ForeignKey("entries.id"), primary_key=True)
    reason: Mapped[str] = mapped_column(Text)
    retracted_by: Mapped[str] = mapped_column(String(200))
    retracted_at: Mapped[datetime] = mapped_column(DateTime)


# The supervision cycle (督辦): evidence, reviews. Append-only like entries.


class EvidenceBlob(Base):
    """A stored evidence file's bytes, once per content (deduplicated by SHA-256)."""

    __tablename__ = "evidence_blobs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    size: Mapped[int] = mapped_column(Integer)
    data: Mapped[bytes] = mapped_column(LargeBinary)


class EntryEvidence(Base):
    """A file attached to an entry: its name as given and its stored bytes."""

    __tablename__ = "entry_evidence"
    __table_args__ = (
        Index("ix_entry_evidence_entry_id", "entry_id"),
        Index("ix_entry_evidence_blob_id", "blob_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("entries.id"))
    blob_id: Mapped[int] = mapped_column(ForeignKey("evidence_blobs.id"))
    name: Mapped[str] = mapped_column(Text)


class Extension(Base):
    """延期: a unit's due date on a task moved, with why and who approved. Never updated: the
    latest granted on or before D is the unit's due date as of D."""

    __tablename__ = "extensions"
    __table_args__ = (Index("ix_extensions_task_id", "task_id", "unit_id", "granted_on", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("tasks.id", ondelete="CASCADE"))
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    due_word: Mapped[str] = mapped_column(String(40))
    due_date: Mapped[date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(Text)
    approved_by: Mapped[str | None] = mapped_column(String(200), nullable=True)
    granted_on: Mapped[date] = mapped_column(Date)
    recorded_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime)


class Reminder(Base):
    """催辦: a notice sent to a unit about one open item (blue, yellow or red) on a day."""

    __tablename__ = "reminders"
    __table_args__ = (Index("ix_reminders_task_id", "task_id", "unit_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("tasks.id", ondelete="CASCADE"))
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    colour: Mapped[str] = mapped_column(String(10))
    sent_on: Mapped[date] = mapped_column(Date)
    recorded_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime)


class Review(Base):
    """審核: an office's decision on an entry, 'approve' (銷號) or 'return' (with a reason)."""

    __tablename__ = "reviews"
    __table_args__ = (Index("ix_reviews_entry_id", "entry_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("entries.id"))
    decision: Mapped[str] = mapped_column(String(10))
    # The day of the decision: an approval counts in reports as of this day on.
    review_date: Mapped[date] = mapped_column(Date)
    note: Mapped[str] = mapped_column(Text, default="")
    reviewed_by: Mapped[str] = mapped_column(String(200))
    reviewed_at: Mapped[datetime] = mapped_column(DateTime)


class ManualScore(Base):
    """A manual indicator's score (組織領導 …) of a unit; the latest row of unit and item wins."""

    __tablename__ = "manual_scores"
    __table_args__ = (Index("ix_manual_scores_latest", "plan_id", "unit_id", "item_key", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id", ondelete="CASCADE"))
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    item_key: Mapped[str] = mapped_column(String(40))
    self_score: Mapped[float] = mapped_column(Float)
    # Only the reviewer's score counts; NULL until a reviewer has scored.
    review_score: Mapped[float | None] = mapped_column(Float, nullable=True)
    recorded_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime)


class Bonus(Base):
    """Bonus points (加分) for a unit, with the reason; a unit's rows add up, to the plan's cap."""

    __tablename__ = "bonuses"
    __table_args__ = (Index("ix_bonuses_plan_unit", "plan_id", "unit_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id", ondelete="CASCADE"))
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    points: Mapped[float] = mapped_column(Float)
    reason: Mapped[str] = mapped_column(Text)
    recorded_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime)


class Notice(Base):
    """An issued notice (通報): numbered ``CODE-SEQ`` per plan, its content frozen as JSON."""

    __tablename__ = "notices"
    __table_args__ = (UniqueConstraint("plan_id", "seq"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id", ondelete="CASCADE"))
    seq: Mapped[int] = mapped_column(Integer)
    as_of: Mapped[date] = mapped_column(Date)
    title: Mapped[str] = mapped_column(Text)
    issued_at: Mapped[datetime] = mapped_column(DateTime)
    issued_by: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)


class UnitEvent(Base):
    """What happened to a unit (append-only): ``rename``, ``merge``, ``kind``, ``lead``,
    ``remove``, with the old and new value (names, kinds, or the task's old and new lead)."""

    __tablename__ = "unit_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    action: Mapped[str] = mapped_column(String(10))
    # The unit as it is now (a merge's surviving unit); NULL once removed.
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), nullable=True, index=True)
    task_id: Mapped[int | None] = mapped_column(
        ForeignKey("tasks.id", ondelete="SET NULL"), nullable=True
    )
    old_value: Mapped[str | None] = mapped_column(String(200), nullable=True)
    new_value: Mapped[str | None] = mapped_column(String(200), nullable=True)
    recorded_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime)
    # The office of the event's unit (0012): still known once the unit is removed.
    office_id: Mapped[int] = mapped_column(ForeignKey("offices.id"), index=True)


class UnitEventEntry(Base):
    """An entry a merge moved to another unit: its original unit is the event's old name."""

    __tablename__ = "unit_event_entries"

    event_id: Mapped[int] = mapped_column(ForeignKey("unit_events.id"), primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("entries.id"), primary_key=True)
