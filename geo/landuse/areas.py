"""Decide the unit of an area column that states none — from the parcels' own polygons.

A .dbf field name cannot hold "(亩)" and a GBK header ``用地面积（亩）`` is cut by the format to
``用地面积（``, so parcel files often carry areas without a unit. Guessing 平方米 turns 4.018 亩
into 4.018 m² and a 亩均税收 of 58 into 38,789 万元/亩. Instead, each stated value without a
unit of its own is compared with its polygon's area measured in CGCS2000 (EPSG:4549): the unit
under which at least :data:`AGREEMENT` of the rows agree with their polygons (within
:data:`TOLERANCE`) is taken, and the report says so with every candidate's agreement. When no
unit agrees well enough the import stops and asks the official to state it.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from geo._errors import DataImportError
from geo.crs import M2_PER_MU

__all__ = ["AGREEMENT", "CANDIDATES", "TOLERANCE", "UnitDecision", "decide_area_unit"]

#: Units an area column may be in, with their factor to 平方米.
CANDIDATES = (("平方米", 1.0), ("亩", M2_PER_MU), ("公顷", 10_000.0))
#: A stated area agrees with its polygon when they differ by at most this share of the polygon.
TOLERANCE = 0.5
#: Share of comparable rows that must agree under the unit taken.
AGREEMENT = 0.9


@dataclass(frozen=True)
class UnitDecision:
    """The unit taken for an area column, and how well each candidate agreed.

    Attributes
    ----------
    unit : str
        平方米, 亩 or 公顷.
    factor : float
        To 平方米.
    shares : dict of str to float
        Share of the compared rows agreeing with their polygon, per candidate unit.
    compared : int
        Rows with both a stated value (without a unit of its own) and a polygon area.
    """

    unit: str
    factor: float
    shares: dict[str, float]
    compared: int

    def describe(self) -> str:
        """Say in Chinese how the unit was decided, with every candidate's agreement."""
        others = "，".join(f"{u} {s:.0%}" for u, s in self.shares.items() if u != self.unit)
        return (f"按图形面积（EPSG:4549）比对：{self.compared} 宗中 {self.shares[self.unit]:.0%}"
                f" 与“{self.unit}”相符（{others}），判定单位为{self.unit}")


def _shares(raw: pd.Series, measured: pd.Series) -> dict[str, float]:
    return {unit: float(((raw * factor - measured).abs() <= TOLERANCE * measured).mean())
            for unit, factor in CANDIDATES}


def decide_area_unit(raw: pd.Series, measured_m2: pd.Series, *, file: str, column: str
                     ) -> UnitDecision | None:
    """Decide the unit of stated areas that carry none, from their polygons' areas.

    Parameters
    ----------
    raw : Series of float
        Stated values without a unit (NaN where empty or where the cell had its own unit).
    measured_m2 : Series of float
        The same rows' polygon areas in 平方米, measured in EPSG:4549.
    file, column : str, keyword-only
        For the message when no unit can be decided.

    Returns
    -------
    UnitDecision or None
        None when no row can be compared (nothing stated).

    Raises
    ------
    DataImportError
        When no candidate unit agrees on at least :data:`AGREEMENT` of the compared rows:
        the message names the file, the field, every candidate's agreement and the fix (state
        the unit in the header or choose it on import).
    """
    ok = raw.notna() & measured_m2.gt(0)
    if not ok.any():
        return None
    shares = _shares(raw[ok].astype(float), measured_m2[ok].astype(float))
    unit = max(shares, key=lambda u: shares[u])
    if shares[unit] >= AGREEMENT:
        return UnitDecision(unit, dict(CANDIDATES)[unit], shares, int(ok.sum()))
    found = "，".join(f"{u} {s:.0%}" for u, s in shares.items())
    problem = (f"用地面积的单位无法判定：表头未写单位，与图形面积比对 {int(ok.sum())} 宗，"
               f"各单位相符比例为 {found}，均未达到 {AGREEMENT:.0%}")
    fix = ("请在表头注明单位（如“用地面积（亩）”），或导入时为该列指定单位"
           "（命令行 --map '用地面积=land_area_m2:亩'）")
    raise DataImportError(problem, file=file, field=column, fix=fix, zh=(problem, fix))
