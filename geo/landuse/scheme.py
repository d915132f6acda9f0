"""How a county scheme (评价方案) sorts its enterprises before scoring them.

Published Zhejiang county schemes do not score every enterprise alike. They evaluate in
**tracks** (规上; 规下 with at least 3 亩 of land; 规下 under 3 亩; 租赁企业 without land of
their own, who may simply take their landlord's grade), they **exempt** some enterprises with a
reason (newly set up, still within the construction period after 供地, relocated by policy,
public utilities — listed as 免评 and never ranked), they say what a **missing indicator**
counts for, they may rank **within industry groups** (国民经济行业分类 GB/T 4754) and they tie
**differentiated policies** (差别化政策: 用地 / 用电 / 用水 / 用能 / 排污 / 财政奖补) to each class.

This module holds those parts of a scoring profile (read and checked by
:func:`geo.landuse.scoring.load_profile`) and the vectorised steps
:func:`geo.landuse.scoring.evaluate` runs with them: :func:`assign_tracks`,
:func:`exemption_reasons`, :func:`rank_groups`, :func:`landlord_grades`, :func:`policy_text`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from geo.labels import SCHEME_TEXTS
from geo.landuse.model import id_pairs, index_in

__all__ = ["TrackSpec", "Exemptions", "EvaluationRules", "PolicyItem", "MISSING_RULES",
           "RANK_WITHIN", "TENANT_WORDS", "is_tenant", "assign_tracks", "exemption_reasons",
           "rank_groups", "landlord_grades", "policy_text"]

#: What a missing indicator counts for: 0 points (listed), the average points of those in
#: the same group who reported it, or the enterprise is not rated (未参评).
MISSING_RULES = ("zero", "item_mean", "unrated")
#: Where enterprises are ranked: within their track, or within track and industry group.
RANK_WITHIN = ("track", "industry")
#: 用地方式 values that make an enterprise a tenant (租赁企业, no land of its own).
TENANT_WORDS = frozenset({"租赁", "租用", "承租", "租赁厂房", "租赁用地", "租赁厂房用地",
                          "tenant", "leased", "rented"})


@dataclass(frozen=True)
class TrackSpec:
    """Which enterprises a track holds (the first track, in profile order, that fits wins).

    Attributes
    ----------
    name : str
        The track's name as the scheme writes it (规上, 规下（3亩及以上）, 租赁企业 …).
    scale : str or None
        规上 / 规下, or None for either.
    land_mu_min, land_mu_below : float or None
        Land held, in 亩: at least ``land_mu_min``, under ``land_mu_below``.
    tenant : bool
        The track holds tenants (用地方式 租赁); tracks without it hold the others. When no
        track of a profile holds tenants, tenants are sorted like everyone else.
    grade : {"own", "landlord"}
        ``landlord``: the tenant takes its landlord's class (出租方统一社会信用代码), is not
        scored itself.
    """

    name: str
    scale: str | None = None
    land_mu_min: float | None = None
    land_mu_below: float | None = None
    tenant: bool = False
    grade: str = "own"


@dataclass(frozen=True)
class Exemptions:
    """The ``[exemptions]`` section: who is 免评, never ranked.

    Attributes
    ----------
    new_within_years : int or None
        Set up (成立年份) fewer than this many years before the data year.
    construction_within_years : int or None
        On a parcel whose 供地年份 is fewer than this many years before the data year
        (建设期) — every known parcel of the enterprise, not just one; such parcels are not
        judged by performance rules either.
    reasons : tuple of str
        免评原因 texts the scheme accepts as stated in the enterprise file (政策性搬迁 …).
    public_utilities : bool
        Enterprises of GB/T 4754 门类 D (电力、热力、燃气及水生产和供应业) are exempt.
    """

    new_within_years: int | None = None
    construction_within_years: int | None = None
    reasons: tuple[str, ...] = ()
    public_utilities: bool = False


@dataclass(frozen=True)
class EvaluationRules:
    """The ``[evaluation]`` section: the missing-indicator rule, ranking groups, 公示 days."""

    missing: str = "zero"
    rank_within: str = "track"
    industry_level: str = "大类"
    min_group_size: int = 5
    publicity_days: int = 7


@dataclass(frozen=True)
class PolicyItem:
    """One differentiated policy (差别化政策) of a class: an area, a text, an optional figure."""

    item: str
    text: str
    tariff: float | None = None
    unit: str = ""
    source: str = ""

    def describe(self) -> str:
        """Say the item in one line: "用电：… （加价 0.1 元/千瓦时）"."""
        figure = f"（{self.tariff:g} {self.unit}）".replace(" ）", "）") \
            if self.tariff is not None else ""
        return f"{self.item}：{self.text}{figure}"


def is_tenant(tenure: pd.Series) -> pd.Series:
    """Whether each 用地方式 says the enterprise rents (租赁 …); missing → False."""
    words = {w.lower() for w in TENANT_WORDS}
    return tenure.astype("string").str.strip().str.lower().isin(words).fillna(False) \
        .astype(bool)


def _column(frame: pd.DataFrame, name: str) -> pd.Series:
    return frame[name] if name in frame else pd.Series(pd.NA, index=frame.index, dtype=object)


def assign_tracks(enterprises: pd.DataFrame, specs: Sequence[TrackSpec]) -> pd.Series:
    """Return each enterprise's track name (None when no track fits).

    ``enterprises`` needs ``scale`` and ``land_mu`` (亩) and, for tenant tracks, ``tenure``.
    A land bound is only met by a known land figure: an enterprise without land fits no track
    that sets one.
    """
    out = pd.Series(None, index=enterprises.index, dtype=object)
    scale = _column(enterprises, "scale").astype(object)
    land = pd.to_numeric(_column(enterprises, "land_mu"), errors="coerce")
    tenant = is_tenant(_column(enterprises, "tenure"))
    any_tenant_track = any(s.tenant for s in specs)
    for spec in specs:
        fits = out.isna()
        if spec.scale is not None:
            fits &= scale.eq(spec.scale).fillna(False).astype(bool)
        if spec.land_mu_min is not None:
            fits &= (land >= spec.land_mu_min).fillna(False)
        if spec.land_mu_below is not None:
            fits &= (land < spec.land_mu_below).fillna(False)
        if any_tenant_track:
            fits &= tenant if spec.tenant else ~tenant
        out[fits] = spec.name
    return out


def exemption_reasons(enterprises: pd.DataFrame, parcels: pd.DataFrame | None,
                      rules: Exemptions, *, year: pd.Series) -> pd.Series:
    """Return why each enterprise is 免评 ("" when it is evaluated).

    Parameters
    ----------
    enterprises : DataFrame
        Optional columns ``founded_year``, ``exempt_reason``, ``industry_section`` (GB/T 4754
        门类 letter) and ``parcel_id``.
    parcels : DataFrame or None
        With ``parcel_id`` and ``supply_year`` for the 建设期 rule.
    rules : Exemptions
    year : Series
        The data year of each enterprise (NaN: the year rules cannot apply, and do not).

    Returns
    -------
    Series of str
        The first reason that holds, in the order: declared reason the scheme accepts, new,
        construction period, public utility — each with the figure it rests on.
    """
    reasons = pd.Series("", index=enterprises.index, dtype=object)

    def add(mask: pd.Series, text: pd.Series | str) -> None:
        free = mask.fillna(False).astype(bool) & reasons.eq("")
        reasons[free] = text[free] if isinstance(text, pd.Series) else text

    declared = _column(enterprises, "exempt_reason").astype("string").str.strip()
    if rules.reasons:
        add(declared.isin(list(rules.reasons)),
            SCHEME_TEXTS["exempt_declared"] + declared.fillna(""))
    data_year = pd.to_numeric(year, errors="coerce")
    if rules.new_within_years is not None:
        founded = pd.to_numeric(_column(enterprises, "founded_year"), errors="coerce")
        age = data_year - founded
        text = SCHEME_TEXTS["exempt_new"].format(n=rules.new_within_years)
        add((age >= 0) & (age < rules.new_within_years),
            text + "（" + founded.astype("Int64").astype(str) + "）")
    if (rules.construction_within_years is not None and parcels is not None
            and "supply_year" in parcels and "parcel_id" in enterprises):
        young, text = _construction(enterprises["parcel_id"], parcels, data_year,
                                    rules.construction_within_years)
        add(young, text)
    if rules.public_utilities:
        add(_column(enterprises, "industry_section").eq("D"), SCHEME_TEXTS["exempt_utility"])
    return reasons


def _construction(parcel_ids: pd.Series, parcels: pd.DataFrame, data_year: pd.Series,
                  within: int) -> tuple[pd.Series, pd.Series]:
    """Return (in 建设期, reason text) of each enterprise, by all its known parcels.

    The known parcels of an enterprise are the ids of its ``parcel_id`` cell found in
    ``parcels``. It is in 建设期 only when it has at least one and *every* one of them was
    supplied 0 … ``within`` − 1 years before its data year: an enterprise that also holds an
    older parcel, or a known parcel without 供地年份, is evaluated as usual, whatever the order
    of the ids. The text names each parcel and 供地年份 it rests on.
    """
    supply = pd.to_numeric(pd.Series(parcels["supply_year"].to_numpy(),
                                     index=parcels["parcel_id"].astype(str).to_numpy()),
                           errors="coerce")
    supply = supply[~supply.index.duplicated()]
    texts = np.full(len(parcel_ids), "", dtype=object)
    year_of = pd.to_numeric(data_year, errors="coerce")
    if not year_of.index.equals(parcel_ids.index):
        year_of = year_of.reindex(parcel_ids.index)
    years = year_of.to_numpy(dtype=float)
    head = SCHEME_TEXTS["exempt_construction"]
    sep = SCHEME_TEXTS["construction_separator"]
    pairs = id_pairs(parcel_ids)
    at = index_in(pairs["parcel_id"], supply.index)
    pairs = pairs[at >= 0]
    supplied = supply.to_numpy(dtype=float)[at[at >= 0]]
    pos = pairs["pos"].to_numpy()
    since = years[pos] - supplied
    fits = (since >= 0) & (since < within)  # NaN compares False: not young
    n_known = np.bincount(pos, minlength=len(parcel_ids))
    n_fits = np.bincount(pos[fits], minlength=len(parcel_ids))
    young = (n_known > 0) & (n_fits == n_known)
    parts: dict[int, list[str]] = {}
    for i, pid, y in zip(pos[young[pos]], pairs["parcel_id"].to_numpy()[young[pos]],
                         supplied[young[pos]], strict=True):
        parts.setdefault(int(i), []).append(
            SCHEME_TEXTS["construction_parcel"].format(parcel=pid, year=int(y)))
    for i, items in parts.items():
        texts[i] = head.format(n=within, parcels=sep.join(items))
    return (pd.Series(young, index=parcel_ids.index),
            pd.Series(texts, index=parcel_ids.index, dtype=object))


def rank_groups(enterprises: pd.DataFrame, rules: EvaluationRules) -> pd.Series:
    """Return the ranking group of each enterprise with a track ("规上" or "规上｜C39").

    With ``rank_within = "industry"``, an enterprise is ranked among those of its track and
    GB/T 4754 group (``industry_group``, or ``industry_section`` at level 门类). Groups with
    fewer than ``min_group_size`` enterprises, and enterprises whose industry is not
    recognised, are ranked together per track as 其他行业（合并）: a quota of A–D over two
    enterprises would say nothing.
    """
    track = _column(enterprises, "track")
    if rules.rank_within != "industry":
        return track
    col = "industry_section" if rules.industry_level == "门类" else "industry_group"
    industry = _column(enterprises, col).astype(object)
    key = track.astype(object) + "｜" + industry.fillna(SCHEME_TEXTS["pooled_group"]).astype(str)
    sizes = key.map(key.value_counts())
    small = (sizes < rules.min_group_size) | industry.isna()
    key = key.where(~small, track.astype(object) + "｜" + SCHEME_TEXTS["pooled_group"])
    return key.where(track.notna(), None)


def landlord_grades(enterprises: pd.DataFrame, tenant_rows: pd.Index
                    ) -> tuple[pd.Series, pd.Series]:
    """Return (class, note) of the tenants ``tenant_rows`` taken from their landlords.

    The landlord is the enterprise whose 统一社会信用代码 is the tenant's
    出租方统一社会信用代码 (``landlord_code``). A tenant without a landlord code, or whose
    landlord is not in the data or not classed, keeps no class and says why.
    """
    codes = _column(enterprises, "credit_code").astype("string").str.strip().str.upper()
    classed = pd.Series(enterprises["class"].to_numpy(), index=codes.to_numpy())
    classed = classed[~classed.index.isna() & ~classed.index.duplicated()]
    names = pd.Series(_column(enterprises, "name").to_numpy(), index=codes.to_numpy())
    names = names[~names.index.isna() & ~names.index.duplicated()]
    landlord = _column(enterprises, "landlord_code").loc[tenant_rows].astype("string") \
        .str.strip().str.upper()
    grade = landlord.map(classed)
    grade = grade.where(grade.isin(["A", "B", "C", "D"]), None)
    who = landlord.map(names).fillna(landlord).astype(str)
    note = np.where(landlord.isna(), SCHEME_TEXTS["tenant_no_landlord"],
                    np.where(grade.isna(), SCHEME_TEXTS["tenant_landlord_unclassed"] + who,
                             SCHEME_TEXTS["tenant_takes"] + who))
    return grade.astype(object), pd.Series(note, index=tenant_rows, dtype=object)


def policy_text(classes: pd.Series, policies: Mapping[str, tuple[PolicyItem, ...]]
                ) -> pd.Series:
    """Return the differentiated policies that apply to each class, one line per item ("" none)."""
    texts = {cls: "；".join(p.describe() for p in items) for cls, items in policies.items()}
    codes, uniques = pd.factorize(classes.to_numpy(dtype=object))  # a few classes: A–D, none
    by_class = [texts.get(c, "") if isinstance(c, str) else "" for c in uniques.tolist()]
    # one text object per class, shared by its rows (a str column would copy the long text
    # into every row: 70 MB at 900,000 enterprises for five distinct texts)
    text = np.array([*by_class, ""], dtype=object)[codes % (len(by_class) + 1)]
    return pd.Series(text, index=classes.index, name=classes.name, dtype=object)
