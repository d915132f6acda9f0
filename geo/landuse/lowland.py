"""Low-efficiency industrial land (低效用地): the rules, with reason codes and the threshold used.

The rules are the typed ``[lowland]`` section of the scoring profile
(:class:`geo.landuse.scoring.LowlandRules`); the clearance register is in
:mod:`geo.landuse.register`, targets, progress and the scenario in :mod:`geo.landuse.targets`.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from geo.crs import M2_PER_MU
from geo.labels import LOWLAND_TEXTS, REASONS
from geo.landuse.metrics import linked_parcels, ratio
from geo.landuse.model import id_pairs
from geo.landuse.scoring import LowlandRules, ScoringProfile

__all__ = ["construction_years", "describe_rules", "flag_parcels", "parcel_figures", "percent_text",
           "parcel_industries", "select_flagged"]


def percent_text(share: float) -> str:
    """Write a 0–1 share as the percent it is, never rounded away (0.155 → "15.5%")."""
    return f"{share * 100:.10g}%"


def describe_rules(rules: LowlandRules, *, construction_within_years: int | None = None) -> str:
    """Say the ``[lowland]`` rules in one Chinese sentence (rules switched off are not named).

    ``construction_within_years`` (``[exemptions]`` of the profile) adds the 建设期 exemption.
    """
    parts = []
    if rules.tax_per_mu_below is not None:
        parts.append(f"{REASONS['LOW_TAX']}（{rules.tax_per_mu_below} 万元/亩）")
    if rules.far_below is not None:
        uses = "、".join(rules.industrial_uses) or "全部用地"
        parts.append(f"{REASONS['LOW_FAR']}（{rules.far_below}；适用于{uses}）")
    if rules.idle_statuses:
        parts.append(f"{REASONS['IDLE']}（{'、'.join(rules.idle_statuses)}）")
    if rules.flag_classes:
        parts.append(f"宗地上有{'、'.join(rules.flag_classes)}类企业")
    if rules.built_share_below is not None:
        parts.append(f"{REASONS['LOW_BUILT']}（{percent_text(rules.built_share_below)}；"
                     "需建成比例栅格）")
    if not parts:
        return "评价方案未设置任何低效用地规则。"
    text = "；".join(parts) + "，任一成立即认定"
    exempt = "、".join(rules.exempt_statuses)
    if exempt:
        text += f"；{exempt}宗地暂不按亩均税收、容积率与评价类别认定"
    if construction_within_years is not None:
        text += "；" + LOWLAND_TEXTS["construction_rule"].format(n=construction_within_years)
    return text + "。"


def parcel_figures(parcels: pd.DataFrame, enterprises: pd.DataFrame) -> pd.DataFrame:
    """Per parcel: enterprise count, Σ税收 / Σ增加值 of its enterprises, 亩均 figures, 容积率.

    Each enterprise is attributed to its parcels in proportion to the land it holds on each
    (:func:`geo.landuse.metrics.parcel_links`). A parcel's 亩均税收 is Σ attributed 税收 over
    the land held by the enterprises that reported 税收 (ratio of sums — an enterprise that
    reported nothing neither adds 0 to the numerator nor its land to the denominator);
    likewise 亩均增加值.
    ``data_note`` says when only some of a parcel's enterprises reported.
    """
    out = parcels.copy(deep=False)  # copy-on-write keeps the input as it was
    land_mu = pd.to_numeric(out["land_area_m2"], errors="coerce") / M2_PER_MU
    out["land_mu"] = land_mu
    # each link and each parcel row by its id's position among the distinct ids (a table of
    # several years names a parcel once a year: every row of it gets the same sums); the sums
    # are grouped by that integer (same groups as by parcel id)
    linked = linked_parcels(enterprises, parcels)
    links = linked.links.assign(at=linked.link_at)

    def on(per_position: pd.Series) -> pd.Series:
        return _on(out.index, linked.row_at, len(linked.distinct), per_position)

    count = on(links.groupby("at").size()).fillna(0).astype(int)
    out["enterprise_count"] = count
    partial = pd.Series(False, index=out.index)
    silent = pd.Series(False, index=out.index)
    for col, per_mu in (("tax_wan", "tax_per_mu"), ("value_added_wan", "va_per_mu")):
        value = pd.to_numeric(enterprises[col], errors="coerce") if col in enterprises \
            else pd.Series(np.nan, index=enterprises.index)
        part = links.assign(v=value.reindex(links["row"]).to_numpy() * links["weight"])
        part = part[part["v"].notna()]
        grouped = part.groupby("at")
        out[col] = on(grouped["v"].sum())
        reported = on(grouped.size()).fillna(0)
        held_mu = on(grouped["held_m2"].sum()) / M2_PER_MU
        out[per_mu] = ratio(out[col], held_mu)
        partial |= (reported > 0) & (reported < out["enterprise_count"])
        if col == "tax_wan":
            silent = (out["enterprise_count"] > 0) & (reported == 0)
    cls = enterprises["class"] if "class" in enterprises else pd.Series(
        None, index=enterprises.index, dtype=object)
    out["enterprise_classes"] = _class_lists(out.index, linked.row_at, len(linked.distinct),
                                             links["at"].to_numpy(),
                                             cls.reindex(links["row"]).to_numpy())
    out["partial_report"] = partial.to_numpy()
    out["no_tax_report"] = silent.to_numpy()
    far = pd.to_numeric(out["far"], errors="coerce") if "far" in out else pd.Series(
        np.nan, index=out.index)
    if "floor_area_m2" in out:
        derived = ratio(out["floor_area_m2"], out["land_area_m2"])
        far = far.where(far.notna(), derived)
    out["far_used"] = far
    return out


def flag_parcels(parcels: pd.DataFrame, enterprises: pd.DataFrame, profile: ScoringProfile,
                 *, year: int | None = None) -> pd.DataFrame:
    """Apply the low-efficiency rules of ``profile.lowland`` to every parcel.

    Parameters
    ----------
    parcels : DataFrame
        Canonical parcel columns.
    enterprises : DataFrame
        Evaluated enterprises (see :func:`geo.landuse.scoring.evaluate`; ``class`` optional).
    profile : ScoringProfile
    year : int, optional, keyword-only
        The data year. With it and ``profile.exemptions.construction_within_years`` = n, a
        parcel whose 供地年份 (``supply_year``) is 0 … n−1 years before ``year`` is in its
        建设期: like a status in ``exempt_statuses`` it is judged only by its status (IDLE), and
        its ``data_note`` says why. Without a year (or ``supply_year``) the rule is not applied.

    Returns
    -------
    DataFrame
        :func:`parcel_figures` plus ``low_efficiency`` (bool), ``reason_codes`` ("LOW_TAX;IDLE")
        and ``reasons`` (Chinese, with the threshold used). The rule LOW_BUILT applies only when
        ``parcels`` carry ``built_share`` (0–1, from :mod:`geo.raster.evidence`); a parcel
        whose share is missing (raster not covering it) is not judged by it, and says so. A
        parcel without enterprise data is judged only by the rules that do not need it
        (容积率, status), and says so; a parcel whose status is in ``exempt_statuses`` (在建)
        is judged only by its status.
    """
    rules = profile.lowland
    out = parcel_figures(parcels, enterprises)
    codes = np.full(len(out), "", dtype=object)
    texts = np.full(len(out), "", dtype=object)

    def hit(mask: pd.Series, code: str, text: str) -> None:
        m = np.asarray(pd.Series(mask, index=out.index).fillna(False), dtype=bool)
        first = m & (codes == "")
        more = m & ~first
        codes[first], texts[first] = code, text
        codes[more] = codes[more] + (";" + code)
        texts[more] = texts[more] + ("；" + text)

    exempt_list = list(rules.exempt_statuses)
    by_status = (out["status"].isin(exempt_list) if ("status" in out and exempt_list)
                 else pd.Series(False, index=out.index))
    building, supplied = _in_construction(out, profile.exemptions.construction_within_years, year)
    exempt = by_status | building
    tax_t = rules.tax_per_mu_below
    if tax_t is not None:
        hit((out["tax_per_mu"] < tax_t) & ~exempt, "LOW_TAX", f"亩均税收低于{tax_t}万元/亩")
    far_t = rules.far_below
    if far_t is not None:
        uses = set(rules.industrial_uses)
        industrial = out["land_use"].isin(uses) if ("land_use" in out and uses) else True
        hit((out["far_used"] < far_t) & industrial & ~exempt, "LOW_FAR",
            f"容积率低于{far_t}")
    statuses = list(rules.idle_statuses)
    if statuses and "status" in out:
        hit(out["status"].isin(statuses), "IDLE", "闲置/停产（" + "、".join(statuses) + "）")
    flag_classes = set(rules.flag_classes)
    if flag_classes:
        hit(_lists_any(out["enterprise_classes"], "、", flag_classes) & ~exempt, "CLASS_D",
            "企业评价为" + "、".join(sorted(flag_classes)) + "类")
    built_t = rules.built_share_below
    has_built = "built_share" in out
    if built_t is not None and has_built:
        hit((out["built_share"] < built_t) & ~exempt, "LOW_BUILT",
            f"建成比例低于{percent_text(built_t)}（遥感）")
    out["reason_codes"] = pd.Series(codes, index=out.index, dtype="str")
    out["reasons"] = pd.Series(texts, index=out.index, dtype="str")
    out["low_efficiency"] = out["reason_codes"] != ""
    no_data = out["enterprise_count"] == 0
    within = profile.exemptions.construction_within_years
    out["data_note"] = np.select(
        [by_status.to_numpy(dtype=bool), building.to_numpy(dtype=bool),
         no_data.to_numpy(dtype=bool),
         out.pop("no_tax_report").to_numpy(dtype=bool),
         out.pop("partial_report").to_numpy(dtype=bool)],
        [f"{'、'.join(exempt_list)}：暂不按效益规则认定",
         supplied.map({y: LOWLAND_TEXTS["construction_note"].format(n=within, year=y)
                       for y in supplied.unique()}).to_numpy(dtype=object),
         "无企业数据：仅按容积率与生产状态判断",
         "企业均未填报税收：未按亩均税收认定",
         "部分企业未填报税收或增加值：亩均值按已填报企业的用地计算"],
        default="")
    if built_t is not None and has_built:
        unjudged = out["built_share"].isna() & ~exempt
        note = "建成比例栅格未覆盖：未按建成比例认定"
        out["data_note"] = np.where(
            unjudged, np.where(out["data_note"] == "", note, out["data_note"] + "；" + note),
            out["data_note"])
    return out


def _on(index: pd.Index, codes: np.ndarray, n: int, per_position: pd.Series) -> pd.Series:
    """Values by position among ``n`` distinct ids, spread to the rows of ``index``.

    ``codes`` is each row's position (−1: an id matching nothing); NaN where absent.
    """
    values = np.full(n + 1, np.nan)  # the last slot, for −1, stays NaN
    values[per_position.index.to_numpy(dtype=np.int64)] = per_position.to_numpy(dtype=float)
    return pd.Series(values[np.asarray(codes, dtype=np.int64)], index=index)


def _class_lists(index: pd.Index, codes: np.ndarray, n: int, link_at: np.ndarray,
                 link_cls: np.ndarray) -> pd.Series:
    """Per parcel row, "、"-joined sorted distinct text classes of its links ("" for none).

    ``codes`` is each row's position among the ``n`` distinct parcel ids (−1: none),
    ``link_at`` each link's position among the same ids. Each parcel's classes are a bit
    mask over the sorted distinct classes (a few: A–D and the like), so the joined texts are
    built once per distinct mask, not once per parcel. Masks are int64 up to 62 classes,
    Python integers (object) beyond.
    """
    cls = np.asarray(link_cls, dtype=object)
    is_text = np.fromiter((type(v) is str for v in cls), dtype=bool, count=len(cls))
    names = sorted(set(cls[is_text].tolist()))
    rank = {name: i for i, name in enumerate(names)}
    kind = np.int64 if len(names) <= 62 else object
    bits = np.array([1 << rank[v] for v in cls[is_text].tolist()], dtype=kind)
    masks = np.zeros(n + 1, dtype=kind)  # no links (or −1): no class
    np.bitwise_or.at(masks, np.asarray(link_at, dtype=np.int64)[is_text], bits)
    distinct, which = np.unique(masks[np.asarray(codes, dtype=np.int64)], return_inverse=True)
    texts = np.array(["、".join(n for i, n in enumerate(names) if int(m) >> i & 1)
                      for m in distinct.tolist()], dtype=object)
    return pd.Series(texts[which.reshape(-1)], index=index, dtype=object)


def _lists_any(lists: pd.Series, sep: str, wanted: set[str]) -> pd.Series:
    """Whether any ``sep``-separated item of each text is in ``wanted`` (as set(s.split(sep)))."""
    arr = pa.array(lists.astype(object).to_numpy(), type=pa.large_string())
    parts = pc.split_pattern(arr, sep)
    rows = pc.list_parent_indices(parts).to_numpy(zero_copy_only=False)
    found = pc.is_in(pc.list_flatten(parts), value_set=pa.array(sorted(wanted),
                                                               type=pa.large_string()))
    out = np.zeros(len(lists), dtype=bool)
    out[rows[found.to_numpy(zero_copy_only=False)]] = True
    return pd.Series(out, index=lists.index)


def _in_construction(parcels: pd.DataFrame, within: int | None, year: int | None
                     ) -> tuple[pd.Series, pd.Series]:
    """Return (in 建设期, 供地年份 as text) of each parcel.

    In 建设期: supplied 0 … ``within``−1 years before ``year``; all False when the rule, the
    year or ``supply_year`` is missing.
    """
    none = pd.Series(False, index=parcels.index)
    if within is None or year is None or "supply_year" not in parcels:
        return none, pd.Series("", index=parcels.index, dtype=object)
    supply = pd.to_numeric(parcels["supply_year"], errors="coerce")
    since = int(year) - supply
    building = ((since >= 0) & (since < within)).fillna(False).astype(bool)
    return building, supply.astype("Int64").astype(str)


def parcel_industries(enterprises: pd.DataFrame) -> pd.DataFrame:
    """One row per (parcel, industry code) of the enterprises on it.

    Each enterprise counts on every parcel its ``parcel_id`` lists
    (:func:`geo.landuse.model.split_ids`) with both its GB/T 4754 大类 (``industry_group``,
    "C39") and its 门类 (``industry_section``, "C"); unknown codes (None) give no row.

    Returns
    -------
    DataFrame
        ``parcel_id`` (str) and ``code`` (str), without duplicates.
    """
    if "parcel_id" not in enterprises or not len(enterprises):
        return pd.DataFrame({"parcel_id": pd.Series(dtype=str), "code": pd.Series(dtype=str)})
    pairs = id_pairs(enterprises["parcel_id"])  # every id of every cell, as split_ids reads
    parts = [pd.DataFrame({"parcel_id": pairs["parcel_id"].to_numpy(),
                           "code": enterprises[col].to_numpy()[pairs["pos"].to_numpy()]})
             for col in ("industry_group", "industry_section") if col in enterprises]
    if not parts:
        return pd.DataFrame({"parcel_id": pd.Series(dtype=str), "code": pd.Series(dtype=str)})
    long = pd.concat(parts, ignore_index=True)
    long = long[long["code"].notna()]
    return long.astype({"parcel_id": str, "code": str}).drop_duplicates(ignore_index=True)


def select_flagged(parcels: pd.DataFrame, *, districts: Iterable[str] = (),
                   zones: Iterable[str] = (), subzones: Iterable[str] = (),
                   reasons: Iterable[str] = (), classes: Iterable[str] = (),
                   industries: Iterable[str] = (), enterprises: pd.DataFrame | None = None,
                   min_mu: float | None = None, max_mu: float | None = None) -> pd.Index:
    """Ids of the flagged parcels that meet every criterion given (the land a scenario acts on).

    Parameters
    ----------
    parcels : DataFrame
        Parcels of :func:`flag_parcels` (``low_efficiency``, ``reason_codes``,
        ``enterprise_classes``, ``land_mu`` and the unit columns); only flagged ones are chosen.
    districts, zones, subzones : iterable of str, keyword-only
        ``district`` / ``zone_id`` / ``subzone_id`` among these.
    reasons : iterable of str, keyword-only
        Reason codes (LOW_TAX, LOW_FAR, IDLE, CLASS_D, LOW_BUILT): at least one of them among the
        parcel's ``reason_codes``.
    classes : iterable of str, keyword-only
        Enterprise classes ("D"): at least one among the parcel's ``enterprise_classes``.
    industries : iterable of str, keyword-only
        GB/T 4754 大类 ("C39") or 门类 ("C") codes: at least one enterprise on the parcel of
        one of them (:func:`parcel_industries`); needs ``enterprises``.
    enterprises : DataFrame, keyword-only
        Evaluated enterprises (``parcel_id``, ``industry_group``, ``industry_section``).
    min_mu, max_mu : float, keyword-only
        Bounds (inclusive) of ``land_mu``; a parcel without an area fails a bound.

    An empty criterion (or a bound of None) does not restrict.

    Returns
    -------
    pandas.Index
        ``parcel_id`` (as str) of the chosen parcels, in the order of ``parcels``.

    Raises
    ------
    ValueError
        When ``industries`` are given without ``enterprises``.
    """
    keep = parcels["low_efficiency"].fillna(False).to_numpy(dtype=bool).copy()
    pid = parcels["parcel_id"].astype(str)
    for column, wanted in (("district", districts), ("zone_id", zones),
                           ("subzone_id", subzones)):
        wanted_ids = [str(v) for v in wanted]
        if wanted_ids:
            keep &= parcels[column].astype(str).isin(wanted_ids).to_numpy(dtype=bool) \
                if column in parcels else False
    for column, wanted, sep in (("reason_codes", reasons, ";"),
                                ("enterprise_classes", classes, "、")):
        chosen = {str(v) for v in wanted}
        if chosen and column not in parcels:
            keep &= False
        elif chosen:
            cells = parcels[column].fillna("").astype(str).str.split(sep).reset_index(drop=True)
            keep &= cells.explode().isin(chosen).groupby(level=0).any().reindex(
                range(len(parcels)), fill_value=False).to_numpy(dtype=bool)
    codes = {str(v) for v in industries}
    if codes:
        if enterprises is None:
            raise ValueError("industries need the enterprises. Fix: pass enterprises=")
        links = parcel_industries(enterprises)
        keep &= pid.isin(links.loc[links["code"].isin(codes), "parcel_id"]).to_numpy(dtype=bool)
    land = pd.to_numeric(parcels["land_mu"], errors="coerce") if "land_mu" in parcels \
        else pd.Series(np.nan, index=parcels.index)
    if min_mu is not None:
        keep &= (land >= float(min_mu)).to_numpy(dtype=bool)
    if max_mu is not None:
        keep &= (land <= float(max_mu)).to_numpy(dtype=bool)
    return pd.Index(pid[keep], name="parcel_id")


def construction_years(profile: ScoringProfile, parcels: pd.DataFrame, year: int | None
                       ) -> int | None:
    """Return the 建设期 (years after 供地) the profile exempts, where it can apply.

    None when the profile sets none, the data year is unknown, or no parcel carries a
    ``supply_year`` — the rule is then not applied, and a description of the rules must not
    say it is.
    """
    years = profile.exemptions.construction_within_years
    known = "supply_year" in parcels and bool(
        pd.to_numeric(parcels["supply_year"], errors="coerce").notna().any())
    return years if years is not None and year is not None and known else None
