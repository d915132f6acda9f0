"""Decide the unit of enterprise figures whose header states none: 元 or 万元, 平方米 or 亩.

Money columns (税收, 增加值, 营业收入) are compared per 亩 of the enterprise's land: a 亩均 figure
between :data:`PER_MU_WANYUAN` (0.1 to 1,000 万元/亩) is what Ningbo's enterprises report;
10,000 times as much is the same figure in 元. An enterprise land column without a unit is
compared with the area of the parcels it names (shared parcels split by the number of
enterprises on them), like parcel areas against their polygons
(:func:`geo.landuse.areas.decide_area_unit`). Where nothing can be compared, or the data fit
neither unit, the import stops and asks the official to state the unit.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from geo._errors import DataImportError
from geo.crs import M2_PER_MU
from geo.landuse.model import split_ids

__all__ = ["MONEY_FIELDS", "PER_MU_WANYUAN", "MoneyDecision", "decide_money_unit",
           "land_from_parcels"]

#: Money fields whose unit is decided per 亩 of land.
MONEY_FIELDS = ("tax_wan", "value_added_wan", "revenue_wan")
#: Plausible median 亩均 figure of a file's enterprises, in 万元/亩 (both ends inclusive).
PER_MU_WANYUAN = (0.1, 1000.0)
_UNITS = (("万元", 1.0), ("元", 1e-4))


@dataclass(frozen=True)
class MoneyDecision:
    """The unit taken for a money column and the median 亩均 figure it gives."""

    unit: str
    factor: float
    median_per_mu: float
    compared: int

    def describe(self) -> str:
        """Say in Chinese how the unit was decided."""
        low, high = PER_MU_WANYUAN
        return (f"按用地比对：{self.compared} 家企业的亩均值中位数按“{self.unit}”为 "
                f"{self.median_per_mu:,.2f} 万元/亩（合理范围 {low:g}–{high:,.0f}），"
                f"判定单位为{self.unit}")


def land_from_parcels(parcel_ids: Sequence[str | None], parcels: pd.DataFrame | None
                      ) -> pd.Series:
    """Return each enterprise's land (m²) from the parcels it names, shared parcels split evenly.

    Used only to judge the magnitude of figures; NaN where no named parcel is known.
    """
    if parcels is None or "land_area_m2" not in parcels:
        return pd.Series(np.nan, index=range(len(parcel_ids)), dtype=float)
    area = pd.to_numeric(parcels.set_index(parcels["parcel_id"].astype(str))["land_area_m2"],
                         errors="coerce")
    area = area[~area.index.duplicated()]
    lists = [split_ids(p) if p else [] for p in parcel_ids]
    tenants = pd.Series([p for ids in lists for p in ids], dtype=object).value_counts()
    return pd.Series([sum(area.get(p, np.nan) / tenants[p] for p in ids) if ids else np.nan
                      for ids in lists], dtype=float)


def decide_money_unit(raw: pd.Series, land_m2: pd.Series, *, file: str, column: str
                      ) -> MoneyDecision | None:
    """Decide whether a money column without a unit is in 万元 or in 元.

    Parameters
    ----------
    raw : Series of float
        Values without a unit of their own (NaN where empty or where the cell had a unit).
    land_m2 : Series of float
        The same enterprises' land in 平方米 (stated, or from their parcels).
    file, column : str, keyword-only
        For the message when no unit can be decided.

    Returns
    -------
    MoneyDecision or None
        None when the column holds no value to decide on.

    Raises
    ------
    DataImportError
        When no enterprise has both a value and land, or the median 亩均 figure is plausible
        in neither unit; the message names the file, the field and the fix.
    """
    if not raw.notna().any():
        return None
    ok = raw.notna() & land_m2.gt(0)
    fix = (f"请在表头注明单位（如“{column}（万元）”），或导入时为该列指定单位"
           "（命令行 --map '<表头>=tax_wan:万元'）")
    if not ok.any():
        problem = "金额单位无法判定：表头未写单位，且没有可比对的用地面积"
        raise DataImportError(problem, file=file, field=column, fix=fix, zh=(problem, fix))
    median = float((raw[ok] / (land_m2[ok] / M2_PER_MU)).median())
    low, high = PER_MU_WANYUAN
    for unit, factor in _UNITS:
        if low <= median * factor <= high:
            return MoneyDecision(unit, factor, median * factor, int(ok.sum()))
    problem = (f"金额单位无法判定：按万元亩均值中位数为 {median:,.4g}，按元为 "
               f"{median * 1e-4:,.4g}，均不在合理范围 {low:g}–{high:,.0f} 万元/亩")
    raise DataImportError(problem, file=file, field=column, fix=fix, zh=(problem, fix))

