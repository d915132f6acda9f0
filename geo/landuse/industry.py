"""The 国民经济行业分类 of each enterprise: its 门类 and 大类 under GB/T 4754—2017.

Source: GB/T 4754—2017《国民经济行业分类》（含 2019 年第 1 号修改单）. The bundled table
``data/reference/gbt4754_2017.csv`` holds the 20 门类 (A–T) and all 97 大类 (01–97) with their
names character for character; the 2019 修改单 changed 小类 only, so the 大类 are those of 2017.
门类 ranges: A 01–05, B 06–12, C 13–43 (制造业), D 44–46, E 47–50, F 51–52, G 53–60, H 61–62,
I 63–65, J 66–69, K 70, L 71–72, M 73–75, N 76–79, O 80–82, P 83, Q 84–85, R 86–90, S 91–96,
T 97 (国际组织). No 大类 is left out; 中类 and 小类 are not in the table, so a 3- or 4-digit code
is checked by its 大类 only.

Enterprises are grouped for the 亩均 ranking within industry (:func:`industry_groups`) from a
code officials type in many spellings ("C3911", "3911", "c 39", full-width "Ｃ３９", a code with
its name appended) or, when the code is missing, from the exact name of a 大类 or 门类. Nothing
is guessed: a code whose letter contradicts its 大类, an unknown 大类 or a name that is not
exactly one of the table's comes back without a group and with a Chinese problem text saying
what to fix.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

__all__ = ["SOURCE", "CLASSIFICATION_FILE", "INDUSTRY_LEVELS", "load_classification",
           "parse_industry_code", "industry_groups", "is_public_utility"]

#: The standard the table and the codes follow.
SOURCE = "GB/T 4754—2017《国民经济行业分类》（含 2019 年第 1 号修改单）"
#: The bundled reference table (a file of the tool, not one officials upload).
CLASSIFICATION_FILE = (Path(__file__).resolve().parents[2] / "data" / "reference"
                       / "gbt4754_2017.csv")
#: Levels an enterprise can be grouped at (the values of the table's ``level`` column).
INDUSTRY_LEVELS = ("门类", "大类")
_SECTION, _DIVISION = INDUSTRY_LEVELS
_COLUMNS = ("code", "level", "name", "section")
#: A code at the start of a cell: an optional 门类 letter, then optional digits.
_CODE = re.compile(r"([A-Z]?)\s*(\d*)")
#: What may separate a code from a name appended to it ("C39-计算机…", "3911 计算机整机制造").
_SEPARATORS = " \t-–—_:：、,，.。/|()（）[]【】"
_OUT_COLUMNS = ["industry_group", "industry_group_name", "industry_problem"]
#: One cell's (group, group name, problem, blank).
_Cell = tuple[str | None, str | None, str, bool]


def load_classification() -> pd.DataFrame:
    """Read the 门类 and 大类 of GB/T 4754—2017 from :data:`CLASSIFICATION_FILE`.

    Returns
    -------
    DataFrame
        ``code`` ("C" or "39"), ``level`` (门类 / 大类), ``name`` and ``section`` (the 门类
        letter; a 门类's own), all text, in the standard's order. A copy of the cached table,
        so a caller may change it freely.

    Raises
    ------
    ValueError
        If the bundled file lacks one of the four columns (the file has been edited).
    """
    return _table().copy()


@lru_cache(maxsize=1)
def _table() -> pd.DataFrame:
    """Return the table read once (see :func:`load_classification`)."""
    table = pd.read_csv(CLASSIFICATION_FILE, dtype=str, keep_default_na=False, encoding="utf-8")
    missing = [c for c in _COLUMNS if c not in table]
    if missing:
        raise ValueError(f"{CLASSIFICATION_FILE} lacks columns {missing}. Fix: restore the "
                         f"bundled file with header {','.join(_COLUMNS)}")
    return table.loc[:, list(_COLUMNS)]


@lru_cache(maxsize=1)
def _lookups() -> tuple[dict[str, str], dict[str, tuple[str, str]], dict[str, str]]:
    """门类 letter → name; 大类 code → (letter, name); normalised name → code ("C" or "C39")."""
    table = _table()
    sections = table[table["level"] == _SECTION]
    divisions = table[table["level"] == _DIVISION]
    section_names = dict(zip(sections["code"], sections["name"], strict=True))
    division_of = {code: (letter, name) for code, letter, name
                   in zip(divisions["code"], divisions["section"], divisions["name"], strict=True)}
    by_name = {_name_key(n): c for c, n in section_names.items()}
    # a 大类 named as its 门类 (房地产业, 教育, 国际组织) is the 大类: it says more
    by_name.update({_name_key(n): f"{s}{c}" for c, (s, n) in division_of.items()})
    return section_names, division_of, by_name


def _name_key(text: str) -> str:
    """Compare names without spaces and with full-/half-width forms (（） → ()) made one."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


def _text(value: object) -> str:
    """Return the cell as text ("" when missing); a spreadsheet's 3911.0 reads as 3911."""
    if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return unicodedata.normalize("NFKC", str(value)).strip()


def parse_industry_code(text: object) -> tuple[str | None, str]:
    """Read one GB/T 4754 code as officials write it and check it against the table.

    Accepted: "C3911", "c 3911", "3911", "391", "39", "C39", "C" (门类 only), full-width
    letters and digits, and any of these with a name appended after a space or a separator
    ("3911 计算机整机制造", "C39-计算机、通信和其他电子设备制造业"; the name is not checked).
    Only the 门类 letter and the 大类 (first two digits) are checked; 中类/小类 digits are kept
    as given. A number that lost its leading zero in a spreadsheet (0111 → 111) reads as the
    中类 111 of 大类 11: write such codes as text or with their letter (A0111).

    Parameters
    ----------
    text : object
        The cell (text, a number or missing).

    Returns
    -------
    tuple of (str or None, str)
        The normalised code (the letter, then the digits: "C3911", "C39", "C") and "";
        or None and a Chinese problem naming the code and the fix (letter contradicting the
        大类, unknown 大类 or letter, digits not 2–4 long, no code in the text). A missing or
        blank cell gives (None, "").
    """
    raw = _text(text)
    if not raw:
        return None, ""
    upper = raw.upper()
    match = _CODE.match(upper)
    letter, digits = (match.group(1), match.group(2)) if match else ("", "")
    rest = upper[match.end():].lstrip(_SEPARATORS) if match else upper
    if not (letter or digits) or (rest and rest[0].isascii() and rest[0].isalnum()):
        return None, (f"行业代码“{raw}”无法识别：应为 GB/T 4754—2017 的代码，如 C3911、3911、"
                      "C39 或门类字母 C，其后可接名称")
    sections, divisions, _ = _lookups()
    if not digits:
        if letter not in sections:
            return None, (f"行业代码 {letter} 不是 GB/T 4754—2017 的门类字母（门类为 A–T），"
                          "请核对")
        return letter, ""
    if not 2 <= len(digits) <= 4:
        return None, (f"行业代码 {letter}{digits} 应有 2–4 位数字（大类 2 位、中类 3 位、"
                      "小类 4 位），请核对")
    division = digits[:2]
    if division not in divisions:
        return None, (f"行业代码 {letter}{digits} 的大类 {division} 不在 GB/T 4754—2017 中"
                      "（大类为 01–97），请核对代码")
    section, _name = divisions[division]
    if letter and letter != section:
        return None, (f"行业代码 {letter}{digits} 的门类字母与大类 {division} 不符"
                      f"（{division} 属 {section} {sections[section]}）")
    return f"{section}{digits}", ""


def _group_of(value: object, level: str) -> _Cell:
    """(group, group name, problem, blank) of one code cell, at ``level``.

    A cell holding no code but exactly a 大类 or 门类 name is read as that name.
    """
    code, problem = parse_industry_code(value)
    if code is None and problem:
        named = _lookups()[2].get(_name_key(_text(value)))
        if named is None:
            return None, None, problem, False
        code = named
    if code is None:
        return None, None, "", True
    return (*_at_level(code, level), False)


def _name_group(value: object, level: str) -> _Cell:
    """(group, group name, problem, blank) of one name cell: an exact 大类 or 门类 name only."""
    raw = _text(value)
    if not raw:
        return None, None, "", True
    code = _lookups()[2].get(_name_key(raw))
    if code is None:
        return None, None, (f"行业名称“{raw}”不是 GB/T 4754—2017 的门类或大类名称，且未填行业"
                            "代码：请填写代码（如 C39）或标准中的完整名称"), False
    return (*_at_level(code, level), False)


def _at_level(code: str, level: str) -> tuple[str | None, str | None, str]:
    """Group, group name and problem of a normalised code at ``level``."""
    sections, divisions, _ = _lookups()
    if level == _SECTION:
        return code[0], sections[code[0]], ""
    if len(code) == 1:
        return None, None, (f"行业代码 {code} 只到门类（{sections[code]}），无法归入大类："
                            "请填写大类代码（如 C39）")
    return code[:3], divisions[code[1:3]][1], ""


def _per_row(values: pd.Series, level: str, one: Callable[[object, str], _Cell]
             ) -> list[np.ndarray]:
    """Apply ``one`` to each distinct value of ``values`` and spread the results to the rows."""
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    results = [one(v, level) for v in uniques] + [one(None, level)]
    columns = [np.array([r[i] for r in results], dtype=object) for i in range(4)]
    return [col[codes] for col in columns]  # the sentinel -1 takes the appended blank


def industry_groups(codes: pd.Series, names: pd.Series | None = None, *,
                    level: str = "大类") -> pd.DataFrame:
    """Group each enterprise by its GB/T 4754—2017 大类 (or 门类).

    Each distinct code and name is read once (:func:`parse_industry_code`), so a million rows
    with a few hundred codes cost a few hundred parses.

    Parameters
    ----------
    codes : Series
        行业代码 cells in any spelling :func:`parse_industry_code` accepts. A cell holding no
        code but exactly a 大类 or 门类 name is read as that name.
    names : Series, optional
        行业名称 cells on the same index, used only where the code is missing or blank: an exact
        大类 or 门类 name (spaces ignored, full-/half-width brackets alike) gives its group; any
        other text gives no group and a problem (no partial or keyword matching).
    level : {"大类", "门类"}, keyword-only
        At 大类 the group is the letter and two digits ("C39"); at 门类 the letter ("C").

    Returns
    -------
    DataFrame
        On the index of ``codes``: ``industry_group`` (None when not recognised),
        ``industry_group_name`` and ``industry_problem`` (Chinese text, "" when recognised or
        when both code and name are missing). A code that names only a 门类 has no 大类 group.

    Raises
    ------
    ValueError
        If ``level`` is not one of :data:`INDUSTRY_LEVELS`, or ``names`` is not on the index of
        ``codes``.
    """
    if level not in INDUSTRY_LEVELS:
        raise ValueError(f"unknown level {level!r}. Fix: use one of {', '.join(INDUSTRY_LEVELS)}")
    group, group_name, problem, blank = _per_row(codes, level, _group_of)
    if names is not None:
        if not names.index.equals(codes.index):
            raise ValueError("names are not on the index of codes. Fix: pass the two columns "
                             "of one table")
        n_group, n_name, n_problem, n_blank = _per_row(names, level, _name_group)
        use = blank.astype(bool) & ~n_blank.astype(bool)
        group = np.where(use, n_group, group)
        group_name = np.where(use, n_name, group_name)
        problem = np.where(use, n_problem, problem)
    # object columns keep None for "no group" (inferred text columns would turn it into NaN)
    return pd.DataFrame(dict(zip(_OUT_COLUMNS, (group, group_name, problem), strict=True)),
                        index=codes.index, dtype=object)


def is_public_utility(group_codes: pd.Series) -> pd.Series:
    """Whether each enterprise is in 门类 D (电力、热力、燃气及水生产和供应业).

    Parameters
    ----------
    group_codes : Series
        Groups of :func:`industry_groups` ("D44", "D"), or any code
        :func:`parse_industry_code` accepts ("4411").

    Returns
    -------
    Series of bool
        On the index of ``group_codes``; False where the code is missing or not recognised.
    """
    codes, uniques = pd.factorize(group_codes, use_na_sentinel=True)
    found = [parse_industry_code(v)[0] for v in uniques]
    utility = np.array([c is not None and c[0] == "D" for c in found] + [False], dtype=bool)
    return pd.Series(utility[codes], index=group_codes.index, dtype=bool)
