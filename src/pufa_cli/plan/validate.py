"""Validation: the YAML document → a frozen ``Plan``, or the first problem as one line."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import date
from functools import partial
from pathlib import Path
from typing import Any

from pufa_cli.i18n import _
from pufa_cli.names import normalize_name
from pufa_cli.plan.checker import Checker
from pufa_cli.plan.model import Check, Plan, Section, Target, Task
from pufa_cli.plan.yamlfile import read_yaml
from pufa_cli.scoring.rules import check_tasks, read_scoring
from pufa_cli.timing import parse_cadence, parse_period

KEY_RE = re.compile(r"^[a-z][a-z0-9_]{0,39}$")


FORMAT_VERSIONS = (1, 2)
# Task numbers run to 999,999 (a city's 100,000 tasks numbered with room to spare; ``carries``
# names at most six digits); section and item numbers to 10,000 (``Checker.integer``).
MAX_TASK_NUMBER = 999_999
ID_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,39}$")


def _read_id(c: Checker, value: Any, path: str, year: int) -> str:
    text = str(c.text(value, path, limit=40))
    if not ID_RE.match(text):
        raise c.fail(
            path,
            _("plan id '{id}' must be lower-case letters, digits and - (e.g. 2023-pufa)").format(
                id=text
            ),
        )
    return text


def _read_date(c: Checker, value: Any, path: str, year: int) -> date:
    from pufa_cli.timing import parse_date

    day: date = c.guarded(path, partial(parse_date, c.text(value, path, limit=40)))
    if not date(year - 1, 1, 1) <= day <= date(year, 12, 31):
        raise c.fail(
            path,
            _("{date} is not in the plan year {year} or the year before").format(
                date=day.isoformat(), year=year
            ),
        )
    return day


def _read_texts(c: Checker, value: Any, path: str, year: int) -> tuple[str, ...]:
    return tuple(
        str(c.text(v, f"{path}[{i}]", limit=500)) for i, v in enumerate(c.listing(value, path))
    )


# The supervision cycle (issue 16): ``review: required`` and ``reporting: 每月5日前``.
REVIEW_WORDS = {"required": "required", "none": ""}  # plan file `review:` → stored value


def _read_review(c: Checker, value: Any, path: str, year: int) -> str:
    word = c.text(value, path, limit=40)
    if word not in REVIEW_WORDS:
        raise c.fail(path, _("review must be 'required' or 'none', not '{v}'").format(v=word))
    return REVIEW_WORDS[word]


def _read_reporting(c: Checker, value: Any, path: str, year: int) -> str:
    from pufa_cli.supervision.rounds import rounds_of

    word = str(c.text(value, path, limit=40))
    c.guarded(path, partial(rounds_of, word, year))
    return word


def _text_reader(limit: int) -> Any:
    return lambda c, value, path, year: c.text(value, path, optional=True, limit=limit)


# Top-level fields besides version, year, title, units and sections: name → (first format
# version that has it, reader(checker, value, path, year) → the Plan attribute). A new field is
# one line here and one attribute on ``Plan`` (with a default); absent fields take the default.
TOP_FIELDS: dict[str, tuple[int, Any]] = {
    "id": (1, _read_id),
    "preamble": (1, _text_reader(100_000)),
    "source": (1, _text_reader(1000)),
    "doc_number": (2, _text_reader(200)),
    "issuer": (2, _text_reader(500)),
    "issued": (2, _read_date),
    "addressees": (2, _read_texts),
    "groups": (2, lambda c, value, path, year: _read_groups(c, value, path)),
    "review": (1, _read_review),
    "reporting": (1, _read_reporting),
    "scoring": (1, read_scoring),  # 考核細則: scoring/rules.py, docs/scoring.md
    # The office the plan belongs to (docs/offices.md); without it, the command's office.
    "office": (2, _text_reader(200)),
}


def _read_groups(c: Checker, value: Any, path: str) -> dict[str, tuple[str, ...]]:
    """``{各街道辦事處: [甲街道, 乙街道]}``: names checked against ``units`` once those are read."""
    if not isinstance(value, dict):
        raise c.fail(path, _("expected a mapping (group: [units]), found a list or text"))
    out: dict[str, tuple[str, ...]] = {}
    for raw_name, members in value.items():
        gp = f"{path}.{raw_name}"
        name = c.guarded(gp, partial(normalize_name, c.text(raw_name, gp, limit=200)))
        listed = [
            c.guarded(f"{gp}[{i}]", partial(normalize_name, c.text(m, f"{gp}[{i}]", limit=200)))
            for i, m in enumerate(c.listing(members, gp))
        ]
        if not listed:
            raise c.fail(gp, _("a group needs at least one unit"))
        if len(set(listed)) != len(listed):
            raise c.fail(gp, _("a unit is listed twice in group '{group}'").format(group=name))
        out[str(name)] = tuple(str(m) for m in listed)
    return out


_PLAN_FIELDS = {"version", "year", "title", "units", "sections", *TOP_FIELDS}
_SECTION_FIELDS = {"number", "title", "tasks", "label"}
_TASK_FIELDS = {
    "number",
    "title",
    "text",
    "due",
    "timing",
    "checks",
    "responsible",
    "lead",
    "support",
    "targets",
}
# Task fields a version 1 file may not use.
_TASK_FIELDS_V2 = {"cadence", "leader", "label", "carries", "items"}
# ``carries: PLAN_ID#N``: the task of a plan of an office above that this task carries out.
CARRIES_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,39}#[1-9][0-9]{0,5}$")
_TASK_FIELDS |= _TASK_FIELDS_V2
# A sub-item (``items:`` of a version 2 task): a task of its own, numbered within its task;
# the task, not its items, carries a task of the office above.
_ITEM_FIELDS = (_TASK_FIELDS - {"items", "carries"}) | {"number"}
_TARGET_FIELDS = {"key", "label", "target", "unit", "phrase", "aggregate"}
AGGREGATES = ("sum", "each", "mean", "latest")


def default_aggregate(version: int, unit: str) -> str:
    """Version 1 keeps the newest value any unit reported (its numbers never change); version
    2 adds the units' values up (個, 場次, 人次 …) or, for a percentage, takes their mean."""
    if version < 2:
        return "latest"
    return "mean" if unit.strip() in ("%", "％") else "sum"


def _leads(
    c: Checker, raw: Any, path: str, version: int, unit_ref: Callable[[Any, str], str]
) -> list[str]:
    """A task's lead units: one name, or (version 2) a list of co-leads (共同牽頭), the first
    stored as the lead and the others as co-leads (docs/rules.md, "Co-leads")."""
    if raw is None:
        return []
    if not isinstance(raw, list):
        return [unit_ref(raw, path)]
    if version < 2:
        raise c.fail(path, _("a list of lead units needs 'version: 2' at the top of the file"))
    leads: list[str] = []
    for i, item in enumerate(c.listing(raw, path)):
        name = unit_ref(item, f"{path}[{i}]")
        if name in leads:
            raise c.fail(f"{path}[{i}]", _("unit '{name}' is named twice").format(name=name))
        leads.append(name)
    return leads


def build_plan(data: Any, lines: Mapping[str, int], file: str) -> Plan:
    c = Checker(file, lines)
    doc = c.mapping(data, "", _PLAN_FIELDS, {"version", "year", "title", "sections"})
    version = c.integer(doc["version"], "version", low=1, high=10_000)
    if version not in FORMAT_VERSIONS:
        raise c.fail(
            "version",
            _("unsupported plan format version {v} (this pufa reads 1 and 2)").format(v=version),
        )
    year = c.integer(doc["year"], "year", low=1900, high=2999)
    title = c.text(doc["title"], "title", limit=500)
    top: dict[str, Any] = {}
    for name, (since, reader) in TOP_FIELDS.items():
        if doc.get(name) is None:
            continue
        if version < since:
            raise c.fail(name, _("needs 'version: {v}' at the top of the file").format(v=since))
        top[name] = reader(c, doc[name], name, year)
    top.setdefault("id", str(year))

    units: list[str] = []
    for i, raw in enumerate(c.listing(doc.get("units"), "units")):
        name = c.guarded(
            f"units[{i}]", partial(normalize_name, c.text(raw, f"units[{i}]", limit=200))
        )
        if name in units:
            raise c.fail(f"units[{i}]", _("unit '{name}' is listed twice").format(name=name))
        units.append(name)

    groups: dict[str, tuple[str, ...]] = top.get("groups") or {}
    for group, members in groups.items():
        if group in units:
            raise c.fail(
                f"groups.{group}",
                _("'{name}' is both a unit and a group; give the group another name").format(
                    name=group
                ),
            )
        for i, member in enumerate(members):
            if member not in units:
                raise c.fail(
                    f"groups.{group}[{i}]",
                    _("unit '{name}' is not in the plan's units list").format(name=member),
                )

    # A plan names its few units over and over: each text is checked and folded once.
    folded: dict[str, str] = {}

    def unit_name(raw: Any, path: str) -> str:
        if isinstance(raw, str) and raw in folded:
            return folded[raw]
        name = str(c.guarded(path, partial(normalize_name, c.text(raw, path, limit=200))))
        if isinstance(raw, str):
            folded[raw] = name
        return name

    def unit_ref(raw: Any, path: str) -> str:
        name = unit_name(raw, path)
        if name not in units:
            if name in groups:
                raise c.fail(
                    path,
                    _(
                        "'{name}' is a group: name its units as the lead (a list for "
                        "co-leads), or the group under support to assign each of its units"
                    ).format(name=name),
                )
            raise c.fail(path, _("unit '{name}' is not in the plan's units list").format(name=name))
        return str(name)

    def build_task(t: dict[str, Any], tp: str, tnum: int, item: int, parent: Task | None) -> Task:
        for name in sorted(_TASK_FIELDS_V2 & set(t)):
            if version < 2:
                raise c.fail(f"{tp}.{name}", _("needs 'version: 2' at the top of the file"))
        cadence = None
        if t.get("cadence") is not None:
            cadence = c.text(t["cadence"], f"{tp}.cadence", limit=40)
            c.guarded(f"{tp}.cadence", partial(parse_cadence, cadence))
        carries = None
        if t.get("carries") is not None:
            carries = str(c.text(t["carries"], f"{tp}.carries", limit=60))
            if not CARRIES_RE.match(carries):
                raise c.fail(
                    f"{tp}.carries",
                    _("'{value}' is not PLAN_ID#N (e.g. 2023-city#5)").format(value=carries),
                )
        ttitle = c.text(t["title"], f"{tp}.title", limit=1000)
        ttext = c.text(t.get("text"), f"{tp}.text", optional=True) or ttitle
        checks: list[Check] = []
        for ci, raw_check in enumerate(c.listing(t.get("checks"), f"{tp}.checks")):
            cp = f"{tp}.checks[{ci}]"
            word = c.text(raw_check, cp, limit=40)
            period = c.guarded(cp, partial(parse_period, word, year))
            checks.append(Check(word, period.end))
        if t.get("due") is not None:
            due_word = c.text(t["due"], f"{tp}.due", limit=40)
            due = c.guarded(f"{tp}.due", partial(parse_period, due_word, year)).end
            if checks and max(ch.date for ch in checks) != due:
                raise c.fail(
                    f"{tp}.due",
                    _(
                        "due '{due}' is not the last checkpoint ({last}); a task is due at its "
                        "last checkpoint"
                    ).format(due=due_word, last=max(checks, key=lambda ch: ch.date).word),
                )
        elif checks:
            last = max(checks, key=lambda ch: ch.date)
            due_word, due = last.word, last.date
        elif parent is not None:
            due_word, due = parent.due_word, parent.due  # an item is due with its task
        else:
            # No timing: due at the end of the plan year (written down, never guessed).
            due_word, due = "年底", date(year, 12, 31)
        leads = _leads(c, t.get("lead"), f"{tp}.lead", version, unit_ref)
        inherited: list[str] = []
        if parent is not None:
            # An item that names no lead is led by its task's lead(s); one that names no
            # supporting units is supported by its task's.
            if not leads:
                leads = list(parent.leads)
            if t.get("support") is None:
                inherited = [name for name in parent.support if name not in leads]
        lead = leads[0] if leads else None
        support: list[str] = []
        for ui, raw_unit in enumerate(c.listing(t.get("support"), f"{tp}.support")):
            up = f"{tp}.support[{ui}]"
            named = unit_name(raw_unit, up)
            # A group (各街道辦事處) assigns each of its units.
            for name in groups.get(named) or (unit_ref(raw_unit, up),):
                if name in leads or name in support:
                    raise c.fail(up, _("unit '{name}' is named twice").format(name=name))
                support.append(name)
        support += inherited
        targets: list[Target] = []
        for gi, raw_target in enumerate(c.listing(t.get("targets"), f"{tp}.targets")):
            gp = f"{tp}.targets[{gi}]"
            g = c.mapping(raw_target, gp, _TARGET_FIELDS, {"key", "label", "target", "unit"})
            key = c.text(g["key"], f"{gp}.key", limit=40)
            if not KEY_RE.match(key):
                raise c.fail(
                    f"{gp}.key",
                    _(
                        "target key '{key}' must be lower-case letters, digits and _ (e.g. bases)"
                    ).format(key=key),
                )
            if any(x.key == key for x in targets):
                raise c.fail(f"{gp}.key", _("target key '{key}' is used twice").format(key=key))
            unit_word = c.text(g["unit"], f"{gp}.unit", limit=20)
            aggregate = default_aggregate(version, unit_word)
            if g.get("aggregate") is not None:
                if version < 2:
                    raise c.fail(f"{gp}.aggregate", _("needs 'version: 2' at the top of the file"))
                aggregate = c.text(g["aggregate"], f"{gp}.aggregate", limit=10)
                if aggregate not in AGGREGATES:
                    raise c.fail(
                        f"{gp}.aggregate",
                        _("aggregate must be sum, each, mean or latest, not '{value}'").format(
                            value=aggregate
                        ),
                    )
            targets.append(
                Target(
                    key=key,
                    label=c.text(g["label"], f"{gp}.label", limit=500),
                    target=c.number(g["target"], f"{gp}.target"),
                    unit=unit_word,
                    phrase=c.text(g.get("phrase"), f"{gp}.phrase", optional=True),
                    aggregate=aggregate,
                )
            )
        items: tuple[Task, ...] = ()
        if t.get("items") is not None:
            items = build_items(t, tp, tnum, checks, cadence, targets)
        return Task(
            number=tnum,
            item=item,
            items=items,
            title=ttitle,
            text=ttext,
            due_word=due_word,
            due=due,
            checks=tuple(checks),
            timing=c.text(t.get("timing"), f"{tp}.timing", optional=True),
            responsible=c.text(t.get("responsible"), f"{tp}.responsible", optional=True),
            lead=lead,
            coleads=tuple(leads[1:]),
            support=tuple(support),
            targets=tuple(targets),
            cadence=cadence,
            leader=c.text(t.get("leader"), f"{tp}.leader", optional=True, limit=200),
            label=c.text(t.get("label"), f"{tp}.label", optional=True, limit=20),
            carries=carries,
        )

    def build_items(
        t: dict[str, Any],
        tp: str,
        tnum: int,
        checks: list[Check],
        cadence: str | None,
        targets: list[Target],
    ) -> tuple[Task, ...]:
        """A task's sub-items: each is tracked on its own; the task takes their mean."""
        for name, given in (("checks", checks), ("cadence", cadence), ("targets", targets)):
            if given:
                raise c.fail(
                    f"{tp}.{name}",
                    _("a task with items takes its {field} on its items").format(field=name),
                )
        raw_items = c.listing(t["items"], f"{tp}.items")
        if not raw_items:
            raise c.fail(f"{tp}.items", _("items: give at least one item, or leave it out"))
        parent = build_task({**t, "items": None}, tp, tnum, 0, None)
        out: list[Task] = []
        for ii, raw_item in enumerate(raw_items):
            ip = f"{tp}.items[{ii}]"
            it = c.mapping(raw_item, ip, _ITEM_FIELDS, {"title"})
            n = c.integer(it["number"], f"{ip}.number") if "number" in it else ii + 1
            if any(x.item == n for x in out):
                raise c.fail(
                    f"{ip}.number",
                    _("item number {ref} is used twice").format(ref=f"{tnum}.{n}"),
                )
            out.append(build_task(it, ip, tnum, n, parent))
        return tuple(out)

    sections: list[Section] = []
    section_numbers: set[int] = set()
    task_numbers: set[int] = set()
    raw_sections = c.listing(doc["sections"], "sections")
    if not raw_sections:
        raise c.fail("sections", _("a plan needs at least one section"))
    for si, raw_section in enumerate(raw_sections):
        sp = f"sections[{si}]"
        sec = c.mapping(raw_section, sp, _SECTION_FIELDS, {"number", "title"})
        snum = c.integer(sec["number"], f"{sp}.number")
        if snum in section_numbers:
            raise c.fail(f"{sp}.number", _("section number {n} is used twice").format(n=snum))
        section_numbers.add(snum)
        stitle = c.text(sec["title"], f"{sp}.title", limit=1000)
        slabel = c.text(sec.get("label"), f"{sp}.label", optional=True, limit=20)
        if slabel is not None and version < 2:
            raise c.fail(f"{sp}.label", _("needs 'version: 2' at the top of the file"))
        tasks: list[Task] = []
        for ti, raw_task in enumerate(c.listing(sec.get("tasks"), f"{sp}.tasks")):
            tp = f"{sp}.tasks[{ti}]"
            t = c.mapping(raw_task, tp, _TASK_FIELDS, {"number", "title"})
            tnum = c.integer(t["number"], f"{tp}.number", high=MAX_TASK_NUMBER)
            if tnum in task_numbers:
                raise c.fail(f"{tp}.number", _("task number {n} is used twice").format(n=tnum))
            task_numbers.add(tnum)
            tasks.append(build_task(t, tp, tnum, 0, None))
        sections.append(Section(snum, stitle, tuple(tasks), slabel))
    if top.get("scoring") is not None:
        check_tasks(c, top["scoring"], task_numbers)
    return Plan(
        year=year,
        title=title,
        units=tuple(units),
        sections=tuple(sections),
        version=version,
        **{k: v for k, v in top.items() if v is not None},
    )


def load_plan_file(path: Path | str) -> Plan:
    """Read and validate a plan file; PlanError (exit 2) on the first problem."""
    p = Path(path)
    data, lines = read_yaml(p)
    return build_plan(data, lines, str(path))
