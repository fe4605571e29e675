#!/usr/bin/env python3
"""Keep pufa's translation catalogs in step with the source: one command, standard library only.

    python scripts/catalogs.py              # extract, merge into every .po, compile every .mo
    python scripts/catalogs.py --check      # write nothing; exit 1 if any catalog is behind
    python scripts/catalogs.py --add ja     # start a catalog for a new language
    python scripts/catalogs.py --drop-obsolete   # … and delete translations no longer used
    python scripts/catalogs.py --todo zh_Hans > todo.json   # what still needs a translator …
    python scripts/catalogs.py --fill zh_Hans todo.json     # … and its translations, filled in

What one run does:

1. **Extract** every message from ``src/pufa_cli/**/*.py`` with Python's own parser (``ast``):
   the literal first argument of ``_("…")`` and ``N_("…")``, the two literals of
   ``ngettext("…", "…", n)`` and of ``pgettext("context", "…")``, the three of
   ``npgettext("context", "…", "…", n)``. Adjacent literals joined by
   Python count as one message. An f-string or an expression built with ``+`` or ``%`` inside
   ``_()`` cannot be translated and is reported as a problem (``.format(...)`` goes *after*
   the call).
2. **Merge** them into each ``src/pufa_cli/locale/<lang>/LC_MESSAGES/pufa.po``: translations are
   kept; new messages arrive untranslated (or, when an old message that left the source looks
   much the same, with its old translation marked ``#, fuzzy`` for review); messages no longer in
   the source stay at the end as obsolete ``#~`` entries until ``--drop-obsolete``.
3. **Compile** each ``.po`` into the ``pufa.mo`` next to it (the logic of CPython's
   ``Tools/i18n/msgfmt.py``; fuzzy and untranslated messages are left out, so they show in
   English).

Then it prints, per catalog, every message that still needs a translator (untranslated or fuzzy)
and every translation whose ``{placeholders}`` differ from its message's. ``tests/test_i18n.py``
uses the same functions, so the test and this command always agree.
"""

from __future__ import annotations

import argparse
import ast
import difflib
import json
import re
import string
import struct
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "src" / "pufa_cli"
LOCALE = PACKAGE / "locale"
DOMAIN = "pufa"
# Call name → number of literal arguments: [context,] msgid [, plural].
KEYWORDS = {"_": 1, "N_": 1, "ngettext": 2, "pgettext": 2, "npgettext": 3}
CONTEXT_CALLS = ("pgettext", "npgettext")
PLURAL_CALLS = ("ngettext", "npgettext")
CONTEXT_SEP = "\x04"  # gettext joins a msgctxt and its msgid with EOT
# Plural rules per language (gettext Plural-Forms); languages not listed get English's.
PLURAL_FORMS = {"zh": "nplurals=1; plural=0;", "ja": "nplurals=1; plural=0;"}
FUZZY_CUTOFF = 0.8


# --- extraction -----------------------------------------------------------------------------


def message_key(msgid: str, context: str | None) -> str:
    """How gettext looks a message up: ``context + EOT + msgid``, or the msgid alone."""
    return msgid if context is None else f"{context}{CONTEXT_SEP}{msgid}"


@dataclass
class Message:
    msgid: str
    plural: str | None = None
    files: list[str] = field(default_factory=list)
    context: str | None = None

    @property
    def key(self) -> str:
        return message_key(self.msgid, self.context)


@dataclass
class Extraction:
    messages: dict[str, Message]
    problems: list[str]


def _literal(node: ast.expr) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return None


def _callee(node: ast.Call) -> str | None:
    func = node.func
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute) and func.attr in ("ngettext", "pgettext", "npgettext", "N_"):
        return func.attr
    return None


def _shadowing(tree: ast.AST, rel: str) -> Iterable[str]:
    """A function that both assigns ``_`` and calls ``_()`` calls the wrong thing."""
    for fn in ast.walk(tree):
        if not isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            continue
        stores = calls = False
        for node in ast.walk(fn):
            if isinstance(node, ast.Name) and node.id == "_" and isinstance(node.ctx, ast.Store):
                stores = True
            if isinstance(node, ast.Call) and _callee(node) == "_":
                calls = True
        if stores and calls:
            yield f"{rel}:{fn.lineno}: assigns to '_' and calls _(): rename the throwaway variable"


def extract(package: Path | None = None) -> Extraction:
    """Every message of the package, in order of first appearance (files sorted by path)."""
    package = package or PACKAGE
    messages: dict[str, Message] = {}
    problems: list[str] = []
    for path in sorted(package.rglob("*.py")):
        rel = path.relative_to(package.parents[1]).as_posix()
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        problems.extend(_shadowing(tree, rel))
        calls = [n for n in ast.walk(tree) if isinstance(n, ast.Call) and _callee(n) in KEYWORDS]
        for node in sorted(calls, key=lambda n: (n.lineno, n.col_offset)):
            name = str(_callee(node))
            wanted = KEYWORDS[name]
            args = node.args[:wanted]
            texts = [_literal(a) for a in args]
            if len(args) < wanted or any(t is None for t in texts):
                bad = next((a for a, t in zip(args, texts, strict=True) if t is None), None)
                if bad is None or isinstance(bad, (ast.JoinedStr, ast.BinOp, ast.Call)):
                    problems.append(
                        f"{rel}:{node.lineno}: {name}() needs a plain string literal "
                        "(no f-string, + or %; call .format() on the result)"
                    )
                # A name or subscript: a message marked elsewhere with N_(); nothing to extract.
                continue
            context = str(texts[0]) if name in CONTEXT_CALLS else None
            msgid = str(texts[1] if name in CONTEXT_CALLS else texts[0])
            if not msgid:
                problems.append(f"{rel}:{node.lineno}: {name}('') is reserved for the header")
                continue
            plural = str(texts[-1]) if name in PLURAL_CALLS else None
            key = message_key(msgid, context)
            msg = messages.setdefault(key, Message(msgid, plural, context=context))
            if plural is not None and msg.plural not in (None, plural):
                problems.append(f"{rel}:{node.lineno}: '{msgid}' has two different plurals")
            msg.plural = msg.plural or plural
            if rel not in msg.files:
                msg.files.append(rel)
    return Extraction(messages, problems)


def placeholders(text: str) -> set[str]:
    """The ``{name!r:spec}`` fields of a str.format template (``{{`` is a literal brace)."""
    try:
        return {
            f"{{{name}{'!' + conv if conv else ''}{':' + spec if spec else ''}}}"
            for _lit, name, spec, conv in string.Formatter().parse(text)
            if name is not None
        }
    except ValueError:
        return {"<unbalanced braces>"}


# --- .po files ------------------------------------------------------------------------------


@dataclass
class Entry:
    msgid: str
    msgstr: list[str]  # one form, or several for a plural message
    plural: str | None = None
    comments: list[str] = field(default_factory=list)  # translator comments, without '# '
    files: list[str] = field(default_factory=list)
    flags: list[str] = field(default_factory=list)
    obsolete: bool = False
    context: str | None = None

    @property
    def key(self) -> str:
        return message_key(self.msgid, self.context)

    @property
    def fuzzy(self) -> bool:
        return "fuzzy" in self.flags

    @property
    def translated(self) -> bool:
        return not self.fuzzy and all(self.msgstr) and bool(self.msgstr)


@dataclass
class Catalog:
    header: str
    header_comments: list[str]
    entries: list[Entry]

    def by_key(self) -> dict[str, Entry]:
        """Entries by their lookup key (the msgid, or ``context + EOT + msgid``)."""
        return {e.key: e for e in self.entries}


def _unquote(token: str, where: str) -> str:
    token = token.strip()
    if not (len(token) >= 2 and token[0] == token[-1] == '"'):
        raise ValueError(f"{where}: expected a quoted string, found {token!r}")
    return str(ast.literal_eval(token))


@dataclass
class _Draft:
    """An entry being read: fields arrive line by line."""

    msgid: str | None = None
    plural: str | None = None
    context: str | None = None
    forms: dict[int, str] = field(default_factory=dict)
    comments: list[str] = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    flags: list[str] = field(default_factory=list)
    obsolete: bool = False
    last: str = ""  # the field a continuation line extends: msgid, plural or a form index

    def extend(self, piece: str, where: str) -> None:
        if self.last == "msgid" and self.msgid is not None:
            self.msgid += piece
        elif self.last == "context" and self.context is not None:
            self.context += piece
        elif self.last == "plural" and self.plural is not None:
            self.plural += piece
        elif self.last.isdigit():
            self.forms[int(self.last)] += piece
        else:
            raise ValueError(f"{where}: a continuation line outside an entry")


def parse_po(text: str, name: str = "<po>") -> Catalog:
    """Parse a .po file as gettext tools write it."""
    cat = Catalog("", [], [])
    draft = _Draft()
    seen_header = False

    def finish() -> None:
        nonlocal draft, seen_header
        d, draft = draft, _Draft()
        if d.msgid is None:
            if d.context is not None:
                raise ValueError(f"{name}: msgctxt {d.context!r} without a msgid")
            if not seen_header:
                cat.header_comments.extend(d.comments)
            return
        forms = [d.forms[i] for i in sorted(d.forms)] or [""]
        if d.msgid == "" and d.context is None and not d.obsolete:
            cat.header, seen_header = forms[0], True
            cat.header_comments.extend(d.comments)
            return
        cat.entries.append(
            Entry(d.msgid, forms, d.plural, d.comments, d.files, d.flags, d.obsolete, d.context)
        )

    # Lines end at "\n" only: str.splitlines() would also break at U+2028, U+0085, \x0b, \x1c …,
    # which a message may hold raw inside its quotes.
    for lineno, raw in enumerate(text.split("\n"), 1):
        where = f"{name}:{lineno}"
        line = raw.strip()
        obsolete = line.startswith("#~")
        if obsolete:
            line = line[2:].strip()
        elif line.startswith("#"):
            if draft.msgid is not None:
                finish()  # comments open the next entry
            if line.startswith("#,"):
                draft.flags += [f.strip() for f in line[2:].split(",") if f.strip()]
            elif line.startswith("#:"):
                for ref in line[2:].split():
                    path, _sep, num = ref.rpartition(":")
                    draft.files.append(path if num.isdigit() else ref)
            elif not line.startswith(("#.", "#|")):
                # Translator comments are kept; extracted ones (#.) and previous msgids (#|)
                # are regenerated.
                draft.comments.append(line[1:].strip())
            continue
        if not line:
            if draft.msgid is not None:
                finish()
            continue
        if line.startswith("msgctxt"):
            if draft.msgid is not None:
                finish()
            draft.context, draft.last = _unquote(line[len("msgctxt") :], where), "context"
        elif line.startswith("msgid_plural"):
            draft.plural, draft.last = _unquote(line[len("msgid_plural") :], where), "plural"
        elif line.startswith("msgid"):
            if draft.msgid is not None:
                finish()
            draft.msgid, draft.last = _unquote(line[len("msgid") :], where), "msgid"
        elif line.startswith("msgstr["):
            index = int(line[len("msgstr[") : line.index("]")])
            draft.forms[index] = _unquote(line[line.index("]") + 1 :], where)
            draft.last = str(index)
        elif line.startswith("msgstr"):
            draft.forms[0], draft.last = _unquote(line[len("msgstr") :], where), "0"
        elif line.startswith('"'):
            draft.extend(_unquote(line, where), where)
        else:
            raise ValueError(f"{where}: cannot read {raw!r}")
        draft.obsolete = draft.obsolete or obsolete
    finish()
    return cat


def _quote(text: str) -> str:
    out = (
        text.replace("\\", "\\\\")
        .replace('"', '\\"')
        .replace("\t", "\\t")
        .replace("\r", "\\r")
        .replace("\n", "\\n")
    )
    return f'"{out}"'


def _field(keyword: str, text: str, prefix: str = "") -> list[str]:
    # Split only after embedded newlines (as gettext does for the header); no width wrapping,
    # so a changed message is a one-line diff.
    if "\n" in text[:-1]:
        parts = [p for p in re.split(r"(?<=\n)", text) if p]  # not splitlines(): see parse_po
        return [f'{prefix}{keyword} ""'] + [f"{prefix}{_quote(p)}" for p in parts]
    return [f"{prefix}{keyword} {_quote(text)}"]


def format_po(cat: Catalog) -> str:
    lines = [f"# {c}".rstrip() for c in cat.header_comments]
    lines += _field("msgid", "") + _field("msgstr", cat.header)
    live = [e for e in cat.entries if not e.obsolete]
    dead = [e for e in cat.entries if e.obsolete]
    for e in live + dead:
        lines.append("")
        prefix = "#~ " if e.obsolete else ""
        lines += [f"# {c}".rstrip() for c in e.comments]
        if e.files and not e.obsolete:
            lines.append("#: " + " ".join(e.files))
        if e.flags:
            lines.append("#, " + ", ".join(e.flags))
        if e.context is not None:
            lines += _field("msgctxt", e.context, prefix)
        lines += _field("msgid", e.msgid, prefix)
        if e.plural is not None:
            lines += _field("msgid_plural", e.plural, prefix)
            for i, form in enumerate(e.msgstr):
                lines += _field(f"msgstr[{i}]", form, prefix)
        else:
            lines += _field("msgstr", e.msgstr[0] if e.msgstr else "", prefix)
    return "\n".join(lines) + "\n"


# --- merge ----------------------------------------------------------------------------------


def _nplurals(header: str) -> int:
    m = re.search(r"nplurals\s*=\s*(\d+)", header)
    return int(m.group(1)) if m else 2


def _flags_for(msgid: str, kept: Iterable[str]) -> list[str]:
    flags = [f for f in kept if f not in ("python-brace-format", "no-python-brace-format")]
    if placeholders(msgid):
        flags.append("python-brace-format")
    return flags


def merge(cat: Catalog, extraction: Extraction) -> Catalog:
    """The catalog with exactly the source's messages, old translations kept."""
    old = cat.by_key()
    nplurals = _nplurals(cat.header)
    entries: list[Entry] = []
    for msg in extraction.messages.values():
        prev = old.get(msg.key)
        forms = 1 if msg.plural is None else nplurals
        entry = Entry(msg.msgid, [""] * forms, msg.plural, files=msg.files, context=msg.context)
        if prev is not None:
            entry.msgstr = (prev.msgstr + [""] * forms)[:forms]
            entry.comments, entry.flags = prev.comments, prev.flags
        entry.flags = _flags_for(msg.msgid, entry.flags)
        entries.append(entry)
    # A new message close to a translated one (reworded, or a near twin) starts from that
    # translation, marked fuzzy: it needs a review, not a translation from scratch.
    gone = {e.key: e for e in cat.entries if e.key not in extraction.messages and any(e.msgstr)}
    pool = {e.key: e for e in cat.entries if e.translated or e.key in gone}
    for entry in entries:
        if any(entry.msgstr) or not pool:
            continue
        close = difflib.get_close_matches(entry.key, list(pool), n=1, cutoff=FUZZY_CUTOFF)
        if close:
            src = pool[close[0]]
            if gone.pop(src.key, None) is not None:
                del pool[src.key]  # a reworded message: its old entry is used up
            entry.msgstr = (src.msgstr + [""] * len(entry.msgstr))[: len(entry.msgstr)]
            entry.flags = _flags_for(entry.msgid, ["fuzzy", *entry.flags])
    for e in gone.values():
        entries.append(Entry(e.msgid, e.msgstr, e.plural, e.comments, [], e.flags, True, e.context))
    return Catalog(cat.header, cat.header_comments, entries)


# --- .mo files ------------------------------------------------------------------------------


def compiled(cat: Catalog) -> dict[bytes, bytes]:
    """The messages a .mo holds: the header and every translated, non-fuzzy entry."""
    out = {b"": cat.header.encode("utf-8")}
    for e in cat.entries:
        if e.obsolete or not e.translated:
            continue
        key = e.key if e.plural is None else f"{e.key}\0{e.plural}"
        out[key.encode("utf-8")] = "\0".join(e.msgstr).encode("utf-8")
    return out


def format_mo(messages: dict[bytes, bytes]) -> bytes:
    """GNU .mo bytes (little-endian, no hash table), as CPython's msgfmt.py writes them."""
    keys = sorted(messages)
    ids = strs = b""
    offsets = []
    for k in keys:
        offsets.append((len(ids), len(k), len(strs), len(messages[k])))
        ids += k + b"\0"
        strs += messages[k] + b"\0"
    keystart = 7 * 4 + 16 * len(keys)
    valuestart = keystart + len(ids)
    koffsets: list[int] = []
    voffsets: list[int] = []
    for o1, l1, o2, l2 in offsets:
        koffsets += [l1, o1 + keystart]
        voffsets += [l2, o2 + valuestart]
    header = struct.pack("Iiiiiii", 0x950412DE, 0, len(keys), 7 * 4, 7 * 4 + len(keys) * 8, 0, 0)
    table = struct.pack(f"{len(koffsets)}i", *koffsets) + struct.pack(
        f"{len(voffsets)}i", *voffsets
    )
    return header + table + ids + strs


def read_mo(data: bytes) -> dict[bytes, bytes]:
    """The messages of a .mo file (either byte order)."""
    magic = struct.unpack("<I", data[:4])[0]
    order = "<" if magic == 0x950412DE else ">"
    _rev, count, koff, voff = struct.unpack(f"{order}4I", data[4:20])
    out = {}
    for i in range(count):
        klen, kpos = struct.unpack(f"{order}2I", data[koff + 8 * i : koff + 8 * i + 8])
        vlen, vpos = struct.unpack(f"{order}2I", data[voff + 8 * i : voff + 8 * i + 8])
        out[data[kpos : kpos + klen]] = data[vpos : vpos + vlen]
    return out


# --- the catalogs on disk -------------------------------------------------------------------


def catalog_paths(locale: Path | None = None) -> list[Path]:
    return sorted((locale or LOCALE).glob(f"*/LC_MESSAGES/{DOMAIN}.po"))


def language_of(po: Path) -> str:
    return po.parent.parent.name


@dataclass
class Report:
    language: str
    untranslated: list[str]
    fuzzy: list[str]
    bad_placeholders: list[str]
    obsolete: int
    po_stale: bool
    mo_stale: bool


def review(po: Path, extraction: Extraction) -> tuple[Catalog, Report]:
    current = parse_po(po.read_text(encoding="utf-8"), str(po))
    merged = merge(current, extraction)
    live = [e for e in merged.entries if not e.obsolete]
    mo = po.with_suffix(".mo")
    bad = []
    for e in live:
        if not e.translated:
            continue
        sources = [e.msgid] if e.plural is None else [e.plural] * len(e.msgstr)
        for src, form in zip(sources, e.msgstr, strict=True):
            if placeholders(form) != placeholders(e.msgid if e.plural is None else src):
                bad.append(e.key)
                break
    report = Report(
        language=language_of(po),
        untranslated=[e.key for e in live if not e.fuzzy and not e.translated],
        fuzzy=[e.key for e in live if e.fuzzy],
        bad_placeholders=bad,
        obsolete=sum(e.obsolete for e in merged.entries),
        po_stale=format_po(merged) != po.read_text(encoding="utf-8"),
        mo_stale=not mo.exists() or read_mo(mo.read_bytes()) != compiled(current),
    )
    return merged, report


def new_catalog(language: str) -> Catalog:
    """An empty catalog for ``language`` (a directory name such as ``ja`` or ``zh_Hant``)."""
    base = language.split("_")[0]
    header = (
        "Project-Id-Version: pufa\n"
        f"Language: {language}\n"
        "MIME-Version: 1.0\n"
        "Content-Type: text/plain; charset=UTF-8\n"
        "Content-Transfer-Encoding: 8bit\n"
        f"Plural-Forms: {PLURAL_FORMS.get(base, 'nplurals=2; plural=(n != 1);')}\n"
    )
    return Catalog(header, [f"{language} translations of pufa's messages."], [])


def _po_of(language: str) -> Path:
    po = LOCALE / language / "LC_MESSAGES" / f"{DOMAIN}.po"
    if not po.exists():
        known = ", ".join(language_of(p) for p in catalog_paths())
        raise SystemExit(f"no catalog for {language} (catalogs: {known})")
    return po


def fill(cat: Catalog, given: dict[str, str | list[str]]) -> int:
    """Set the translations in ``given`` (a list for a plural message); clears ``fuzzy``."""
    count = 0
    for e in cat.entries:
        value = given.get(e.key)
        if e.obsolete or not value:
            continue
        forms = [value] if isinstance(value, str) else list(value)
        e.msgstr = (forms * len(e.msgstr))[: len(e.msgstr)] if len(forms) == 1 else forms
        e.flags = [f for f in e.flags if f != "fuzzy"]
        count += 1
    return count


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--check", action="store_true", help="write nothing; exit 1 if any catalog is behind"
    )
    parser.add_argument("--add", metavar="LANG", help="create the catalog of a new language")
    parser.add_argument(
        "--drop-obsolete",
        action="store_true",
        help="delete the #~ entries of messages that left the source",
    )
    parser.add_argument(
        "--todo",
        metavar="LANG",
        help="print the messages of LANG that need a translator as JSON {msgid: suggestion}",
    )
    parser.add_argument(
        "--fill",
        nargs=2,
        metavar=("LANG", "JSON"),
        help="take translations from a JSON object {msgid: translation}, then run as usual",
    )
    args = parser.parse_args(argv)

    extraction = extract()
    if args.todo:
        _merged, rep = review(_po_of(args.todo), extraction)
        todo = {
            e.key: e.msgstr[0] for e in _merged.entries if e.key in rep.untranslated + rep.fuzzy
        }
        print(json.dumps(todo, ensure_ascii=False, indent=1))
        return 0
    if args.fill:
        po = _po_of(args.fill[0])
        given = json.loads(Path(args.fill[1]).read_text(encoding="utf-8"))
        cat = merge(parse_po(po.read_text(encoding="utf-8"), str(po)), extraction)
        filled = fill(cat, given)
        po.write_text(format_po(cat), encoding="utf-8")
        print(f"{po.relative_to(ROOT)}: {filled} translation(s) taken")
    for problem in extraction.problems:
        print(f"problem: {problem}", file=sys.stderr)
    if args.add:
        po = LOCALE / args.add / "LC_MESSAGES" / f"{DOMAIN}.po"
        if po.exists():
            print(f"{po.relative_to(ROOT)} exists already")
            return 1
        po.parent.mkdir(parents=True)
        po.write_text(format_po(new_catalog(args.add)), encoding="utf-8")
    behind = bool(extraction.problems)
    print(f"{len(extraction.messages)} messages in {PACKAGE.relative_to(ROOT)}")
    for po in catalog_paths():
        merged, rep = review(po, extraction)
        if args.drop_obsolete:
            merged.entries = [e for e in merged.entries if not e.obsolete]
            rep.obsolete = 0
        if not args.check:
            po.write_text(format_po(merged), encoding="utf-8")
            po.with_suffix(".mo").write_bytes(format_mo(compiled(merged)))
        todo = rep.untranslated + rep.fuzzy
        state = []
        if args.check and rep.po_stale:
            # Only references or obsolete entries differ when nothing else is reported: harmless.
            state.append(".po not merged yet")
        if args.check and rep.mo_stale:
            state.append(".mo stale")
        print(
            f"\n{rep.language}: {len(todo)} to translate ({len(rep.fuzzy)} fuzzy), "
            f"{len(rep.bad_placeholders)} with wrong placeholders, {rep.obsolete} obsolete"
            + (f"; {', '.join(state)}" if state else "")
        )
        for msgid in rep.untranslated:
            print(f"  untranslated: {msgid!r}")
        for msgid in rep.fuzzy:
            print(f"  fuzzy: {msgid!r}")
        for msgid in rep.bad_placeholders:
            print(f"  placeholders differ: {msgid!r}")
        behind = behind or bool(todo or rep.bad_placeholders or (args.check and rep.mo_stale))
    return 1 if behind and args.check else 0


if __name__ == "__main__":
    sys.exit(main())
