"""Several data years side by side: unit figures over time, class moves, one enterprise's history.

Every function takes ``analyses``: a mapping data year → the :class:`~geo.landuse.pipeline.Analysis`
of that year, each computed by the existing pipeline (one year per analysis, see
:func:`geo.landuse.pipeline.select_year`). Nothing here reads files or guesses a figure: a value
that cannot be computed from the years loaded is NaN (never inf) or None, and says so.

Enterprises of two years are matched by their key — ``enterprise_key`` (the credit code, or the
name key of a list without codes) when both years carry it, else ``credit_code`` — compared
exactly. A key seen twice within one year cannot be matched and is refused
(:class:`geo._errors.DataImportError`), as is an enterprise without a key.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace

import geopandas as gpd
import numpy as np
import pandas as pd

from geo._errors import DataImportError
from geo.labels import ENTERPRISE_FIELD_HEADERS, YEAR_TEXTS
from geo.landuse.metrics import AGG_LEVELS, INDICATORS, aggregate
from geo.landuse.pipeline import Analysis, analyse, select_year
from geo.landuse.scoring import CLASSES, ScoringProfile
from geo.landuse.tables import UNCLASSED, level_table
from geo.landuse.townships import TownshipTable

__all__ = ["MATRIX_CLASSES", "MOVES", "years_table", "class_transitions", "enterprise_history",
           "base_year_figures", "trend_frame", "data_years", "analyses_by_year",
           "sample_all_years"]

#: Rows (earlier year) and columns (later year) of the transition matrix: the classes, then
#: enterprises listed but not classed, then enterprises not in that year's list.
MATRIX_CLASSES = (*CLASSES, UNCLASSED, YEAR_TEXTS["absent"])
#: The moves of :func:`class_transitions`, in the order pages list them.
MOVES = tuple(YEAR_TEXTS[k] for k in ("up", "down", "same", "new", "exit", "neither"))
#: Columns of :func:`enterprise_history`.
HISTORY_COLUMNS = ("year", "track", "score", "class", "rank", "tax_per_mu", "va_per_mu",
                   "land_mu")
#: Columns of :func:`trend_frame`.
TREND_COLUMNS = ("unit", "unit_name", "metric", "year", "value")
#: Scale of the enterprises the plan's 亩均 targets count (as geo.landuse.targets).
_ABOVE_SCALE = "规上"
_RANK = {c: i for i, c in enumerate(CLASSES)}  # 0 = A, the best


def _years(analyses: Mapping[int, Analysis]) -> list[int]:
    """Return the years of ``analyses``, sorted; refuse an analysis labelled with another year.

    Raises
    ------
    DataImportError
        An analysis whose own ``year`` differs from its key (the data would be shown under
        the wrong year).
    """
    for year, analysis in analyses.items():
        if analysis.year is not None and int(analysis.year) != int(year):
            raise DataImportError(
                f"the analysis given for {year} holds data of {analysis.year}",
                field="year", fix="give each year's analysis under its own year",
                zh=(f"作为 {year} 年给出的分析实为 {analysis.year} 年的数据",
                    "请按各分析自身的数据年度给出"))
    return sorted(int(y) for y in analyses)


def _check_metrics(metrics: Sequence[str]) -> list[str]:
    unknown = [m for m in metrics if m not in INDICATORS]
    if unknown:
        raise ValueError(f"unknown metrics {unknown}. Fix: use some of {', '.join(INDICATORS)}")
    return list(dict.fromkeys(metrics))


def _span_figures(values: np.ndarray, years: np.ndarray
                  ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Change, growth (%) and CAGR (%) from each row's first to its last year with a value.

    ``values`` is (units × years), ``years`` ascending. All three are NaN for a row with
    values in fewer than two distinct years; growth and CAGR also for a non-positive first
    value, CAGR for a negative last one (no real root). Never inf.
    """
    n = values.shape[0]
    change, growth, cagr = (np.full(n, np.nan) for _ in range(3))
    if not values.size:
        return change, growth, cagr
    ok = np.isfinite(values)
    first_i = np.argmax(ok, axis=1)
    last_i = values.shape[1] - 1 - np.argmax(ok[:, ::-1], axis=1)
    rows = np.arange(n)
    first, last = values[rows, first_i], values[rows, last_i]
    span = (years[last_i] - years[first_i]).astype(float)
    two = ok.any(axis=1) & (span > 0)
    change[two] = last[two] - first[two]
    pos = two & (first > 0)
    growth[pos] = (last[pos] / first[pos] - 1.0) * 100.0
    root = pos & (last >= 0)
    cagr[root] = (np.power(last[root] / first[root], 1.0 / span[root]) - 1.0) * 100.0
    return change, growth, cagr


def years_table(analyses: Mapping[int, Analysis], catalog: Mapping[str, gpd.GeoDataFrame], *,
                level: str, metrics: Sequence[str] = ("tax_per_mu", "va_per_mu")
                ) -> pd.DataFrame:
    """Figures of every unit of ``level`` for each year, with their change over the years.

    Each year's figures are those of :func:`geo.landuse.tables.level_table` (ratios of sums).

    Parameters
    ----------
    analyses : mapping of int to Analysis
        Data year → the analysis of that year.
    catalog : mapping
        From :func:`geo.zones.catalog.load_catalog` (the units of ``level``).
    level : {"subzone", "zone", "district", "belt", "city"}, keyword-only
    metrics : sequence of str, keyword-only
        Indicators of :data:`geo.landuse.metrics.INDICATORS`.

    Returns
    -------
    DataFrame
        One row per unit of any year: ``unit``, ``unit_name``, then per metric
        ``<metric>_<year>`` for each year (ascending), ``<metric>_change`` (last − first year
        with a value, in the metric's unit), ``<metric>_growth`` (total % change, last vs
        first) and ``<metric>_cagr`` (年均增速 %, ``((last/first)^(1/(y_last − y_first)) − 1)
        × 100``). The first and last years are the unit's own first and last with a value;
        the three are NaN when it has values in fewer than two years, growth and CAGR also
        when the first value is not positive (never inf). ``attrs``: ``years`` (sorted list),
        ``metrics``, ``level``. No analyses: no rows.

    Raises
    ------
    ValueError
        An unknown level or metric.
    DataImportError
        An analysis labelled with another year than its key.
    """
    if level not in AGG_LEVELS:
        raise ValueError(f"unknown level {level!r}. Fix: use one of {', '.join(AGG_LEVELS)}")
    metrics = _check_metrics(metrics)
    years = _years(analyses)
    by_year = {int(y): a for y, a in analyses.items()}
    out = pd.DataFrame({"unit": pd.Series(dtype=object), "unit_name": pd.Series(dtype=object)})
    figures: dict[int, pd.DataFrame] = {}
    for year in years:
        table = pd.DataFrame(level_table(by_year[year], catalog, level=level))
        table = table.drop_duplicates("unit").set_index("unit")
        figures[year] = table
        new = table.index.difference(pd.Index(out["unit"]), sort=False)
        out = pd.concat([out, pd.DataFrame({"unit": new, "unit_name": table.loc[new,
                                                                                "unit_name"]})],
                        ignore_index=True)
    columns: dict[str, pd.Series | np.ndarray] = {}
    for metric in metrics:
        values = np.column_stack([
            pd.to_numeric(figures[y][metric], errors="coerce").reindex(out["unit"]).to_numpy(
                dtype=float) for y in years]) if years else np.zeros((0, 0))
        for i, year in enumerate(years):
            columns[f"{metric}_{year}"] = values[:, i]
        change, growth, cagr = _span_figures(values, np.asarray(years, dtype=int))
        columns[f"{metric}_change"] = change
        columns[f"{metric}_growth"] = growth
        columns[f"{metric}_cagr"] = cagr
    out = pd.concat([out.reset_index(drop=True), pd.DataFrame(columns, index=out.index)],
                    axis=1)
    out.attrs.update(years=years, metrics=metrics, level=level)
    return out


def _key_column(before: pd.DataFrame, after: pd.DataFrame, key: str) -> str:
    """``key`` when both years carry it, else ``credit_code``; refuse lists without either."""
    for col in (key, "credit_code"):
        if col in before and col in after:
            return col
    raise DataImportError(
        f"the enterprise lists share neither {key!r} nor 'credit_code'",
        field=ENTERPRISE_FIELD_HEADERS["credit_code"],
        fix="give both years' enterprises their credit code",
        zh=("两个年度的企业清单没有共同的企业标识（统一社会信用代码）",
            "请为两个年度的企业都填写统一社会信用代码后重新导入"))


def _keyed(frame: pd.DataFrame, col: str, which: tuple[str, str]) -> pd.DataFrame:
    """One year's enterprises indexed by key, with ``class`` (A–D or 未参评) and ``score``.

    Raises
    ------
    DataImportError
        An enterprise without a key, or a key seen twice in the year (``which`` names the
        year in English and Chinese).
    """
    which_en, which_zh = which
    keys = frame[col]
    blank = keys.isna() | (keys.astype(str).str.strip() == "")
    if blank.any():
        raise DataImportError(
            f"{int(blank.sum())} enterprises of the {which_en} year have no {col}",
            field=ENTERPRISE_FIELD_HEADERS["credit_code"],
            fix="give every enterprise its key (credit code) so the years can be matched",
            zh=(f"{which_zh}有 {int(blank.sum())} 家企业没有企业标识，无法与另一年度对应",
                "请为每家企业填写统一社会信用代码后重新导入"))
    dup = keys[keys.duplicated(keep=False)]
    if len(dup):
        shown = "、".join(map(str, dict.fromkeys(dup)))
        raise DataImportError(
            f"{col} {shown} appears more than once in the {which_en} year",
            field=ENTERPRISE_FIELD_HEADERS["credit_code"],
            fix="keep one row per enterprise and year",
            zh=(f"{which_zh}中企业标识 {shown} 出现了不止一次，无法与另一年度对应",
                "每家企业每个年度只保留一行"))
    cls = frame["class"] if "class" in frame else pd.Series(None, index=frame.index)
    score = frame["score"] if "score" in frame else pd.Series(np.nan, index=frame.index)
    name = frame["name"] if "name" in frame else pd.Series(None, index=frame.index)
    return pd.DataFrame({"name": name.to_numpy(), "class": cls.where(
        cls.isin(list(CLASSES)), UNCLASSED).to_numpy(), "score": pd.to_numeric(
        score, errors="coerce").to_numpy(dtype=float)}, index=pd.Index(keys.to_numpy(), name=col))


def _move(before: str, after: str) -> str:
    """Name the move of one enterprise between two years (A is better than D)."""
    rb, ra = _RANK.get(before), _RANK.get(after)
    if rb is not None and ra is not None:
        return YEAR_TEXTS["up"] if ra < rb else YEAR_TEXTS["down"] if ra > rb \
            else YEAR_TEXTS["same"]
    if ra is not None:
        return YEAR_TEXTS["new"]
    return YEAR_TEXTS["exit"] if rb is not None else YEAR_TEXTS["neither"]


def class_transitions(before: pd.DataFrame, after: pd.DataFrame, *, key: str = "enterprise_key"
                      ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """How the enterprises' A/B/C/D classes changed from one year to a later one.

    Enterprises are matched by their key: ``key`` when both lists carry it, else
    ``credit_code``, compared exactly.

    Parameters
    ----------
    before, after : DataFrame
        :attr:`Analysis.enterprises <geo.landuse.pipeline.Analysis>` of the earlier and the
        later year (key, ``name``, ``class``, ``score`` …).
    key : str, keyword-only
        The key column to match on when both lists carry it.

    Returns
    -------
    (DataFrame, DataFrame)
        The matrix: rows the class of the earlier year, columns that of the later year, both
        :data:`MATRIX_CLASSES` (A, B, C, D, 未参评 — listed but not classed, 未在册 — not in
        that year's list), integer counts; every enterprise of either year is counted exactly
        once. The members: one row per enterprise (earlier year's order, then the newcomers)
        with the key column, ``name`` (the later year's where listed), ``class_before``,
        ``class_after``, ``move`` (one of :data:`MOVES`: 升档 / 降档 / 持平 between classes,
        新参评 when only the later year classes it, 退出评价 when only the earlier year does,
        均未参评 when neither does), ``score_before`` and ``score_after``. ``attrs["key"]``
        is the key column used.

    Raises
    ------
    DataImportError
        The lists share neither key column; an enterprise has no key; a key is seen twice in
        one year (the years cannot then be matched).
    """
    col = _key_column(before, after, key)
    old = _keyed(before, col, ("earlier", "前一年度"))
    new = _keyed(after, col, ("later", "后一年度"))
    keys = old.index.append(new.index.difference(old.index, sort=False))
    absent = YEAR_TEXTS["absent"]
    members = pd.DataFrame({
        col: keys,
        "name": new["name"].reindex(keys).where(keys.isin(new.index),
                                                old["name"].reindex(keys)).to_numpy(),
        "class_before": old["class"].reindex(keys).fillna(absent).to_numpy(),
        "class_after": new["class"].reindex(keys).fillna(absent).to_numpy(),
    })
    members["move"] = [_move(b, a) for b, a in zip(members["class_before"],
                                                   members["class_after"], strict=True)]
    members["score_before"] = old["score"].reindex(keys).to_numpy(dtype=float)
    members["score_after"] = new["score"].reindex(keys).to_numpy(dtype=float)
    members.attrs["key"] = col
    matrix = pd.DataFrame(0, index=pd.Index(MATRIX_CLASSES, name="class_before"),
                          columns=pd.Index(MATRIX_CLASSES, name="class_after"), dtype="int64")
    for (b, a), n in members.groupby(["class_before", "class_after"]).size().items():
        matrix.loc[b, a] = int(n)
    return matrix, members


def _track_rank(ent: pd.DataFrame, row: int) -> int | None:
    """Rank of row ``row`` among its track by score (1 = best; ties share the best rank)."""
    track, score = ent["track"].iloc[row], ent["score"].iloc[row]
    if pd.isna(track) or pd.isna(score):
        return None
    same = ent.loc[(ent["track"] == track).to_numpy(), "score"].dropna().round(9)
    return int((same > round(float(score), 9)).sum()) + 1


def enterprise_history(analyses: Mapping[int, Analysis], key_value: object, *,
                       key: str = "enterprise_key") -> pd.DataFrame:
    """One enterprise's evaluation in every year loaded.

    Parameters
    ----------
    analyses : mapping of int to Analysis
    key_value : object
        The enterprise's key (compared exactly).
    key : str, keyword-only
        The key column; a year without it is searched by ``credit_code``.

    Returns
    -------
    DataFrame
        One row per year the enterprise appears (ascending): ``year``, ``track``, ``score``,
        ``class`` (A–D, or 未参评), ``rank`` (within its track by score, 1 = best, ties share
        the best rank; missing without a score or track), ``tax_per_mu``, ``va_per_mu``,
        ``land_mu``. No rows when it appears in no year.

    Raises
    ------
    DataImportError
        The key appears more than once in one year, or a year's list has no key column.
    """
    rows = []
    for year in _years(analyses):
        ent = analyses[year].enterprises.reset_index(drop=True)
        col = key if key in ent else "credit_code"
        if col not in ent:
            raise DataImportError(
                f"the enterprises of {year} have no {key!r} or 'credit_code'",
                field=ENTERPRISE_FIELD_HEADERS["credit_code"], fix="give the credit codes",
                zh=(f"{year} 年的企业清单没有企业标识（统一社会信用代码）",
                    "请填写统一社会信用代码后重新导入"))
        hits = np.flatnonzero((ent[col] == key_value).to_numpy(dtype=bool))
        if len(hits) > 1:
            raise DataImportError(
                f"{col} {key_value} appears {len(hits)} times in {year}",
                field=ENTERPRISE_FIELD_HEADERS["credit_code"],
                fix="keep one row per enterprise and year",
                zh=(f"企业标识 {key_value} 在 {year} 年出现了 {len(hits)} 次",
                    "每家企业每个年度只保留一行"))
        if not len(hits):
            continue
        i = int(hits[0])
        cls = ent["class"].iloc[i] if "class" in ent else None
        row: dict[str, object] = {
            "year": year, "track": ent["track"].iloc[i] if "track" in ent else None,
            "score": ent["score"].iloc[i] if "score" in ent else np.nan,
            "class": cls if cls in CLASSES else UNCLASSED,
            "rank": _track_rank(ent, i) if {"track", "score"} <= set(ent.columns) else None}
        for name in HISTORY_COLUMNS[5:]:
            row[name] = ent[name].iloc[i] if name in ent else np.nan
        rows.append(row)
    out = pd.DataFrame(rows, columns=list(HISTORY_COLUMNS))
    out["rank"] = out["rank"].astype("Int64")
    for name in ("score", *HISTORY_COLUMNS[5:]):
        out[name] = pd.to_numeric(out[name], errors="coerce").astype(float)
    out["year"] = out["year"].astype("int64")
    return out


def base_year_figures(analyses: Mapping[int, Analysis], year: int = 2021
                      ) -> dict[str, float] | None:
    """Return the city's 规上 亩均税收 and 亩均增加值 of ``year``, the base of the +40 % target.

    Computed as :func:`geo.landuse.targets.efficiency_targets` computes its ``current``
    figures (ratio of sums over the 规上 enterprises, level "city"), to be passed as its
    ``base_2021``.

    Parameters
    ----------
    analyses : mapping of int to Analysis
    year : int
        The base year (default 2021).

    Returns
    -------
    dict or None
        ``{"tax_per_mu": …, "va_per_mu": …}`` (万元/亩), holding only the figures that can be
        computed; None when no analysis of ``year`` is loaded or neither figure can be
        computed — never guessed (efficiency_targets then reports the target as not
        computable).
    """
    analysis = next((a for y, a in analyses.items() if int(y) == int(year)), None)
    if analysis is None:
        return None
    ent = analysis.enterprises
    above = ent.loc[ent["scale"].astype(str) == _ABOVE_SCALE] if "scale" in ent else ent.iloc[0:0]
    city = aggregate(above, analysis.parcels, level="city")
    figures: dict[str, float] = {}
    for key in ("tax_per_mu", "va_per_mu"):
        value = float(city[key].iloc[0]) if len(city) else float("nan")
        if np.isfinite(value):
            figures[key] = value
    return figures or None


def trend_frame(table: pd.DataFrame) -> pd.DataFrame:
    """Return the yearly figures of :func:`years_table` in long form, for a chart.

    Parameters
    ----------
    table : DataFrame
        From :func:`years_table` (its ``attrs`` name the years and metrics; without them the
        ``<metric>_<year>`` columns are recognised by name).

    Returns
    -------
    DataFrame
        ``unit``, ``unit_name``, ``metric``, ``year`` (int), ``value``: one row per unit,
        metric and year with a value (missing values dropped), in the table's unit order,
        then metric, then year.
    """
    years = table.attrs.get("years")
    metrics = table.attrs.get("metrics")
    if years is None or metrics is None:
        found = [(m, int(c[len(m) + 1:])) for c in table.columns for m in INDICATORS
                 if c.startswith(m + "_") and c[len(m) + 1:].isdigit()]
        metrics = list(dict.fromkeys(m for m, _ in found))
        years = sorted({y for _, y in found})
    parts = []
    for m_order, metric in enumerate(metrics):
        for year in years:
            col = f"{metric}_{year}"
            if col not in table:
                continue
            parts.append(pd.DataFrame({
                "unit": table["unit"].to_numpy(), "unit_name": table["unit_name"].to_numpy(),
                "metric": metric, "year": int(year),
                "value": pd.to_numeric(table[col], errors="coerce").to_numpy(dtype=float),
                "_unit": np.arange(len(table)), "_metric": m_order}))
    if not parts:
        return pd.DataFrame({c: pd.Series(dtype=float if c == "value" else "int64" if c == "year"
                                          else object) for c in TREND_COLUMNS})
    long = pd.concat(parts, ignore_index=True)
    long = long[np.isfinite(long["value"])]
    long = long.sort_values(["_unit", "_metric", "year"], kind="stable")
    return long[list(TREND_COLUMNS)].reset_index(drop=True)


def data_years(parcels: pd.DataFrame, enterprises: pd.DataFrame) -> list[int]:
    """Return the data years the inputs hold, ascending.

    The enterprises' years when any row carries one, else the parcels' — the years
    :func:`geo.landuse.pipeline.select_year` chooses from by default. Empty when neither
    file carries a year.
    """
    for frame in (enterprises, parcels):
        if "year" in frame:
            years = pd.to_numeric(frame["year"], errors="coerce").dropna()
            if len(years):
                return sorted({int(y) for y in years})
    return []


def analyses_by_year(parcels: gpd.GeoDataFrame, enterprises: pd.DataFrame,
                     catalog: Mapping[str, gpd.GeoDataFrame], profile: ScoringProfile, *,
                     data_label: str, years: Iterable[int] | None = None,
                     townships: TownshipTable | None = None) -> dict[int, Analysis]:
    """Analyse each data year of inputs that hold several (one file with 2021–2025 rows).

    Each year is narrowed by :func:`geo.landuse.pipeline.select_year` (its enterprises and
    undated ones; each parcel's row of that year, else its undated row, else its latest) and
    analysed by :func:`geo.landuse.pipeline.analyse`, exactly as an import of that one year
    would be; the year's selection lines open its ``report``.

    Cost: one full analysis per year — placement, land, figures, scoring and low-efficiency
    flags — so about ``len(years)`` times the time and memory of one year (the bundled sample:
    well under a second per year). Callers that show the result repeatedly should cache it.

    Parameters
    ----------
    parcels, enterprises : DataFrame
        Canonical inputs of every year (as imported, before any year is chosen).
    catalog, profile, data_label, townships
        As for :func:`geo.landuse.pipeline.analyse`.
    years : iterable of int, keyword-only
        The years to analyse (default every year of :func:`data_years`).

    Returns
    -------
    dict of int to Analysis
        Year → its analysis, in ascending year order; empty when the inputs carry no year
        (they cannot then be told apart by year).

    Raises
    ------
    DataImportError
        A year asked for that the inputs do not hold (the message names the years they hold).
    """
    wanted = data_years(parcels, enterprises) if years is None else sorted(
        {int(y) for y in years})
    out: dict[int, Analysis] = {}
    for year in wanted:
        par, ent, used, lines = select_year(parcels, enterprises, year=year)
        analysis = analyse(par, ent, catalog, profile, data_label=data_label,
                           year=used if used is not None else year, townships=townships)
        report = pd.concat([r for r in (lines, analysis.report) if len(r)] or [lines],
                           ignore_index=True)
        out[year] = replace(analysis, report=report)
    return out


def sample_all_years() -> tuple[gpd.GeoDataFrame, pd.DataFrame, str]:
    """Return the bundled 示例数据 of every year it holds: parcels, enterprises, data label.

    Read by the same importers as :func:`geo.landuse.pipeline.load_sample`, but not narrowed
    to one year (pass them to :func:`analyses_by_year`).
    """
    from geo.landuse.ingest import import_enterprises, import_parcels
    from geo.landuse.model import SAMPLE_LABEL
    from geo.landuse.pipeline import SAMPLE_DIR

    parcels = import_parcels(SAMPLE_DIR / "parcels.gpkg").data
    enterprises = import_enterprises(SAMPLE_DIR / "enterprises.csv", parcels=parcels).data
    return parcels, pd.DataFrame(enterprises), SAMPLE_LABEL
