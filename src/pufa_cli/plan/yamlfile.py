"""Reading a plan file's YAML safely, with the line of every place in the document."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from pufa_cli.errors import PlanError
from pufa_cli.i18n import _

MAX_PLAN_BYTES = 5 * 1024 * 1024
MAX_ALIASES = 50


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

    # A key's own line names it, not the line its block value starts on.
    out.setdefault(path, node.start_mark.line + 1)
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
