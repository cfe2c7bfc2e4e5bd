"""Pinyin initials of Chinese names, so staff can find 王建国 by typing "wjg".

Surnames are read as surnames: several common ones are polyphonic characters whose everyday
reading differs (曾 zēng not céng, 单 shàn not dān, 解 xiè not jiě …), and pypinyin, reading
them as words, would store the wrong letter and the search would miss the person.
"""

import re
from functools import lru_cache

from pypinyin import Style, lazy_pinyin
from pypinyin.constants import RE_HANS

# A run of Chinese characters, as pypinyin splits text before reading it: each run is read on its
# own (the characters around it play no part), so a run's initials can be kept and reused.
_HAN_RUN = re.compile(RE_HANS.pattern.removeprefix("^").removesuffix("$"))

# First letters of polyphonic single-character surnames, where the common word reading differs.
_SURNAME_INITIAL = {
    "曾": "z",
    "单": "s",
    "解": "x",
    "仇": "q",
    "朴": "p",
    "查": "z",
    "区": "o",
    "盖": "g",
    "乐": "y",
    "尉": "y",
    "缪": "m",
    "覃": "q",
    "翟": "z",
    "种": "c",
    "折": "s",
    "召": "s",
    "繁": "p",
    "员": "y",
    "长": "c",
    "秘": "b",
    "柏": "b",
    "薄": "b",
    "沈": "s",
    "石": "s",
    "宿": "s",
    "叶": "y",
    "万": "w",
    "藏": "z",
    "重": "c",
    "华": "h",
    "纪": "j",
    "任": "r",
    "隗": "w",
    "冼": "x",
    "莘": "s",
    "臧": "z",
}
_COMPOUND_SURNAMES = {
    "欧阳",
    "司马",
    "诸葛",
    "上官",
    "司徒",
    "东方",
    "皇甫",
    "尉迟",
    "公孙",
    "慕容",
    "令狐",
    "长孙",
    "宇文",
    "夏侯",
    "轩辕",
    "端木",
    "南宫",
    "西门",
    "独孤",
    "澹台",
    "呼延",
    "申屠",
    "万俟",
    "单于",
}
_COMPOUND_INITIALS = {"尉迟": "yc", "长孙": "zs", "万俟": "mq", "单于": "cy"}


def initials(text: str) -> str:
    """Lower-case first letters of the pinyin of ``text`` (non-Chinese characters dropped)."""
    if not text:
        return ""
    return "".join(_run_initials(run) for run in _HAN_RUN.findall(text))


@lru_cache(maxsize=65536)
def _run_initials(run: str) -> str:
    # Surnames and given names repeat across a city: a bulk import of 60,000 accounts reads each
    # once instead of segmenting every name again (pypinyin is the slow part of making one).
    return "".join(p[0] for p in lazy_pinyin(run, style=Style.FIRST_LETTER, errors="ignore") if p).lower()


def surname_initials(surname: str) -> str:
    if surname in _COMPOUND_INITIALS:
        return _COMPOUND_INITIALS[surname]
    if len(surname) == 1 and surname in _SURNAME_INITIAL:
        return _SURNAME_INITIAL[surname]
    return initials(surname)


def person_initials(name: str) -> str:
    """Initials of a person's name, reading the first one or two characters as a surname."""
    if not name:
        return ""
    split = 2 if name[:2] in _COMPOUND_SURNAMES else 1
    return surname_initials(name[:split]) + initials(name[split:])
