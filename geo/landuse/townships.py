"""Place enterprises at their district through their 乡镇（街道）: the coarsest placement.

An enterprise list without 宗地编号, coordinates or a 权利人 match may still say where each
enterprise is: its 乡镇（街道）. That names a district (区县（市）) when

* the cell itself begins with a district's name ("北仑区小港街道", "鄞州姜山镇"), or
* the official gives a table of 乡镇（街道） and 区县（市） (:func:`read_townships`) — the
  repository bundles none: the plans in ``../shared/seeds`` name only a handful of
  townships, and a list of Ningbo's townships is not in the repository's sources, so none is
  made up.

Such an enterprise counts in its district's and the city's figures, never in a 分片, zone or
belt (a district holds several); the placement column says how it was placed.
"""

from __future__ import annotations

import os
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import pandas as pd

from geo._errors import DataImportError
from geo.io.tables import read_table
from geo.labels import REPORT_COLUMNS, REPORT_LEVELS, ROW_NUMBER, TOWNSHIP_HEADERS

__all__ = ["TownshipTable", "read_townships", "township_key", "districts_of"]

_TOWN, _DISTRICT = TOWNSHIP_HEADERS["township"], TOWNSHIP_HEADERS["district"]
#: Header words a township table may use (besides :data:`geo.labels.TOWNSHIP_HEADERS`).
_TOWN_WORDS = ("乡镇(街道)", "乡镇街道", "乡镇", "街道", "镇街", "township")
_DISTRICT_WORDS = ("区县(市)", "区县市", "区县", "所属区县", "所在区县", "县市区", "district")
#: Suffixes a district's name may be written without ("北仑" for 北仑区).
_DISTRICT_SUFFIXES = ("区", "县", "市")


def township_key(text: object) -> str:
    """Return the form in which township names are compared (NFKC, no spaces, "" if empty)."""
    if not isinstance(text, str):
        return ""
    return "".join(unicodedata.normalize("NFKC", text).split())


@dataclass(frozen=True)
class TownshipTable:
    """乡镇（街道） (compared by :func:`township_key`) → district name, and where it came from."""

    districts: Mapping[str, str]
    source: str
    report: pd.DataFrame

    def to_frame(self) -> pd.DataFrame:
        """Return the table as kept in the workspace store (township, district, source)."""
        return pd.DataFrame({"township": list(self.districts), "district":
                             list(self.districts.values()), "source": self.source},
                            columns=["township", "district", "source"])

    @classmethod
    def from_frame(cls, frame: pd.DataFrame) -> TownshipTable:
        """Rebuild a table kept by :meth:`to_frame` (its report was kept with the dataset)."""
        source = str(frame["source"].iloc[0]) if len(frame) else ""
        return cls(dict(zip(frame["township"].astype(str), frame["district"].astype(str),
                            strict=True)), source, pd.DataFrame(columns=list(REPORT_COLUMNS)))


def _short(name: str) -> str:
    return name[:-1] if len(name) > 2 and name.endswith(_DISTRICT_SUFFIXES) else name


def _district_named(text: str, names: Sequence[str]) -> str | None:
    """Return the district whose name (or name without 区/县/市) ``text`` begins with."""
    for name in sorted(names, key=len, reverse=True):
        if text.startswith(name) or text.startswith(_short(name)):
            return name
    return None


def _column(table: pd.DataFrame, own: str, words: Sequence[str]) -> str | None:
    keys = {township_key(c).replace("（", "(").replace("）", ")"): c for c in table.columns}
    for word in (own, *words):
        hit = keys.get(township_key(word).replace("（", "(").replace("）", ")"))
        if hit is not None:
            return str(hit)
    return None


def _line(file: str, row: object, record: object, field: str, value: object, problem: str,
          action: str) -> dict[str, object]:
    return dict(zip(REPORT_COLUMNS, (file, row, record, field, value, problem, action,
                                     REPORT_LEVELS["error"]), strict=True))


def read_townships(path: str | os.PathLike[str], district_names: Sequence[str]
                   ) -> TownshipTable:
    """Read the official's table of 乡镇（街道） and the district each lies in.

    Parameters
    ----------
    path : path-like
        CSV or Excel (any file :func:`geo.io.tables.read_table` reads) with a 乡镇（街道） and a
        区县（市） column.
    district_names : sequence of str
        The catalogue's districts ("北仑区" …); a district written without 区/县/市 is
        accepted.

    Returns
    -------
    TownshipTable
        Rows naming no known district, or a township listed under two districts, are left out
        with a report line (级别 错误) naming the row and the fix.

    Raises
    ------
    DataImportError
        The file cannot be read safely, or lacks either column.
    """
    table, meta = read_table(path, formats=("csv", "xlsx"))
    town_col = _column(table, _TOWN, _TOWN_WORDS)
    district_col = _column(table, _DISTRICT, _DISTRICT_WORDS)
    if town_col is None or district_col is None:
        missing = _TOWN if town_col is None else _DISTRICT
        raise DataImportError(
            f"the township table has no {missing} column", file=meta.source, field=missing,
            fix=f"name the columns {_TOWN} and {_DISTRICT}",
            zh=(f"乡镇（街道）对照表没有“{missing}”列",
                f"请把两列分别命名为“{_TOWN}”和“{_DISTRICT}”"))
    found: dict[str, str] = {}
    lines: list[dict[str, object]] = []
    rows = table.get(ROW_NUMBER, pd.Series(range(2, len(table) + 2), index=table.index))
    for row, town, district in zip(rows, table[town_col], table[district_col], strict=True):
        key, named = township_key(town), _district_named(township_key(district), district_names)
        if not key:
            continue
        if named is None:
            lines.append(_line(meta.source, row, town, district_col, district,
                               f"“{district}”不是宁波的区县（市）",
                               f"未使用该行；请填写{('、'.join(district_names))}之一"))
        elif found.get(key, named) != named:
            lines.append(_line(meta.source, row, town, town_col, town,
                               f"“{town}”同时列在{found[key] or '多个区县'}和{named}下",
                               "该乡镇（街道）不使用对照表定位；请核实其所属区县"))
            found[key] = ""
        else:
            found[key] = named
    return TownshipTable({k: v for k, v in found.items() if v}, meta.source,
                         pd.DataFrame(lines, columns=list(REPORT_COLUMNS)))


def districts_of(townships: pd.Series, district_names: Sequence[str],
                 table: TownshipTable | None = None) -> tuple[pd.Series, pd.Series]:
    """Return the district of each 乡镇（街道） cell and how it was found.

    The cell's own text first ("北仑区小港街道" → 北仑区), then ``table``. Cells that give no
    district are None, with how = "".

    Returns
    -------
    (Series, Series)
        District names (None where unknown) and the way each was found.
    """
    district = pd.Series(None, index=townships.index, dtype=object)
    how = pd.Series("", index=townships.index, dtype=object)
    for idx, text in townships.items():
        key = township_key(text)
        if not key:
            continue
        named = _district_named(key, district_names)
        if named is not None:
            district[idx], how[idx] = named, f"乡镇（街道）“{text}”含区县名称"
        elif table is not None and key in table.districts:
            district[idx] = table.districts[key]
            how[idx] = f"乡镇（街道）“{text}”按对照表 {table.source} 属{table.districts[key]}"
    return district, how
