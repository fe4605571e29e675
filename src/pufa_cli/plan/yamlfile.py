"""Reading a plan file's YAML safely, in one pass over the parser's events.

The file's events come from libyaml (PyYAML's C parser, ``yaml.CSafeLoader``) when PyYAML was
built with it, else from PyYAML's pure-Python parser; either way one builder (``_build``)
turns them into Python values as ``yaml.safe_load`` would, and refuses on the way:

* a file larger than ``MAX_PLAN_BYTES``, before it is read;
* more than ``MAX_ALIASES`` aliases (``*ref``): an alias bomb ("billion laughs") is refused at
  its 51st alias, before anything expands;
* a key written twice in one mapping (YAML keeps the last silently: a doubled ``sections:``
  once dropped every task), naming both lines;
* a tag PyYAML's safe loader cannot construct (``!!python/…``, ``!foo``), and any tag on a
  list or mapping other than ``!!seq``/``!!map``;
* a value YAML cannot read as its type (``!!int abc``, ``2013-02-30``), naming its line;
* nesting deeper than ``MAX_DEPTH``.

No node tree and no line map of the whole document is kept (at 100,000 tasks they took most of
a gigabyte): the lines that error messages name are found when a message needs them, by reading
the events again (``PlanLines``).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from pufa_cli.errors import PlanError
from pufa_cli.i18n import _

# A plan of 100,000 tasks (a city's year) is ~30 MB; 200 MB leaves room for long texts.
MAX_PLAN_BYTES = 200 * 1024 * 1024
MAX_ALIASES = 50
MAX_DEPTH = 100  # a plan nests about 10 deep

_STR = "tag:yaml.org,2002:str"
_INT = "tag:yaml.org,2002:int"
_MAP = "tag:yaml.org,2002:map"
_SEQ = "tag:yaml.org,2002:seq"
_MERGE = "tag:yaml.org,2002:merge"
# The scalar tags PyYAML's SafeConstructor builds; any other tag is refused.
_SCALAR_TAGS = (
    _STR,
    _INT,
    "tag:yaml.org,2002:null",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:binary",
    "tag:yaml.org,2002:timestamp",
)


class _NodeError(Exception):
    """A value YAML could not construct (``!!int abc``, ``2013-02-30``), with its node."""

    def __init__(self, node: Any, reason: str, place: str) -> None:
        super().__init__(reason)
        self.node = node
        self.reason = reason
        self.place = place


class _DuplicateKey(Exception):
    def __init__(self, key: str, first: int, second: int, place: str) -> None:
        super().__init__(key)
        self.key = key
        self.first = first
        self.second = second
        self.place = place


class _BadTag(Exception):
    def __init__(self, tag: str, line: int) -> None:
        super().__init__(tag)
        self.tag = tag
        self.line = line


class _TooDeep(Exception):
    pass


def c_loader() -> Any:
    """PyYAML's libyaml-based safe loader, or None when PyYAML was built without libyaml."""
    import yaml

    return getattr(yaml, "CSafeLoader", None)


def _event_source(raw: bytes, use_c: bool | None) -> Any:
    """A parser over ``raw`` (C when ``use_c`` is not False and libyaml is there)."""
    import yaml

    cls = c_loader() if use_c is not False else None
    return (cls or yaml.SafeLoader)(raw)


class _Frame:
    """A list or mapping being built: its value, the key waiting for its value, and (for a
    mapping) the line of each key so far (``seen``) and its merges (``<<``)."""

    __slots__ = ("is_map", "key", "label", "mark", "merges", "seen", "value")

    def __init__(self, value: Any, is_map: bool, mark: Any, label: Any) -> None:
        self.value = value
        self.is_map = is_map
        self.key: Any = _NO_KEY
        self.seen: dict[Any, int] | None = {} if is_map else None
        self.merges: list[tuple[Any, Any]] | None = None
        self.mark = mark
        self.label = label  # its key or index in its parent (for messages)


_NO_KEY = object()
_MERGE_KEY = object()


def _place(stack: list[_Frame], last: Any = _NO_KEY) -> str:
    """The place in the document being built, as ``sections[0].tasks[3].due``: each frame's
    label, then ``last`` (a key or index in the frame on top)."""
    path = ""
    labels = [f.label for f in stack[1:]]
    labels.append(last)
    for parent, label in zip(stack, labels, strict=True):
        if label is _NO_KEY:
            continue
        if label is _MERGE_KEY:
            label = "<<"
        if not parent.is_map:
            path = f"{path}[{label}]"
        else:
            path = f"{path}.{label}" if path else str(label)
    return path


def _child_label(frame: _Frame) -> Any:
    return frame.key if frame.is_map else len(frame.value)


def _build(source: Any) -> Any:
    """The document of ``source``'s events as Python values (``_EMPTY`` when there is none)."""
    import yaml
    from yaml.composer import ComposerError
    from yaml.constructor import ConstructorError, SafeConstructor
    from yaml.events import (
        AliasEvent,
        DocumentEndEvent,
        DocumentStartEvent,
        MappingEndEvent,
        MappingStartEvent,
        ScalarEvent,
        SequenceEndEvent,
        SequenceStartEvent,
        StreamEndEvent,
    )
    from yaml.nodes import ScalarNode

    get = source.get_event
    resolve = source.resolve
    construct = SafeConstructor()
    constructors = {tag: construct.yaml_constructors[tag] for tag in _SCALAR_TAGS[1:]}
    plain: dict[str, str] = {}  # plain scalar → its resolved tag, for the short ones
    anchors: dict[str, tuple[Any, Any, Any]] = {}  # anchor → (value, key ident, mark)
    aliases = 0
    stack: list[_Frame] = []
    root: Any = _EMPTY
    first_doc: Any = None

    get()  # StreamStartEvent
    while True:
        ev = get()
        cls = ev.__class__
        if cls is ScalarEvent:
            value = ev.value
            tag = ev.tag
            if tag is None or tag == "!":
                if ev.implicit[0]:
                    tag = plain.get(value)
                    if tag is None:
                        tag = resolve(ScalarNode, value, (True, False))
                        if len(value) < 40 and tag == _STR:
                            plain[value] = tag
                else:
                    tag = _STR
            if tag == _STR:
                obj: Any = value
            elif tag == _INT and value.isdigit() and (value[0] != "0" or value == "0"):
                obj = int(value)
            elif tag == _MERGE and stack and stack[-1].is_map and stack[-1].key is _NO_KEY:
                obj = _MERGE_KEY
            else:
                make = constructors.get(tag)
                if make is None:
                    raise _BadTag(tag, ev.start_mark.line + 1)
                node = ScalarNode(tag, value, ev.start_mark, ev.end_mark, style=ev.style)
                try:
                    obj = make(construct, node)
                except yaml.YAMLError:
                    raise
                except (ValueError, TypeError, AttributeError, OverflowError) as exc:
                    reason = str(exc) if isinstance(exc, ValueError) else ""
                    where = _place(stack, _child_label(stack[-1])) if stack else ""
                    raise _NodeError(node, reason, where) from None
            ident: Any = (tag, value)
            if ev.anchor is not None:
                _anchor(anchors, ev, obj, ident, ComposerError)
        elif cls is MappingStartEvent or cls is SequenceStartEvent:
            is_map = cls is MappingStartEvent
            tag = ev.tag
            if tag is not None and tag != "!" and tag != (_MAP if is_map else _SEQ):
                raise _BadTag(tag, ev.start_mark.line + 1)
            if len(stack) >= MAX_DEPTH:
                raise _TooDeep()
            obj = {} if is_map else []
            ident = None
            if ev.anchor is not None:
                _anchor(anchors, ev, obj, ident, ComposerError)
            label = _child_label(stack[-1]) if stack else None
            _attach(stack, obj, ident, ev, ConstructorError)
            stack.append(_Frame(obj, is_map, ev.start_mark, label))
            continue
        elif cls is MappingEndEvent or cls is SequenceEndEvent:
            frame = stack.pop()
            if frame.merges:
                _merge(frame, ConstructorError)
            if not stack:
                root = frame.value
            continue
        elif cls is AliasEvent:
            aliases += 1
            if aliases > MAX_ALIASES:
                raise yaml.YAMLError(
                    f"line {ev.start_mark.line + 1}: "
                    + _("more than {n} aliases (*refs): refused").format(n=MAX_ALIASES)
                )
            if ev.anchor not in anchors:
                raise ComposerError(
                    None, None, f"found undefined alias {ev.anchor!r}", ev.start_mark
                )
            obj, ident, _mark = anchors[ev.anchor]
        elif cls is DocumentStartEvent:
            if first_doc is not None:
                raise ComposerError(
                    "expected a single document in the stream",
                    first_doc,
                    "but found another document",
                    ev.start_mark,
                )
            first_doc = ev.start_mark
            anchors = {}
            continue
        elif cls is DocumentEndEvent:
            continue
        elif cls is StreamEndEvent:
            return root
        else:  # pragma: no cover - PyYAML has no other events
            continue
        # A scalar or an alias: the value of the frame on top (or the whole document).
        if stack:
            _attach(stack, obj, ident, ev, ConstructorError)
        else:
            root = obj


def _anchor(anchors: dict[str, Any], ev: Any, obj: Any, ident: Any, error: Any) -> None:
    if ev.anchor in anchors:
        raise error(
            f"found duplicate anchor {ev.anchor!r}; first occurrence",
            anchors[ev.anchor][2],
            "second occurrence",
            ev.start_mark,
        )
    anchors[ev.anchor] = (obj, ident, ev.start_mark)


def _attach(stack: list[_Frame], obj: Any, ident: Any, ev: Any, error: Any) -> None:
    """Put ``obj`` into the frame on top: an item, a key, or the value of the waiting key."""
    if not stack:
        return
    frame = stack[-1]
    if not frame.is_map:
        frame.value.append(obj)
        return
    key = frame.key
    if key is _NO_KEY:
        if obj is _MERGE_KEY:
            frame.key = obj
            return
        try:
            hash(obj)
        except TypeError:
            raise error(
                "while constructing a mapping", frame.mark, "found unhashable key", ev.start_mark
            ) from None
        seen = frame.seen
        assert seen is not None
        line = ev.start_mark.line + 1
        if ident is not None:
            first = seen.get(ident)
            if first is not None:
                raise _DuplicateKey(str(ident[1]), first, line, _place(stack, obj))
            seen[ident] = line
        frame.key = obj
        return
    frame.key = _NO_KEY
    if key is _MERGE_KEY:
        if frame.merges is None:
            frame.merges = []
        frame.merges.append((obj, ev.start_mark))
        return
    frame.value[key] = obj


def _merge(frame: _Frame, error: Any) -> None:
    """``<<: *base`` (or a list of them): the merged keys first, the mapping's own ones win;
    of a list of mappings, the first wins (as PyYAML's ``flatten_mapping``)."""
    merged: dict[Any, Any] = {}
    assert frame.merges is not None
    for value, mark in frame.merges:
        parts = value if isinstance(value, list) else [value]
        for part in reversed(parts):
            if not isinstance(part, dict):
                raise error(
                    "while constructing a mapping",
                    frame.mark,
                    "expected a mapping or list of mappings for merging, but found "
                    + type(part).__name__,
                    mark,
                )
            merged.update(part)
    merged.update(frame.value)
    frame.value.clear()
    frame.value.update(merged)


class _Empty:
    pass


_EMPTY = _Empty()


class PlanLines(Mapping[str, int]):
    """The line each place of a plan file starts on (``sections[0].tasks[3]`` → 17), found when
    asked: the events are read again, following only the places on the way to the one asked
    for. A mapping's key names the line of its value; the document itself is ``""``."""

    def __init__(self, raw: bytes, use_c: bool | None = None) -> None:
        self._raw = raw
        self._use_c = use_c
        self._known: dict[str, int | None] = {}

    def __getitem__(self, path: str) -> int:
        if path not in self._known:
            self._find(path)
        line = self._known.get(path)
        if line is None:
            raise KeyError(path)
        return line

    def __iter__(self) -> Iterator[str]:  # the places found so far
        return iter([p for p, line in self._known.items() if line is not None])

    def __len__(self) -> int:
        return sum(1 for line in self._known.values() if line is not None)

    def _find(self, wanted: str) -> None:
        for place, line in _walk_lines(self._raw, self._use_c, wanted):
            self._known.setdefault(place, line)
        self._known.setdefault(wanted, None)


def _on_the_way(place: str, wanted: str) -> bool:
    return wanted == place or (
        wanted.startswith(place) and (not place or wanted[len(place)] in ".[")
    )


def _walk_lines(raw: bytes, use_c: bool | None, wanted: str) -> Iterator[tuple[str, int]]:
    """(place, line) for every place on the way to ``wanted``, as the whole-document line map
    once named them: a mapping's value by its key's line, a list's item and the document by
    their own first line. Places off the way are passed over without a name."""
    import yaml
    from yaml.events import (
        CollectionEndEvent,
        CollectionStartEvent,
        MappingStartEvent,
        NodeEvent,
        ScalarEvent,
    )

    source = _event_source(raw, use_c)
    # Per open collection: [its place, or None off the way; is a mapping; for a mapping the
    # (key, line) waiting for its value, for a list the count of its items]
    stack: list[list[Any]] = []
    try:
        while source.check_event():
            ev = source.get_event()
            if isinstance(ev, CollectionEndEvent):
                stack.pop()
                continue
            if not isinstance(ev, NodeEvent):
                continue
            line = ev.start_mark.line + 1 if ev.start_mark is not None else 0
            place: str | None = None
            if not stack:
                place = ""
                yield "", line
            else:
                top = stack[-1]
                parent = top[0]
                if top[1] and top[2] is None:  # a key
                    key = ev.value if isinstance(ev, ScalarEvent) else None
                    top[2] = (key, line)
                elif top[1]:  # the value of a key
                    key, key_line = top[2]
                    top[2] = None
                    if parent is not None and key is not None:
                        child = f"{parent}.{key}" if parent else str(key)
                        if _on_the_way(child, wanted):
                            place = child
                            yield child, key_line
                else:
                    index = top[2] or 0
                    top[2] = index + 1
                    if parent is not None:
                        child = f"{parent}[{index}]"
                        if _on_the_way(child, wanted):
                            place = child
                            yield child, line
            if isinstance(ev, CollectionStartEvent):
                stack.append([place, isinstance(ev, MappingStartEvent), None])
    except yaml.YAMLError:
        return
    finally:
        source.dispose()


def read_yaml(path: Path, *, use_c: bool | None = None) -> tuple[Any, PlanLines]:
    """Parse a YAML file safely; PlanError naming file and line on any problem.

    ``use_c``: None takes libyaml when there, False the pure-Python parser (tests)."""
    import yaml

    from pufa_cli.files import read_limited

    name = str(path)
    raw = read_limited(
        path,
        MAX_PLAN_BYTES,
        PlanError,
        too_large=_("{file}: larger than {size} MB; not a plan file").format(
            file=name, size=MAX_PLAN_BYTES // (1024 * 1024)
        ),
        folder=_("{file}: is a folder, not a plan file").format(file=name),
    )
    try:
        raw.decode("utf-8")  # checked whole, then parsed from the bytes
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise PlanError(
            _("{file}:{line}: not UTF-8 text (save the file as UTF-8)").format(file=name, line=line)
        ) from None
    if b"\x00" in raw:
        raise PlanError(_("{file}: contains NUL bytes; not a plan file").format(file=name))
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    lines = PlanLines(raw, use_c)
    source = _event_source(raw, use_c)
    try:
        data = _build(source)
        if data is _EMPTY:
            raise PlanError(_("{file}: the file is empty").format(file=name))
    except _NodeError as exc:
        line = exc.node.start_mark.line + 1
        value = str(exc.node.value)[:40]
        tag = str(exc.node.tag).replace("tag:yaml.org,2002:", "!!")
        problem = _("'{value}' cannot be read as {tag}").format(value=value, tag=tag)
        if exc.reason:
            problem += f" ({exc.reason})"
        raise PlanError(_where(name, line, exc.place, problem)) from None
    except _DuplicateKey as exc:
        problem = _("key '{key}' is written twice (lines {first} and {second})").format(
            key=exc.key, first=exc.first, second=exc.second
        )
        raise PlanError(_where(name, exc.second, exc.place, problem)) from None
    except _BadTag as exc:
        tag = exc.tag.replace("tag:yaml.org,2002:", "!!")
        problem = _("tag not allowed in a plan: {tag}").format(tag=tag)
        raise PlanError(
            _("{file}:{line}: YAML error: {problem}").format(
                file=name, line=exc.line, problem=problem
            )
        ) from None
    except _TooDeep:
        raise PlanError(_("{file}: nested too deeply").format(file=name)) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else 0
        problem = exc.problem or str(exc)
        raise PlanError(
            _("{file}:{line}: YAML error: {problem}").format(file=name, line=line, problem=problem)
        ) from None
    except yaml.YAMLError as exc:
        raise PlanError(_("{file}: YAML error: {problem}").format(file=name, problem=exc)) from None
    finally:
        source.dispose()
    return data, lines


def _where(file: str, line: int, place: str, problem: str) -> str:
    return f"{file}:{line}: {place}: {problem}" if place else f"{file}:{line}: {problem}"
