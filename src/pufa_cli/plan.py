"""Plan files: YAML → validated, frozen plan objects. Pure: never touches the database.

The whole file is checked before anything is written. Each problem is reported on one line
naming the file, the line and the place in the document, e.g.
``plans/2012.yaml:41: sections[1].tasks[3].due: unknown period '明年'`` (indexes count from 0).
The format is documented in docs/plan-format.md.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from functools import partial
from pathlib import Path
from typing import Any

from pufa_cli.errors import BadInput, PlanError
from pufa_cli.i18n import _
from pufa_cli.names import normalize_name
from pufa_cli.timing import parse_period

MAX_PLAN_BYTES = 5 * 1024 * 1024
MAX_ALIASES = 50
KEY_RE = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
ROLE_LEAD = "lead"
ROLE_SUPPORT = "support"


@dataclass(frozen=True)
class Target:
    key: str
    label: str
    target: float
    unit: str
    phrase: str | None = None


@dataclass(frozen=True)
class Check:
    word: str
    date: date


@dataclass(frozen=True)
class Task:
    number: int
    title: str
    text: str
    due_word: str
    due: date
    checks: tuple[Check, ...]
    timing: str | None
    responsible: str | None
    lead: str | None
    support: tuple[str, ...]
    targets: tuple[Target, ...]


@dataclass(frozen=True)
class Section:
    number: int
    title: str
    tasks: tuple[Task, ...]


@dataclass(frozen=True)
class Plan:
    year: int
    title: str
    preamble: str
    source: str
    units: tuple[str, ...]
    sections: tuple[Section, ...]

    @property
    def tasks(self) -> tuple[Task, ...]:
        return tuple(t for s in self.sections for t in s.tasks)


# --- YAML with line numbers and an alias budget -------------------------------------------


class _NodeError(Exception):
    """A value YAML could not construct (``!!int abc``, ``2013-02-30``), with its node."""

    def __init__(self, node: Any, reason: str) -> None:
        super().__init__(reason)
        self.node = node
        self.reason = reason


class _DuplicateKey(Exception):
    def __init__(self, key: str, first: int, second: int) -> None:
        super().__init__(key)
        self.key = key
        self.first = first
        self.second = second


def _loader_class() -> Any:
    import yaml

    class _Loader(yaml.SafeLoader):
        """SafeLoader that refuses alias bombs ("billion laughs") before they expand, refuses a
        key written twice in one mapping (YAML keeps the last silently: a doubled
        ``sections:`` once dropped every task) and reports a value it cannot construct with
        its node, so the message names the line."""

        aliases = 0

        def compose_node(self, parent: Any, index: Any) -> Any:
            if self.check_event(yaml.AliasEvent):
                self.aliases += 1
                if self.aliases > MAX_ALIASES:
                    event = self.peek_event()
                    raise yaml.YAMLError(
                        f"line {event.start_mark.line + 1}: "
                        + _("more than {n} aliases (*refs): refused").format(n=MAX_ALIASES)
                    )
            return super().compose_node(parent, index)

        def construct_mapping(self, node: Any, deep: bool = False) -> Any:
            seen: dict[tuple[str, str], int] = {}
            for key_node, _value in node.value:
                if not isinstance(key_node, yaml.ScalarNode) or key_node.tag.endswith(":merge"):
                    continue
                ident = (key_node.tag, key_node.value)
                line = key_node.start_mark.line + 1
                if ident in seen:
                    raise _DuplicateKey(str(key_node.value), seen[ident], line)
                seen[ident] = line
            return super().construct_mapping(node, deep=deep)

        def construct_object(self, node: Any, deep: bool = False) -> Any:
            try:
                return super().construct_object(node, deep=deep)
            except (_NodeError, _DuplicateKey, yaml.YAMLError):
                raise
            except (ValueError, TypeError, AttributeError, OverflowError) as exc:
                reason = str(exc) if isinstance(exc, ValueError) else ""
                raise _NodeError(node, reason) from None

    return _Loader


def _line_map(node: Any, path: str, out: dict[str, int]) -> None:
    import yaml

    out[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            key = str(key_node.value)
            child = f"{path}.{key}" if path else key
            out[child] = key_node.start_mark.line + 1
            _line_map(value_node, child, out)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _line_map(item, f"{path}[{i}]", out)


def read_yaml(path: Path) -> tuple[Any, dict[str, int]]:
    """Parse a YAML file safely; PlanError naming file and line on any problem."""
    import yaml

    name = str(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise PlanError(_("{file}: no such file").format(file=name)) from None
    except IsADirectoryError:
        raise PlanError(_("{file}: is a folder, not a plan file").format(file=name)) from None
    except OSError as exc:
        raise PlanError(
            _("{file}: cannot read: {reason}").format(file=name, reason=exc.strerror)
        ) from None
    if len(raw) > MAX_PLAN_BYTES:
        raise PlanError(_("{file}: larger than 5 MB; not a plan file").format(file=name))
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise PlanError(
            _("{file}:{line}: not UTF-8 text (save the file as UTF-8)").format(file=name, line=line)
        ) from None
    if "\x00" in text:
        raise PlanError(_("{file}: contains NUL bytes; not a plan file").format(file=name))
    loader = _loader_class()(text)
    lines: dict[str, int] = {}
    try:
        node = loader.get_single_node()
        if node is None:
            raise PlanError(_("{file}: the file is empty").format(file=name))
        _line_map(node, "", lines)
        data = loader.construct_document(node)
    except _NodeError as exc:
        line = exc.node.start_mark.line + 1
        value = str(exc.node.value)[:40]
        tag = str(exc.node.tag).replace("tag:yaml.org,2002:", "!!")
        problem = _("'{value}' cannot be read as {tag}").format(value=value, tag=tag)
        if exc.reason:
            problem += f" ({exc.reason})"
        raise PlanError(_where(name, line, _place_at(lines, line), problem)) from None
    except _DuplicateKey as exc:
        problem = _("key '{key}' is written twice (lines {first} and {second})").format(
            key=exc.key, first=exc.first, second=exc.second
        )
        raise PlanError(_where(name, exc.second, _place_at(lines, exc.second), problem)) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 0
        problem = exc.problem or str(exc)
        if "python/" in str(exc) or "could not determine a constructor" in str(exc):
            problem = _("tag not allowed in a plan: {tag}").format(
                tag=_tag_of(str(exc)) or "!!python"
            )
        raise PlanError(
            _("{file}:{line}: YAML error: {problem}").format(file=name, line=line, problem=problem)
        ) from None
    except yaml.YAMLError as exc:
        raise PlanError(_("{file}: YAML error: {problem}").format(file=name, problem=exc)) from None
    except RecursionError:
        raise PlanError(_("{file}: nested too deeply").format(file=name)) from None
    finally:
        loader.dispose()
    return data, lines


def _place_at(lines: dict[str, int], line: int) -> str:
    """The deepest place in the document that starts on ``line`` ('' when none does)."""
    places = [p for p, n in lines.items() if n == line and p]
    return max(places, key=len) if places else ""


def _where(file: str, line: int, place: str, problem: str) -> str:
    return f"{file}:{line}: {place}: {problem}" if place else f"{file}:{line}: {problem}"


def _tag_of(message: str) -> str | None:
    m = re.search(r"'(tag:yaml\.org,2002:[^']+|![^']+)'", message)
    if not m:
        return None
    return m.group(1).replace("tag:yaml.org,2002:", "!!")


# --- validation ---------------------------------------------------------------------------


class _Checker:
    def __init__(self, file: str, lines: dict[str, int]) -> None:
        self.file = file
        self.lines = lines

    def fail(self, path: str, message: str) -> PlanError:
        line = self._line(path)
        where = f"{self.file}:{line}" if line else self.file
        return PlanError(f"{where}: {path}: {message}" if path else f"{where}: {message}")

    def _line(self, path: str) -> int | None:
        p = path
        while p:
            if p in self.lines:
                return self.lines[p]
            p = re.sub(r"(\.[^.\[]+|\[\d+\])$", "", p)
        return self.lines.get("")

    def mapping(
        self, value: Any, path: str, allowed: set[str], required: set[str]
    ) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise self.fail(
                path, _("expected a mapping (key: value), found {kind}").format(kind=_kind(value))
            )
        for key in value:
            if not isinstance(key, str) or key not in allowed:
                raise self.fail(
                    f"{path}.{key}" if path else str(key),
                    _("unknown field (allowed: {fields})").format(
                        fields=", ".join(sorted(allowed))
                    ),
                )
        for key in sorted(required):
            if key not in value or value[key] is None:
                raise self.fail(path, _("missing field '{field}'").format(field=key))
        return value

    def text(self, value: Any, path: str, *, optional: bool = False, limit: int = 100_000) -> Any:
        if value is None and optional:
            return None
        if isinstance(value, date):
            # YAML reads an unquoted 2013-06-30 as a date; in a plan it is the text written.
            value = value.isoformat()
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            raise self.fail(path, _("expected text, found {kind}").format(kind=_kind(value)))
        text = str(value)
        if "\x00" in text:
            raise self.fail(path, _("contains a NUL character (\\0); not allowed in a plan"))
        if not text.strip():
            raise self.fail(path, _("must not be empty"))
        if len(text) > limit:
            raise self.fail(path, _("longer than {n} characters").format(n=limit))
        return text

    def integer(self, value: Any, path: str, *, low: int = 1, high: int = 10_000) -> int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.fail(
                path, _("expected a whole number, found {kind}").format(kind=_kind(value))
            )
        if not low <= value <= high:
            raise self.fail(
                path,
                _("must be from {low} to {high}, not {value}").format(
                    low=low, high=high, value=value if abs(value) < 10**12 else "…"
                ),
            )
        return value

    def number(self, value: Any, path: str) -> float:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise self.fail(path, _("expected a number, found {kind}").format(kind=_kind(value)))
        try:
            number = float(value)
        except OverflowError:
            number = float("inf")
        if number == float("inf"):
            raise self.fail(
                path,
                _("number too large ({digits} digits)").format(
                    digits=len(str(value).lstrip("-").split(".")[0])
                ),
            )
        if not number > 0 or number != number:
            raise self.fail(path, _("must be a positive number, not {value}").format(value=value))
        return number

    def listing(self, value: Any, path: str) -> list[Any]:
        if value is None:
            return []
        if not isinstance(value, list):
            raise self.fail(path, _("expected a list, found {kind}").format(kind=_kind(value)))
        return value

    def guarded(self, path: str, fn: Callable[[], Any]) -> Any:
        try:
            return fn()
        except BadInput as exc:
            raise self.fail(path, exc.message) from None


def _kind(value: Any) -> str:
    if value is None:
        return _("nothing")
    if isinstance(value, bool):
        return _("true/false")
    if isinstance(value, (int, float)):
        return _("a number")
    if isinstance(value, str):
        return _("text")
    if isinstance(value, list):
        return _("a list")
    if isinstance(value, dict):
        return _("a mapping")
    return type(value).__name__


_PLAN_FIELDS = {"version", "year", "title", "preamble", "source", "units", "sections"}
_SECTION_FIELDS = {"number", "title", "tasks"}
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
_TARGET_FIELDS = {"key", "label", "target", "unit", "phrase"}


def build_plan(data: Any, lines: dict[str, int], file: str) -> Plan:
    c = _Checker(file, lines)
    doc = c.mapping(data, "", _PLAN_FIELDS, {"version", "year", "title", "sections"})
    version = c.integer(doc["version"], "version", low=1, high=10_000)
    if version != 1:
        raise c.fail(
            "version",
            _("unsupported plan format version {v} (this pufa reads 1)").format(v=version),
        )
    year = c.integer(doc["year"], "year", low=1900, high=2999)
    title = c.text(doc["title"], "title", limit=500)
    preamble = c.text(doc.get("preamble"), "preamble", optional=True) or ""
    source = c.text(doc.get("source"), "source", optional=True, limit=1000) or ""

    units: list[str] = []
    for i, raw in enumerate(c.listing(doc.get("units"), "units")):
        name = c.guarded(
            f"units[{i}]", partial(normalize_name, c.text(raw, f"units[{i}]", limit=200))
        )
        if name in units:
            raise c.fail(f"units[{i}]", _("unit '{name}' is listed twice").format(name=name))
        units.append(name)

    def unit_ref(raw: Any, path: str) -> str:
        name = c.guarded(path, partial(normalize_name, c.text(raw, path, limit=200)))
        if name not in units:
            raise c.fail(path, _("unit '{name}' is not in the plan's units list").format(name=name))
        return str(name)

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
        tasks: list[Task] = []
        for ti, raw_task in enumerate(c.listing(sec.get("tasks"), f"{sp}.tasks")):
            tp = f"{sp}.tasks[{ti}]"
            t = c.mapping(raw_task, tp, _TASK_FIELDS, {"number", "title"})
            tnum = c.integer(t["number"], f"{tp}.number")
            if tnum in task_numbers:
                raise c.fail(f"{tp}.number", _("task number {n} is used twice").format(n=tnum))
            task_numbers.add(tnum)
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
            else:
                # No timing: due at the end of the plan year (written down, never guessed).
                due_word, due = "年底", date(year, 12, 31)
            lead = unit_ref(t["lead"], f"{tp}.lead") if t.get("lead") is not None else None
            support: list[str] = []
            for ui, raw_unit in enumerate(c.listing(t.get("support"), f"{tp}.support")):
                name = unit_ref(raw_unit, f"{tp}.support[{ui}]")
                if name == lead or name in support:
                    raise c.fail(
                        f"{tp}.support[{ui}]", _("unit '{name}' is named twice").format(name=name)
                    )
                support.append(name)
            targets: list[Target] = []
            for gi, raw_target in enumerate(c.listing(t.get("targets"), f"{tp}.targets")):
                gp = f"{tp}.targets[{gi}]"
                g = c.mapping(raw_target, gp, _TARGET_FIELDS, {"key", "label", "target", "unit"})
                key = c.text(g["key"], f"{gp}.key", limit=40)
                if not KEY_RE.match(key):
                    raise c.fail(
                        f"{gp}.key",
                        _(
                            "target key '{key}' must be lower-case letters, digits and _ "
                            "(e.g. bases)"
                        ).format(key=key),
                    )
                if any(x.key == key for x in targets):
                    raise c.fail(f"{gp}.key", _("target key '{key}' is used twice").format(key=key))
                targets.append(
                    Target(
                        key=key,
                        label=c.text(g["label"], f"{gp}.label", limit=500),
                        target=c.number(g["target"], f"{gp}.target"),
                        unit=c.text(g["unit"], f"{gp}.unit", limit=20),
                        phrase=c.text(g.get("phrase"), f"{gp}.phrase", optional=True),
                    )
                )
            tasks.append(
                Task(
                    number=tnum,
                    title=ttitle,
                    text=ttext,
                    due_word=due_word,
                    due=due,
                    checks=tuple(checks),
                    timing=c.text(t.get("timing"), f"{tp}.timing", optional=True),
                    responsible=c.text(t.get("responsible"), f"{tp}.responsible", optional=True),
                    lead=lead,
                    support=tuple(support),
                    targets=tuple(targets),
                )
            )
        sections.append(Section(snum, stitle, tuple(tasks)))
    return Plan(year, title, preamble, source, tuple(units), tuple(sections))


def load_plan_file(path: Path | str) -> Plan:
    """Read and validate a plan file; PlanError (exit 2) on the first problem."""
    p = Path(path)
    data, lines = read_yaml(p)
    return build_plan(data, lines, str(path))
