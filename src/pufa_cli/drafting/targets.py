"""Quantitative targets: a number with a measure word or a percent, or 全覆蓋 (100 %).

``建立100個…基地`` → 100 個, label 青少年法制教育基地 (what follows the measure word);
``表彰率達到95%以上`` → 95 %, label 社區受到各級表彰率 (what precedes, without the verb);
``學法時間不少于50小時`` → 50 小時; ``等四支隊伍`` → 4 支; ``達到全覆蓋`` → 100 %.
Not targets: ordinals (第五批), numbers inside quotes or book titles (“一長三員”, 《…》),
and period words (一季度, 12月). Each target's ``phrase`` is its clause, verbatim.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from pufa_cli.drafting.model import DraftTarget

# Measure words, longest first, each with the English word its key is made from.
_MEASURES: dict[str, str] = {
    "場次": "sessions", "场次": "sessions", "人次": "attendances", "小時": "hours",
    "小时": "hours", "課時": "lessons", "课时": "lessons", "學時": "hours", "学时": "hours",
    "萬人": "people", "万人": "people", "萬份": "copies", "万份": "copies",
    "個": "count", "个": "count", "場": "sessions", "场": "sessions", "次": "times",
    "名": "people", "人": "people", "期": "issues", "篇": "articles", "件": "items",
    "所": "places", "家": "bodies", "處": "places", "处": "places", "支": "teams",
    "批": "batches", "項": "items", "项": "items", "條": "items", "条": "items",
    "份": "copies", "冊": "copies", "册": "copies", "套": "sets", "塊": "boards",
    "块": "boards", "幅": "boards", "天": "days", "日": "days", "周": "weeks",
    "週": "weeks", "%": "rate", "％": "rate",
}  # fmt: skip
_CN_NUM = "零〇一二兩两三四五六七八九十百千萬万"
_MEASURE_RE = "|".join(re.escape(m) for m in sorted(_MEASURES, key=len, reverse=True))
_TARGET = re.compile(
    rf"(?P<num>[0-9０-９]+(?:[.．][0-9０-９]+)?|[{_CN_NUM}]+)\s*(?P<unit>{_MEASURE_RE})"
    r"|百分之(?P<pct>[0-9０-９]+(?:[.．][0-9０-９]+)?|[零〇一二兩两三四五六七八九十百]+)"
    r"|(?P<full>全覆蓋|全覆盖)"
)
# After a measure word these make it something else: 一次性, 三人行, 五天內 is still days.
_NOT_AFTER = re.compile(r"(?:性|民|員|员|級|级|屆|届|年|月|季|中|委|工作日)")
_BEFORE_WORDS = re.compile(
    r"^(?:使|要|力爭|力争|確保|确保|全區要|全区要|實現|实现|提高|達到|达到)+|"
    r"(?:達到|达到|不少於|不少于|不低於|不低于|不少於|超過|超过|至少|力爭|力争|在|為|为)+$"
)
_AFTER_WORDS = re.compile(r"^(?:以上|以內|以内|左右|及以上)")
_CLAUSE = re.compile(r"[,，;；。:：！？!?\n]")
_QUOTES = (("“", "”"), ("《", "》"), ("「", "」"), ("『", "』"), ('"', '"'))


@dataclass(frozen=True)
class _Span:
    start: int
    end: int


def cn_value(text: str) -> float | None:
    """Chinese numerals up to the ten thousands (兩千五百 → 2500), or digits; None if neither."""
    import unicodedata

    norm = unicodedata.normalize("NFKC", text).replace("．", ".")
    try:
        return float(norm)
    except ValueError:
        pass
    digits = {"零": 0, "〇": 0, "一": 1, "二": 2, "兩": 2, "两": 2, "三": 3, "四": 4, "五": 5}
    digits.update({"六": 6, "七": 7, "八": 8, "九": 9})
    scales = {"十": 10, "百": 100, "千": 1000, "萬": 10000, "万": 10000}
    total, current = 0, 0
    for ch in text:
        if ch in digits:
            current = digits[ch]
        elif ch in scales:
            scale = scales[ch]
            if scale == 10000:
                total = (total + current) * scale
            else:
                total += (current or 1) * scale
            current = 0
        else:
            return None
    return float(total + current) if total + current else None


def _quoted(text: str) -> list[_Span]:
    spans = []
    for open_, close in _QUOTES:
        pos = 0
        while (i := text.find(open_, pos)) != -1:
            j = text.find(close, i + 1)
            if j == -1:
                break
            spans.append(_Span(i, j + 1))
            pos = j + 1
    return spans


def _clause_bounds(text: str, start: int, end: int) -> tuple[int, int]:
    before = [m.end() for m in _CLAUSE.finditer(text, 0, start)]
    after = _CLAUSE.search(text, end)
    return (before[-1] if before else 0), (after.start() if after else len(text))


def _previous_clause(text: str, clause_start: int) -> str:
    head = text[: max(clause_start - 1, 0)]
    parts = _CLAUSE.split(head)
    return parts[-1] if parts else ""


_ITEM_MARK = re.compile(
    r"^(?:[(（]?[0-9０-９]{1,3}[)）.．、]|[(（][一二三四五六七八九十]{1,3}[)）]|[①-⑳])"
)


def _label(text: str, m: re.Match[str], clause: tuple[int, int]) -> str:
    return _ITEM_MARK.sub("", _raw_label(text, m, clause)).strip() or m.group(0)


def _raw_label(text: str, m: re.Match[str], clause: tuple[int, int]) -> str:
    after = _AFTER_WORDS.sub("", text[m.end() : clause[1]]).strip()
    if after and m.group("unit") not in ("%", "％") and not m.group("full"):
        return after
    before = text[clause[0] : m.start()]
    before = _BEFORE_WORDS.sub("", before).strip()
    before = re.sub(r"(?:等|約|约|共)$", "", before)
    if before:
        return before
    return _BEFORE_WORDS.sub("", _previous_clause(text, clause[0])).strip() or after or m.group(0)


def find_targets(text: str) -> list[DraftTarget]:
    """The targets in a task's paragraph, in order, with keys unique in the task."""
    quoted = _quoted(text)
    out: list[DraftTarget] = []
    for m in _TARGET.finditer(text):
        if any(q.start <= m.start() < q.end for q in quoted):
            continue
        value: float | None
        if m.group("full"):
            value, unit = 100.0, "%"
        elif m.group("pct"):
            value, unit = cn_value(m.group("pct")), "%"
        else:
            before = text[m.start() - 1 : m.start()] if m.start() > 0 else ""
            if before in ("第", "每", "月") or (before == "年" and m.group("unit") == "日"):
                continue  # 第五批 is an ordinal, 每一次 a frequency, 6月15日 a date
            if _NOT_AFTER.match(text, m.end()):
                continue
            value, unit = cn_value(m.group("num")), m.group("unit")
            unit = "%" if unit == "％" else unit
        if value is None or value <= 0:
            continue
        clause = _clause_bounds(text, m.start(), m.end())
        out.append(
            DraftTarget(
                key=_key(unit, out),
                label=_label(text, m, clause),
                target=value,
                unit=unit,
                phrase=text[clause[0] : clause[1]],
            )
        )
    return out


def _key(unit: str, taken: list[DraftTarget]) -> str:
    base = _MEASURES.get(unit, "target")
    keys = {t.key for t in taken}
    if base not in keys:
        return base
    n = 2
    while f"{base}_{n}" in keys:
        n += 1
    return f"{base}_{n}"
