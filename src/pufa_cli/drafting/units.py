"""Who does the task: ``responsible`` (the source's phrase), ``lead``, ``support``.

Stated outright (sure): ``牽頭單位：X``, ``責任單位：X、Y``, ``配合單位：Y``, ``(X牽頭，Y配合)``,
``(X負責)``, ``由X牽頭/負責``, and the columns of a task table. Read from the sentence
(guessed, with a comment): a clause that opens with a unit and then a verb of duty —
``各部門各單位要``, ``有關部門單位應``, ``社區、學校、企業等單位,要``, ``區依法治區辦公室將``.
A named body (``區…辦公室``, ``…局``) becomes ``lead`` and is listed in the plan's ``units``;
a collective phrase (各…, 有關…, …等單位) stays in ``responsible`` only.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_SEP = re.compile(r"[、,，/；;\s]+")  # not 和: 區人力資源和社會保障局 is one unit
_CLAUSE_END = r"[。；;\n)）]"
_LABELLED = re.compile(
    rf"(?P<role>牽頭單位|牵头单位|責任單位|责任单位|配合單位|配合单位|協辦單位|协办单位)"
    rf"\s*[:：]\s*(?P<names>[^。；;\n)）:：]+?)(?=\s*(?:{_CLAUSE_END}|牽頭|牵头|責任|责任|配合|協辦|协办|$))"
)
_BRACKETED = re.compile(
    r"[(（](?P<lead>[^()（）]+?)(?:共同)?(?:牽頭|牵头|負責|负责)"
    r"(?:[,，、]\s*(?P<support>[^()（）]+?)(?:配合|參與|参与|協助|协助))?[)）]"
)
_BY = re.compile(r"由(?P<lead>[^,，。；;由]{2,40}?)(?:牽頭|牵头|負責|负责)")
_UNIT_SUFFIX = (
    r"(?:領導小組|领导小组|辦公室|办公室|委員會|委员会|工作組|工作组|中心|局|委|辦|办|院|部|庭|所|"
    r"隊|队|會|会|團|团|站|署|廳|厅|處|处|科|街道|鎮|镇|鄉|乡|聯|联)"
)
_NAMED = re.compile(rf"^(?:區|区|市|縣|县|鎮|镇|街道)[^,，。；;、\s]{{1,24}}?{_UNIT_SUFFIX}$")
_SUBJECT = re.compile(
    r"(?:^|(?<=[。；;,，\n]))\s*"
    r"(?P<who>各[^,，。；;、\s]{0,12}?(?:部門|部门|單位|单位|機關|机关|街道|社區|社区|辦事處|办事处|鄉鎮|乡镇|學校|学校)+"
    r"|有關[^,，。；;\s]{0,6}?(?:部門|部门|單位|单位)+|有关[^,，。；;\s]{0,6}?(?:部門|部门|單位|单位)+"
    r"|[^,，。；;\s]{2,30}?等(?:單位|单位|部門|部门)"
    rf"|(?:區|区|市|縣|县)[^,，。；;、\s]{{1,24}}?{_UNIT_SUFFIX})"
    r"\s*[,，]?\s*(?=要|應|应|將|将|須|须|根據|根据|負責|负责|每年|牽頭|牵头)"
)


@dataclass
class Responsibility:
    responsible: str | None = None
    lead: str | None = None
    support: list[str] = field(default_factory=list)
    guessed: bool = False
    # Further lead units (共同牽頭: 牽頭單位：X、Y): written as ``lead: [X, Y]`` (format 2).
    coleads: list[str] = field(default_factory=list)

    def units(self) -> list[str]:
        return ([self.lead] if self.lead else []) + self.coleads + self.support


def split_names(text: str) -> list[str]:
    return [n.strip() for n in _SEP.split(text) if n.strip()]


def is_named_unit(name: str) -> bool:
    """A specific body (區司法局), not a collective phrase (各部門各單位, 有關單位)."""
    return bool(_NAMED.match(name)) and not is_collective(name)


def from_fields(row: dict[str, str]) -> Responsibility:
    """A task-table row's 牽頭單位 / 責任單位 / 配合單位 columns (stated, not guessed)."""
    r = Responsibility(responsible=row.get("responsible"))
    leads = split_names(row.get("lead", ""))
    if not leads and r.responsible:
        leads = split_names(r.responsible)[:1]
    r.lead = leads[0] if leads else None
    r.coleads = leads[1:]  # several units in the 牽頭單位 column lead together
    r.support = [n for n in split_names(row.get("support", "")) if n not in leads]
    if row.get("responsible") is None and row.get("lead"):
        r.responsible = row["lead"]
    return r


def find_responsibility(text: str) -> Responsibility:
    """The responsibility stated or implied in a task's paragraph."""
    r = Responsibility()
    for labelled in _LABELLED.finditer(text):
        names = split_names(labelled.group("names"))
        role = labelled.group("role")
        if role.startswith(("牽", "牵")):
            # 牽頭單位：X、Y: X and Y lead together (co-leads, format version 2)
            r.lead = r.lead or (names[0] if names else None)
            r.coleads += [n for n in names if n != r.lead]
        elif role.startswith(("責", "责")):
            r.responsible = labelled.group("names").strip()
            if r.lead is None and names:
                # One lead in format version 1: the first named; the others support.
                r.lead = names[0]
                r.support += names[1:]
        else:
            r.support += names
    if r.lead or r.responsible:
        return _tidy(r)
    m = _BRACKETED.search(text) or _BY.search(text)
    if m:
        r.lead = m.group("lead").strip()
        names = split_names(r.lead)
        if len(names) > 1 and re.search("牽頭|牵头", m.group(0)):
            r.lead, r.coleads = names[0], names[1:]  # (X、Y共同牽頭): co-leads
        r.responsible = m.group(0).strip("()（）")
        if m.re is _BRACKETED and m.group("support"):
            r.support = split_names(m.group("support"))
        return _tidy(r)
    subject = _SUBJECT.search(text)
    if subject:
        who = subject.group("who").strip()
        r.responsible, r.guessed = who, True
        if is_named_unit(who):
            r.lead = who
    return r


def is_collective(name: str) -> bool:
    """各街道, 有關部門, 社區、學校等單位: many units, not one (format version 2 has groups)."""
    return name.startswith(("各", "有關", "有关", "相關", "相关")) or "等" in name


def _tidy(r: Responsibility) -> Responsibility:
    if r.lead and not r.responsible:
        r.responsible = r.lead
    if r.lead and is_collective(r.lead):
        r.lead = None  # stays in `responsible`
    coleads: list[str] = []
    for name in r.coleads:
        if r.lead and name != r.lead and name not in coleads and not is_collective(name):
            coleads.append(name)
    r.coleads = coleads
    seen: list[str] = []
    for name in r.support:
        if name != r.lead and name not in seen + coleads and not is_collective(name):
            seen.append(name)
    r.support = seen
    return r
