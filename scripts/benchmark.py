"""Benchmark the map: catalogue load, default view, filter changes, display simplification.

Usage: ``.venv/bin/python scripts/benchmark.py [--repeat N] [--output PATH] [--profile]
[--city-parcels N | --skip-city] [--raster-only | --skip-raster] [--quick]
[--new-only | --skip-new | --load-only] [--sizes 100k,300k] [--province] [--excel-rows N]
[--sessions N] [--load-client websocket|browser] [--skip-browser]``

Every case is timed with :func:`time.perf_counter`, ``N`` times (default 7), and reported as
median and minimum, beside a bare-library baseline measured in the same run (geopandas and
folium used the plain way, without our validation, text, styling or simplification). The
tables are printed to stdout and written to ``BENCHMARKS.md``. Budget (issue): the default
map view under 1.5 MB of HTML, a filter change answered in well under 0.5 s. The city-size
import section (synthetic files of ``--city-parcels`` parcels, default 100,000, and three
times as many enterprises) runs once per side; ``--skip-city`` leaves it out. The raster
section (``scripts/bench_raster.py``: zonal statistics and parcel surfaces, issue 13) is
included by default; ``--skip-raster`` leaves it out, ``--raster-only`` runs it alone and
``--quick`` runs it at CI sizes.

Each section of ``BENCHMARKS.md`` sits between ``<!-- section: KEY -->`` and
``<!-- /section -->``. ``--raster-only`` replaces only the raster section in place (inserting
it before "How to read this" the first time) and keeps the rest of the file; a full run
rewrites the file but keeps the previous text of a section it skipped (``--skip-city``,
``--skip-raster``) when the file has it between markers.

Sections 9–12 (issue 16, in the ``benchmarks`` package) follow: ``evaluate --level subzone``
and ``lowland`` as child processes at ``--sizes`` parcels (default 100k,300k; ``--province``
adds 1M) against the bare script ``benchmarks/bare_evaluate.py``, with each child's peak
memory; the Excel export of ``--excel-rows`` rows against bare xlsxwriter; the app's steps in
headless Chromium against ``benchmarks/bare_app.py``; and ``--sessions`` concurrent sessions
(default 10) with p50/p95 per step and server CPU and memory apart from the client's, driven
through Streamlit's websocket protocol (``benchmarks/ws_load.py``; ``--load-client browser``:
headless Chromium). ``--new-only`` runs only them (replacing only their sections in
``--output``), ``--load-only`` only the session load, ``--skip-new`` leaves them out,
``--skip-browser`` leaves out the sections that need Chromium. ``--quick`` runs
every section at CI sizes (10k parcels, 10k Excel rows, 1 app-step run, 3 sessions, 100k points,
a 10k-parcel city import, 3 repetitions) in a few minutes.

Performance is measured here, never in timed tests.
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import gc
import io
import os
import platform
import pstats
import resource
import statistics
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo.crs import AREA_CRS
from geo.display import display_frame
from geo.labels import REPORT_COLUMNS
from geo.landuse.metrics import aggregate
from geo.landuse.spatial import assign_points
from geo.zones.catalog import DATA_DIR, LEVEL_FILES, load_catalog
from geo.zones.selection import MAP_LEVELS, Filters, select
from layers.map import DISPLAY_TOLERANCE_M, build_map

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # the benchmarks package lives beside scripts/
    sys.path.insert(0, str(ROOT))
T = TypeVar("T")
S = TypeVar("S")

#: Budget from the issue.
HTML_BUDGET_BYTES = 1.5 * 1024 * 1024
FILTER_BUDGET_S = 0.5
#: Cases slower than this (median) are profiled with cProfile.
PROFILE_THRESHOLD_S = 0.3
ASSET_BASE = "/app/static/vendor/leaflet"
#: Realistic sidebar choices: (label, filters).
FILTER_CASES: tuple[tuple[str, Filters], ...] = (
    ("industry 汽车", Filters(industries=("汽车",))),
    ("industry 新材料 + phrase 膜材料", Filters(industries=("新材料",), phrase="膜材料")),
    ("belt 东部临港产业带", Filters(belt="东部临港产业带")),
    ("district 北仑区", Filters(district="北仑区")),
    ("name 高新", Filters(name="高新")),
)
#: Raw text columns a bare phrase search looks in.
PHRASE_COLUMNS = ("industry_tags", "leading_industries", "belt_industries", "leading_industry",
                  "positioning")

Catalog = Mapping[str, gpd.GeoDataFrame]


# --------------------------------------------------------------------------- measuring


@dataclass(frozen=True)
class Timing:
    """Wall-clock times of one case.

    Attributes
    ----------
    runs : tuple of float
        Seconds per repetition.
    """

    runs: tuple[float, ...]

    @property
    def median(self) -> float:
        """Median run, seconds."""
        return statistics.median(self.runs)

    @property
    def min(self) -> float:
        """Fastest run, seconds."""
        return min(self.runs)


def measure(run: Callable[[S], T], repeat: int, setup: Callable[[], S] | None = None
            ) -> tuple[Timing, T]:
    """Time ``run`` ``repeat`` times; only ``run`` is timed, not ``setup``.

    Parameters
    ----------
    run : callable
        Called with the result of ``setup`` (or ``None``).
    repeat : int
        Number of timed repetitions.
    setup : callable, optional
        Prepares a fresh argument for each repetition, outside the timer.

    Returns
    -------
    (Timing, object)
        The timings and the last result of ``run``.
    """
    runs = []
    result: Any = None
    for _ in range(repeat):
        arg = setup() if setup is not None else None
        gc.collect()  # start each run clean: earlier garbage is not charged to it
        start = time.perf_counter()
        result = run(arg)  # type: ignore[arg-type]
        runs.append(time.perf_counter() - start)
    return Timing(tuple(runs)), result


def profile_top(run: Callable[[], object], *, runs: int = 3, limit: int = 25) -> str:
    """Run a few times under cProfile; return the top functions by cumulative time.

    Parameters
    ----------
    run : callable
        The case to profile.
    runs : int, keyword-only
        Repetitions profiled together (one run is too noisy to rank functions).
    limit : int, keyword-only
        Number of functions listed.

    Returns
    -------
    str
        The ``pstats`` listing.
    """
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(runs):
        run()
    profiler.disable()
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).strip_dirs().sort_stats("cumulative").print_stats(limit)
    return out.getvalue()


# --------------------------------------------------------------------------- the cases


def bare_read() -> dict[str, gpd.GeoDataFrame]:
    """Baseline load: plain ``geopandas.read_file`` of the six layer files.

    Returns
    -------
    dict of str to GeoDataFrame
        Keyed by level, unvalidated and unnormalised.
    """
    return {lvl: gpd.read_file(DATA_DIR / name, engine="pyogrio")
            for lvl, name in LEVEL_FILES.items()}


def bare_filter(catalog: Catalog, filters: Filters) -> dict[str, gpd.GeoDataFrame]:
    """Baseline selection: plain pandas boolean masks, no taxonomy, no validation.

    Parameters
    ----------
    catalog : mapping of level to GeoDataFrame
    filters : Filters

    Returns
    -------
    dict of str to GeoDataFrame
        One filtered layer per level in ``filters.levels``.
    """
    out = {}
    for level in MAP_LEVELS:
        if level not in filters.levels:
            continue
        gdf = catalog[level]
        mask = pd.Series(True, index=gdf.index)
        if filters.industry_queries:
            hit = pd.Series(False, index=gdf.index)
            for tag in filters.industries:
                hit |= gdf["industry_tags"].str.contains(tag, regex=False)
            if filters.phrase:
                for col in (c for c in PHRASE_COLUMNS if c in gdf.columns):
                    hit |= gdf[col].str.contains(filters.phrase, regex=False)
            mask &= hit
        if filters.belt and "belt" in gdf.columns:
            mask &= gdf["belt"] == filters.belt
        if filters.district:
            col = "districts" if "districts" in gdf.columns else "district"
            mask &= gdf[col].str.contains(filters.district, regex=False)
        if filters.name:
            mask &= gdf["name"].str.contains(filters.name, regex=False)
        out[level] = gdf[mask]
    return out


def bare_map(selection: Catalog, districts: gpd.GeoDataFrame) -> folium.Map:
    """Baseline map: ``folium.Map()`` plus one default ``GeoJson`` per layer, name tooltip.

    Parameters
    ----------
    selection : mapping of level to GeoDataFrame
    districts : GeoDataFrame

    Returns
    -------
    folium.Map
    """
    m = folium.Map()
    for gdf in [districts, *selection.values()]:
        if len(gdf):
            folium.GeoJson(gdf, tooltip=folium.GeoJsonTooltip(fields=["name"])).add_to(m)
    return m


def our_map(catalog: Catalog, filters: Filters) -> folium.Map:
    """The app's map for ``filters``: :func:`select` then :func:`build_map`."""
    return build_map(select(catalog, filters), districts=catalog["district"],
                     basemap="none", asset_base=ASSET_BASE, district=filters.district)


def render(m: folium.Map) -> str:
    """The full HTML page of ``m``, as folium (and streamlit-folium) renders it."""
    return m.get_root().render()


def nbytes(text: str) -> int:
    """Size of ``text`` in UTF-8 bytes."""
    return len(text.encode("utf-8"))


def feature_count(selection: Catalog) -> int:
    """Number of features over every layer of a selection."""
    return sum(len(gdf) for gdf in selection.values())


# --------------------------------------------------------------------------- streamlit-folium


def streamlit_folium_payload() -> Callable[[folium.Map], str] | None:
    """What ``st_folium`` sends to the browser, if its private helpers can be imported.

    Returns
    -------
    callable or None
        Maps a freshly built (not yet serialised) map to header + html + script, in the
        order ``st_folium`` produces them; None when streamlit-folium is unavailable.
    """
    try:
        # a script, not geo/ or layers/: the UI-import ban does not concern it
        import streamlit.config  # noqa: TID251
        import streamlit.logger  # noqa: TID251

        streamlit.config.get_config_options()  # load the config first: it resets the level
        streamlit.logger.set_log_level("error")  # no "missing ScriptRunContext" noise
        import streamlit_folium as sf  # noqa: TID251
    except ImportError:
        return None
    helpers = ("_get_html", "_get_header", "_get_map_string")
    if not all(callable(getattr(sf, name, None)) for name in helpers):
        return None

    def payload(m: folium.Map) -> str:
        m.get_root().render()
        m.render()
        html, header = sf._get_html(m), sf._get_header(m)
        return header + html + sf._get_map_string(m)  # this one renames the map's ids

    return payload


# --------------------------------------------------------------------------- table rows


@dataclass(frozen=True)
class Row:
    """One line of a results table.

    Attributes
    ----------
    case : str
    ours, baseline : Timing or None
    size : str
        Human-readable size (ours, and the baseline's in brackets), or "".
    budget : str
        "OK", "OVER" or "".
    note : str
        Anything else worth a column (features, steps).
    """

    case: str
    ours: Timing | None
    baseline: Timing | None = None
    size: str = ""
    budget: str = ""
    note: str = ""


def fmt_ms(timing: Timing | None) -> str:
    """``median (min)`` in milliseconds, or an em dash."""
    if timing is None:
        return "—"
    return f"{timing.median * 1e3:.1f} ({timing.min * 1e3:.1f})"


def fmt_ratio(row: Row) -> str:
    """Median ratio ours / baseline, or an em dash."""
    if row.ours is None or row.baseline is None or row.baseline.median == 0:
        return "—"
    return f"{row.ours.median / row.baseline.median:.2f}×"


def fmt_size(ours: int, other: int | None = None, *, label: str = "bare") -> str:
    """Bytes as MB (and bytes), with another size and the ratio to it when given."""
    text = f"{ours / 1024 / 1024:.3f} MB ({ours:,} B)"
    if other:
        text += f" vs {label} {other / 1024 / 1024:.3f} MB = {ours / other:.2f}×"
    return text


def markdown_table(rows: list[Row]) -> str:
    """Rows as a Markdown table."""
    head = ("| case | ours median (min) ms | baseline median (min) ms | ratio | size | budget "
            "| note |\n|---|---:|---:|---:|---|---|---|")
    lines = [f"| {r.case} | {fmt_ms(r.ours)} | {fmt_ms(r.baseline)} | {fmt_ratio(r)} "
             f"| {r.size} | {r.budget} | {r.note} |" for r in rows]
    return "\n".join([head, *lines])


# --------------------------------------------------------------------------- sections


def bench_load(repeat: int) -> list[Row]:
    """Section 1: catalogue load with validation vs bare ``read_file``.

    One untimed call of each first, so lazy imports (pyogrio, the PROJ database) are not
    charged to either side.
    """
    load_catalog()
    bare_read()
    ours, _ = measure(lambda _: load_catalog(), repeat)
    bare, _ = measure(lambda _: bare_read(), repeat)
    return [Row("load_catalog() (validated) vs gpd.read_file ×6", ours, bare,
                note="OS file cache warm")]


def bench_default(catalog: Catalog, repeat: int) -> tuple[list[Row], list[str]]:
    """Section 2: the default view, time and size, and what streamlit-folium sends.

    Returns
    -------
    (list of Row, list of str)
        Table rows and profiles of cases over the threshold.
    """
    filters = Filters()
    ours, html = measure(lambda _: render(our_map(catalog, filters)), repeat)
    sel = bare_filter(catalog, filters)
    bare, bare_html = measure(lambda _: render(bare_map(sel, catalog["district"])), repeat)
    size, bare_size = nbytes(html), nbytes(bare_html)
    rows = [Row("default view: select + build_map + render", ours, bare,
                fmt_size(size, bare_size), budget_size(size),
                note=f"{feature_count(select(catalog, filters))} features")]
    payload = streamlit_folium_payload()
    if payload is not None:
        sent_t, sent = measure(payload, repeat, setup=lambda: our_map(catalog, filters))
        bare_t, bare_sent = measure(payload, repeat,
                                    setup=lambda: bare_map(sel, catalog["district"]))
        rows.append(Row("st_folium serialisation of a built map (each rerun)", sent_t, bare_t,
                        fmt_size(nbytes(sent), nbytes(bare_sent)), budget_size(nbytes(sent)),
                        note="header + html + map script, as sent by streamlit-folium"))
    else:
        rows.append(Row("st_folium payload", None, note="streamlit_folium helpers not "
                        "importable: the rendered HTML above is the size that counts"))
    profiles = [maybe_profile("default view", ours, lambda: render(our_map(catalog, filters)))]
    return rows, [p for p in profiles if p]


def budget_size(size: int) -> str:
    """"OK" under the 1.5 MB HTML budget, else "OVER"."""
    return "OK" if size < HTML_BUDGET_BYTES else "OVER"


def maybe_profile(case: str, timing: Timing, run: Callable[[], object]) -> str:
    """A cProfile listing for ``case`` if its median is over the threshold, else ""."""
    if timing.median <= PROFILE_THRESHOLD_S:
        return ""
    return f"### {case} (median {timing.median * 1e3:.0f} ms)\n\n```\n{profile_top(run)}```"


def bench_filters(catalog: Catalog, repeat: int, *, force_profile: bool) -> tuple[list[Row],
                                                                                   list[str]]:
    """Section 3: filter changes, ours (select + build_map + render) vs bare.

    The note column gives the median of each step (select / build_map / render) so the
    dominant one is visible.

    Returns
    -------
    (list of Row, list of str)
        Table rows and cProfile listings (over the threshold, or all with ``force_profile``).
    """
    rows, profiles = [], []
    for label, filters in FILTER_CASES:
        steps: dict[str, list[float]] = {"select": [], "build": [], "render": []}

        def ours_once(_: object, filters: Filters = filters,
                      steps: dict[str, list[float]] = steps) -> str:
            t0 = time.perf_counter()
            sel = select(catalog, filters)
            t1 = time.perf_counter()
            m = build_map(sel, districts=catalog["district"], basemap="none",
                          asset_base=ASSET_BASE, district=filters.district)
            t2 = time.perf_counter()
            html = render(m)
            t3 = time.perf_counter()
            for key, span in zip(steps, (t1 - t0, t2 - t1, t3 - t2), strict=True):
                steps[key].append(span)
            return html

        def bare_once(_: object, filters: Filters = filters) -> str:
            return render(bare_map(bare_filter(catalog, filters), catalog["district"]))

        ours, html = measure(ours_once, repeat)
        bare, bare_html = measure(bare_once, repeat)
        n_ours = feature_count(select(catalog, filters))
        n_bare = feature_count(bare_filter(catalog, filters))
        split = " / ".join(f"{statistics.median(v) * 1e3:.0f}" for v in steps.values())
        rows.append(Row(label, ours, bare, fmt_size(nbytes(html), nbytes(bare_html)),
                        "OK" if ours.median < FILTER_BUDGET_S else "OVER",
                        note=f"{n_ours} features (bare {n_bare}); select/build/render ms "
                             f"{split}"))

        def ours_render(f: Filters = filters) -> str:
            return render(our_map(catalog, f))

        if force_profile:
            profiles.append(f"### {label}\n\n```\n{profile_top(ours_render)}```")
        else:
            profiles.append(maybe_profile(label, ours, ours_render))
    return rows, [p for p in profiles if p]


def vertices(gdf: gpd.GeoDataFrame) -> int:
    """Total number of coordinates in a layer."""
    return int(shapely.get_num_coordinates(gdf.geometry.values).sum())


def bench_simplify(catalog: Catalog, repeat: int) -> tuple[list[Row], list[str]]:
    """Section 4: what the coverage simplification of the districts saves, and costs.

    Returns
    -------
    (list of Row, list of str)
        Table rows, and the coverage checks as Markdown bullet lines.
    """
    tol = DISPLAY_TOLERANCE_M["district"]
    districts = catalog["district"]
    cols = ["id", "name"]
    raw = districts[[*cols, "geometry"]]
    rounded = display_frame(districts, columns=cols, tolerance_m=0)
    simp_t, simplified = measure(
        lambda _: display_frame(districts, columns=cols, tolerance_m=tol), repeat)
    raw_json = nbytes(raw.to_json(drop_id=True))
    rows = [
        Row("districts raw (full precision)", None, size=fmt_size(raw_json),
            note=f"{vertices(raw):,} vertices"),
        Row("districts rounded to 1e-5° (tolerance 0)", None,
            size=fmt_size(nbytes(rounded.to_json(drop_id=True)), raw_json, label="raw"),
            note=f"{vertices(rounded):,} vertices"),
        Row(f"districts display_frame(tolerance_m={tol:g})", simp_t,
            size=fmt_size(nbytes(simplified.to_json(drop_id=True)), raw_json, label="raw"),
            note=f"{vertices(simplified):,} vertices"),
    ]
    return rows, coverage_checks(raw, simplified)


def coverage_checks(raw: gpd.GeoDataFrame, simplified: gpd.GeoDataFrame) -> list[str]:
    """Coverage validity (EPSG:4549), union area change and holes, raw vs simplified.

    Parameters
    ----------
    raw, simplified : GeoDataFrame
        The districts before and after :func:`display_frame`, EPSG:4326.

    Returns
    -------
    list of str
        Markdown bullet lines.
    """
    lines = []
    unions = {}
    for label, gdf in (("raw", raw), ("simplified", simplified)):
        geoms = gdf.to_crs(AREA_CRS).geometry.values
        valid = bool(shapely.coverage_is_valid(geoms))
        unions[label] = shapely.union_all(geoms)
        holes = sum(len(p.interiors) for p in getattr(unions[label], "geoms", [unions[label]]))
        lines.append(f"- {label}: `shapely.coverage_is_valid` = **{valid}**, union has "
                     f"{holes} interior ring(s) (a gap between neighbours would add one)")
    a_raw, a_simp = unions["raw"].area, unions["simplified"].area
    diff = (a_simp - a_raw) / a_raw * 100
    lines.append(f"- union area raw {a_raw / 1e6:,.2f} km², simplified {a_simp / 1e6:,.2f} km²:"
                 f" difference **{diff:+.4f} %**")
    return lines


# --------------------------------------------------------------------------- report


def synthetic_points(catalog: Catalog, n: int, *, seed: int = 7) -> gpd.GeoDataFrame:
    """``n`` enterprise points (80 % inside sub-zones, the rest anywhere in the city's box)
    with tax, value added, land and scale columns; EPSG:4326, seeded."""
    rng = np.random.default_rng(seed)
    proj = catalog["subzone"].to_crs(AREA_CRS)
    inside_n = int(n * 0.8)
    bounds = proj.bounds.to_numpy()[rng.integers(0, len(proj), inside_n * 3)]
    xy = np.column_stack([rng.uniform(bounds[:, 0], bounds[:, 2]),
                          rng.uniform(bounds[:, 1], bounds[:, 3])])
    keep = shapely.contains_xy(proj.geometry.union_all(), xy[:, 0], xy[:, 1])
    xy = xy[keep][:inside_n]
    x0, y0, x1, y1 = catalog["district"].to_crs(AREA_CRS).total_bounds
    rest = np.column_stack([rng.uniform(x0, x1, n - len(xy)), rng.uniform(y0, y1, n - len(xy))])
    xy = np.vstack([xy, rest])
    geom = gpd.GeoSeries(gpd.points_from_xy(xy[:, 0], xy[:, 1]), crs=AREA_CRS).to_crs(4326)
    data = pd.DataFrame({"tax_wan": rng.gamma(2.0, 100.0, n),
                         "value_added_wan": rng.gamma(2.0, 300.0, n),
                         "land_mu": rng.gamma(2.0, 10.0, n),
                         "scale": np.where(rng.random(n) < 0.35, "规上", "规下")})
    return gpd.GeoDataFrame(data, geometry=geom.values, crs=4326)


def bench_points(catalog: Catalog, repeat: int, n: int) -> list[Row]:
    """Section 5: assignment + aggregation of ``n`` enterprise points to sub-zones, against a
    bare ``geopandas.sjoin`` (predicate "within") of the same points (target ≤ 1.3×)."""
    pts = synthetic_points(catalog, n)
    sub = catalog["subzone"]
    empty_parcels = pd.DataFrame({"parcel_id": pd.Series(dtype=str),
                                  "land_area_m2": pd.Series(dtype=float),
                                  "subzone_id": pd.Series(dtype=str)})

    def ours(_: object) -> pd.DataFrame:
        units = assign_points(pts, sub)
        ent = pd.DataFrame(pts.drop(columns="geometry")).join(units)
        return aggregate(ent, empty_parcels, level="subzone")

    def bare(_: object) -> gpd.GeoDataFrame:
        return gpd.sjoin(pts, sub[["id", "geometry"]], how="left", predicate="within")

    runs = max(1, min(repeat, 3))
    ours(None)
    bare(None)
    ours_t, table = measure(ours, runs)
    bare_t, joined = measure(bare, runs)
    assigned = int(table["enterprise_count"].sum())
    same = assigned == int(joined["id"].notna().sum())
    ratio_value = ours_t.median / bare_t.median
    return [Row(f"{n:,} points → sub-zones: assign + aggregate vs bare sjoin", ours_t, bare_t,
                budget="OK" if ratio_value <= 1.3 else "OVER",
                note=f"{assigned:,} inside sub-zones; same as sjoin: {same}; target ≤ 1.3×")]


def bench_sample(catalog: Catalog, repeat: int) -> list[Row]:
    """Section 6: the 示例数据 (3,000 parcels, 3,335 enterprises) through import with validation
    against a bare read of the same two files, and the whole analysis (informational)."""
    from geo.landuse.pipeline import SAMPLE_DIR, analyse, load_inputs
    from geo.landuse.scoring import load_profile

    ppath, epath = SAMPLE_DIR / "parcels.gpkg", SAMPLE_DIR / "enterprises.csv"

    def ours(_: object):
        return load_inputs(ppath, epath)

    def bare(_: object):
        return gpd.read_file(ppath), pd.read_csv(epath, dtype=str, encoding="utf-8-sig")

    runs = max(1, min(repeat, 5))
    ours(None)
    import_t, inputs = measure(ours, runs)
    bare_t, _ = measure(bare, runs)
    profile = load_profile()

    def pipeline(_: object):
        return analyse(inputs.parcels, inputs.enterprises, catalog, profile,
                       data_label=inputs.data_label, year=inputs.year)

    analyse_t, analysis = measure(pipeline, runs)
    flagged = int(analysis.parcels["low_efficiency"].sum())
    return [
        Row("import with validation report vs gpd.read_file + pd.read_csv", import_t, bare_t,
            note=f"{len(inputs.parcels):,} parcels, {len(inputs.enterprises):,} enterprises, "
                 f"{len(inputs.report)} report lines"),
        Row("analyse(): assign, metrics, A/B/C/D, low-efficiency rules", analyse_t, None,
            note=f"{flagged} parcels flagged; no bare-library equivalent"),
    ]


# --------------------------------------------------------------------------- city-size import

#: GB 32100-2015 alphabet of unified social credit codes and the weights of its check character
#: (the idea of ``scripts/make_sample_data.py``, vectorised here so 300,000 codes take no time).
CODE_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_CODE_WEIGHTS = np.array((1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28))
_ORG_WEIGHTS = np.array((3, 7, 9, 10, 5, 8, 4, 2))  # GB 11714 组织机构代码
#: Data year of the city-size files.
CITY_YEAR = 2024
CITY_SEED = 3302
#: Enterprises per parcel in the city-size files.
CITY_ENTERPRISES_PER_PARCEL = 3


def credit_codes(rng: np.random.Generator, adcodes: np.ndarray) -> np.ndarray:
    """One valid, unique 18-character credit code per entry of ``adcodes`` (6-digit strings).

    登记管理部门 9, 类别 1, the district's adcode, an 8-character body (a random offset plus the
    row number written in base 31, hence unique), the GB 11714 check of the body and the
    GB 32100 check character.
    """
    n = len(adcodes)
    alphabet = np.array(list(CODE_ALPHABET))
    number = rng.integers(0, 31 ** 8 - n) + np.arange(n, dtype=np.int64)
    body = np.empty((n, 8), dtype=np.int64)  # indices into CODE_ALPHABET, most significant first
    for k in range(7, -1, -1):
        number, body[:, k] = np.divmod(number, 31)
    body_chars = alphabet[body]
    org_values = np.vectorize(lambda ch: int(ch, 36))(body_chars)  # GB 11714 reads base 36
    org = 11 - (org_values * _ORG_WEIGHTS).sum(axis=1) % 11
    org_char = np.where(org == 10, "X", np.where(org == 11, "0", (org % 10).astype(str)))
    ad = np.array([list(a) for a in adcodes.astype(str)])
    head = np.column_stack([np.full(n, "9"), np.full(n, "1"), ad, body_chars, org_char])
    index = np.vectorize(CODE_ALPHABET.index)(head)
    check = alphabet[(31 - (index * _CODE_WEIGHTS).sum(axis=1) % 31) % 31]
    return np.array(["".join(row) for row in np.column_stack([head, check])])


def city_parcel_squares(subzones: gpd.GeoDataFrame, n: int, rng: np.random.Generator
                        ) -> tuple[np.ndarray, np.ndarray]:
    """``n`` squares (EPSG:4549) fully inside the sub-zones, none touching another.

    The squares are the cells of one city-wide grid (so sub-zones that overlap share cells
    instead of stacking parcels), each cell inset to 80 % of its pitch; the pitch is shrunk until
    enough cells fit, and ``n`` of them are drawn at random.

    Returns
    -------
    (ndarray of Polygon, ndarray of int)
        The squares and the row (position in ``subzones``) of the sub-zone holding each.
    """
    proj = subzones.to_crs(AREA_CRS).geometry.values
    shapely.prepare(proj)
    pitch = float(np.sqrt(shapely.area(proj).sum() / (1.6 * n)))
    while True:
        inset = 0.1 * pitch
        cells: dict[tuple[int, int], int] = {}
        for row, poly in enumerate(proj):
            x0, y0, x1, y1 = poly.bounds
            cx, cy = np.meshgrid(np.arange(np.floor(x0 / pitch), np.ceil(x1 / pitch)),
                                 np.arange(np.floor(y0 / pitch), np.ceil(y1 / pitch)))
            cx, cy = cx.ravel(), cy.ravel()
            boxes = shapely.box(cx * pitch + inset, cy * pitch + inset,
                                (cx + 1) * pitch - inset, (cy + 1) * pitch - inset)
            inside = shapely.contains(poly, boxes)
            for key in zip(cx[inside].astype(int).tolist(), cy[inside].astype(int).tolist(),
                           strict=True):
                cells.setdefault(key, row)
        if len(cells) >= n:
            break
        pitch *= 0.8
    keys = sorted(cells)
    pick = np.sort(rng.choice(len(keys), size=n, replace=False))
    xy = np.array([keys[i] for i in pick], dtype=float)
    rows = np.array([cells[keys[i]] for i in pick])
    squares = shapely.box(xy[:, 0] * pitch + inset, xy[:, 1] * pitch + inset,
                          (xy[:, 0] + 1) * pitch - inset, (xy[:, 1] + 1) * pitch - inset)
    return squares, rows


def write_city_files(catalog: Catalog, n_parcels: int, folder: Path, *, seed: int = CITY_SEED
                     ) -> tuple[Path, Path]:
    """Write a city-size parcel GeoPackage and enterprise CSV with the project's own headers.

    ``n_parcels`` square parcels (see :func:`city_parcel_squares`), stored in EPSG:4326 with
    用地面积（平方米） measured in EPSG:4549 on the stored polygon; ``3 × n_parcels`` enterprises
    with valid, unique credit codes, every parcel holding at least one. All from one
    ``numpy.random.default_rng(seed)``.

    Returns
    -------
    (Path, Path)
        ``parcels.gpkg`` (layer ``parcels``) and ``enterprises.csv`` (UTF-8 with BOM).
    """
    from geo.labels import ENTERPRISE_FIELD_HEADERS as EH
    from geo.labels import PARCEL_FIELD_HEADERS as PH
    from geo.landuse.model import PARCEL_STATUSES, SCALES

    rng = np.random.default_rng(seed)
    subzones = catalog["subzone"]
    adcode_of = dict(zip(catalog["district"]["name"].astype(str),
                         catalog["district"]["adcode"].astype(str), strict=True))
    squares, rows = city_parcel_squares(subzones, n_parcels, rng)
    geometry = gpd.GeoSeries(squares, crs=AREA_CRS).to_crs(4326)
    area = geometry.to_crs(AREA_CRS).area.round(2).to_numpy()
    adcodes = subzones["district"].astype(str).map(adcode_of).to_numpy()[rows]
    parcel_ids = np.array([f"{ad}{i:07d}" for i, ad in enumerate(adcodes, start=1)])
    statuses = np.array(PARCEL_STATUSES[:5])
    parcels = gpd.GeoDataFrame({
        PH["parcel_id"]: parcel_ids,
        PH["land_area_m2"]: area,
        PH["land_use"]: "工业用地",
        PH["far"]: rng.uniform(0.6, 3.0, n_parcels).round(2),
        PH["status"]: statuses[rng.choice(5, n_parcels, p=(0.84, 0.05, 0.04, 0.03, 0.04))],
        PH["year"]: CITY_YEAR,
    }, geometry=geometry.values, crs=4326)

    n_ent = CITY_ENTERPRISES_PER_PARCEL * n_parcels
    owner = np.concatenate([np.arange(n_parcels),
                            rng.integers(0, n_parcels, n_ent - n_parcels)])
    owner = owner[rng.permutation(n_ent)]
    value_added = rng.lognormal(np.log(800.0), 1.0, n_ent).round(2)
    enterprises = pd.DataFrame({
        EH["credit_code"]: credit_codes(rng, adcodes[owner]),
        EH["name"]: [f"基准合成企业{i:06d}有限公司" for i in range(1, n_ent + 1)],
        EH["parcel_id"]: parcel_ids[owner],
        EH["scale"]: np.array(SCALES)[(rng.random(n_ent) >= 0.35).astype(int)],
        EH["tax_wan"]: (value_added * rng.uniform(0.05, 0.3, n_ent)).round(2),
        EH["value_added_wan"]: value_added,
        EH["year"]: CITY_YEAR,
    })
    ppath, epath = folder / "parcels.gpkg", folder / "enterprises.csv"
    parcels.to_file(ppath, layer="parcels", driver="GPKG", engine="pyogrio")
    enterprises.to_csv(epath, index=False, encoding="utf-8-sig", lineterminator="\n")
    return ppath, epath


def traced_peak(run: Callable[[], object]) -> int:
    """Peak bytes allocated through Python's allocators (numpy included) during ``run``.

    Measured with :mod:`tracemalloc` in a separate, untimed call: tracing slows the run down.
    Memory that GDAL or GEOS allocate in C is not traced.
    """
    gc.collect()
    tracemalloc.start()
    try:
        run()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def fmt_mb(nbytes_: int) -> str:
    """Bytes as MB."""
    return f"{nbytes_ / 1024 / 1024:,.1f} MB"


def bench_city(catalog: Catalog, n_parcels: int, *, memory: bool = True
               ) -> tuple[list[Row], list[str]]:
    """Section 7: import with validation and year selection at city size.

    Synthetic files of ``n_parcels`` parcels and three times as many enterprises
    (:func:`write_city_files`, in a temporary folder, removed afterwards) through
    :func:`geo.landuse.pipeline.load_inputs`, against a bare ``gpd.read_file`` +
    ``pd.read_csv`` of the same files. One timed run each (each takes seconds); a warm-up read
    of both files first puts them in the OS file cache.

    Returns
    -------
    (list of Row, list of str)
        The table rows and Markdown bullet lines (files, peak memory, report summary).
    """
    from geo.landuse.pipeline import load_inputs

    with tempfile.TemporaryDirectory(prefix="bench_city_") as tmp:
        t0 = time.perf_counter()
        ppath, epath = write_city_files(catalog, n_parcels, Path(tmp))
        gen_s = time.perf_counter() - t0

        def ours(_: object = None):
            return load_inputs(ppath, epath)

        def bare(_: object = None):
            return (gpd.read_file(ppath, engine="pyogrio"),
                    pd.read_csv(epath, dtype=str, encoding="utf-8-sig"))

        bare()  # warm-up: file cache, pyogrio
        bare_t, _ = measure(bare, 1)
        ours_t, inputs = measure(ours, 1)
        sizes = (ppath.stat().st_size, epath.stat().st_size)
        level_col = REPORT_COLUMNS[-1]  # 级别
        levels = (inputs.report[level_col].value_counts().to_dict()
                  if level_col in inputs.report.columns else {})
        peaks = (traced_peak(ours), traced_peak(bare)) if memory else None
    rows = [Row(f"load_inputs() vs gpd.read_file + pd.read_csv, {n_parcels:,} parcels / "
                f"{CITY_ENTERPRISES_PER_PARCEL * n_parcels:,} enterprises", ours_t, bare_t,
                size=fmt_size(sum(sizes)),
                note=f"kept {len(inputs.parcels):,} parcels, {len(inputs.enterprises):,} "
                     f"enterprises, year {inputs.year}; 1 run each")]
    lines = [f"- files: parcels.gpkg {sizes[0] / 1024 / 1024:.1f} MB, enterprises.csv "
             f"{sizes[1] / 1024 / 1024:.1f} MB; generated (seed {CITY_SEED}) in {gen_s:.1f} s "
             "— square parcels on one grid inside the sub-zones, none overlapping, area "
             "measured in EPSG:4549 on the stored polygon",
             f"- validation report: {len(inputs.report):,} lines"
             + (" (" + ", ".join(f"{k} {v:,}" for k, v in levels.items()) + ")" if levels
                else "")]
    if peaks is not None:
        lines.append(f"- peak memory (tracemalloc, Python + numpy allocations, separate untimed "
                     f"run; GDAL/GEOS C memory not traced): ours **{fmt_mb(peaks[0])}**, bare "
                     f"{fmt_mb(peaks[1])} = {peaks[0] / peaks[1]:.1f}×")
    lines.append(f"- process peak RSS at the end of the section (`resource.getrusage`, whole "
                 f"run so far): {fmt_mb(peak_rss())}")
    return rows, lines


def peak_rss() -> int:
    """The process's peak resident set size so far, bytes (Linux reports KiB, macOS bytes)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak if sys.platform == "darwin" else peak * 1024


def machine_info() -> list[str]:
    """Platform, Python, CPUs and library versions, as Markdown bullet lines."""
    from benchmarks import library_versions

    libs = ("geopandas", "shapely", "folium", "pandas", "pyogrio", "streamlit-folium")
    return [
        f"- date: {dt.datetime.now().astimezone().isoformat(timespec='seconds')}",
        f"- platform: {platform.platform()}",
        f"- python: {platform.python_version()} ({platform.python_implementation()})",
        f"- CPUs: {os.cpu_count()}",
        f"- libraries: {library_versions(libs)}",
    ]


HOW_TO_READ = """\
Times are wall-clock milliseconds from `time.perf_counter`, median of N runs with the
fastest run in brackets; the ratio is ours ÷ baseline on the medians, measured in the same
run on the same machine, so compare ratios across machines rather than raw times. The
baselines use the libraries plainly: `gpd.read_file` without validation; pandas masks and
`folium.Map()` + `folium.GeoJson(gdf)` with a name tooltip, which sends every column at full
precision and loads Leaflet, jQuery and Bootstrap from CDNs. Ours adds validation, escaped
tooltips and popups, styling, belt envelopes, a legend, the layer control and the display
simplification of the districts. Size is the UTF-8 length of the rendered HTML page (and,
for the `st_folium` row, of header + html + map script, which is what streamlit-folium
sends). Budgets from the issue: the default view under 1.5 MB, a filter change well under
0.5 s. In the app a new filter combination costs select + build_map, then `st_folium`
serialises the map again on every rerun, filters changed or not (the "st_folium" row). The
catalogue load is paid once per process and `select` once per filter combination (both
`st.cache_resource`); the districts' display copy is rebuilt inside every build_map.
Cases with a median over 0.3 s are profiled below their table (`--profile`: every filter
change). The city-size import (section 7) runs once per side, on synthetic files written to a
temporary folder; its peak memory is measured in a further, untimed run of each side."""


#: Key of the raster section's markers.
RASTER_KEY = "raster"
HOW_TO_READ_TITLE = "## How to read this"


def section_key(title: str) -> str:
    """Marker key of a section title: its lower-case ASCII words joined by "-"."""
    words = "".join(c if c.isascii() and c.isalnum() else " " for c in title.lower()).split()
    return "-".join(words)


def marked(key: str, body: str) -> str:
    """``body`` between the start and end markers of section ``key``."""
    return f"<!-- section: {key} -->\n{body.strip()}\n<!-- /section -->"


def find_section(text: str, key: str) -> tuple[int, int] | None:
    """Start and end offsets of the marked section ``key`` in ``text`` (markers included)."""
    start = text.find(f"<!-- section: {key} -->")
    if start < 0:
        return None
    end = text.find("<!-- /section -->", start)
    return None if end < 0 else (start, end + len("<!-- /section -->"))


def replace_section(text: str, key: str, body: str) -> str:
    """``text`` with section ``key`` replaced by ``body``, the rest kept as it is.

    A section not yet in ``text`` is inserted before "How to read this" (or appended).
    """
    block = marked(key, body)
    span = find_section(text, key)
    if span is not None:
        return text[:span[0]] + block + text[span[1]:]
    at = text.find(f"\n{HOW_TO_READ_TITLE}\n")
    if at < 0:
        return text.rstrip("\n") + "\n\n" + block + "\n"
    return text[:at] + "\n" + block + "\n" + text[at:]


def report(sections: list[tuple[str, list[Row]]], extras: dict[str, list[str]],
           repeat: int, blocks: dict[str, str] | None = None) -> str:
    """The whole BENCHMARKS.md text.

    Parameters
    ----------
    sections : list of (title, rows)
    extras : dict of str to list of str
        Extra Markdown blocks appended after the section of the same title.
    repeat : int
    blocks : dict of str to str, optional
        Finished sections (marker key → Markdown with its own title), after the tables.

    Returns
    -------
    str
    """
    parts = [
        "# Benchmarks",
        "",
        "Generated by `scripts/benchmark.py`; do not edit by hand. Re-run from the project "
        "folder with:",
        "",
        "```",
        ".venv/bin/python scripts/benchmark.py [--repeat N]",
        "```",
        "",
        f"Each case ran {repeat} times. Machine:",
        "",
        *machine_info(),
    ]
    for title, rows in sections:
        body = [f"## {title}", "", markdown_table(rows)]
        if extras.get(title):
            body += ["", *extras[title]]
        parts += ["", marked(section_key(title), "\n".join(body))]
    for key, block in (blocks or {}).items():
        parts += ["", marked(key, block)]
    parts += ["", HOW_TO_READ_TITLE, "", HOW_TO_READ, ""]
    return "\n".join(parts)


def keep_skipped(text: str, old: str) -> str:
    """``text`` plus each marked section of ``old`` that ``text`` lacks (a skipped section)."""
    at = 0
    while (start := old.find("<!-- section: ", at)) >= 0:
        key = old[start + len("<!-- section: "):old.find(" -->", start)]
        span = find_section(old, key)
        if span is None:
            break
        if find_section(text, key) is None:
            body = old[span[0]:span[1]].split("\n", 1)[1].rsplit("\n", 1)[0]
            text = replace_section(text, key, body)
        at = span[1]
    return text


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Command-line options."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7, help="runs per case (default 7)")
    parser.add_argument("--points", type=int, default=1_000_000,
                        help="enterprise points in the assignment benchmark (default 1,000,000)")
    parser.add_argument("--output", type=Path, default=ROOT / "BENCHMARKS.md",
                        help="Markdown file to write (default BENCHMARKS.md)")
    parser.add_argument("--profile", action="store_true",
                        help="cProfile every filter change, not only those over "
                             f"{PROFILE_THRESHOLD_S} s")
    parser.add_argument("--city-parcels", type=int, default=100_000,
                        help="parcels in the city-size import section; enterprises are "
                             f"{CITY_ENTERPRISES_PER_PARCEL}× as many (default 100,000)")
    parser.add_argument("--skip-city", action="store_true",
                        help="leave out the city-size import section")
    raster = parser.add_mutually_exclusive_group()
    raster.add_argument("--raster-only", action="store_true",
                        help="run only the raster section and replace only it in --output")
    raster.add_argument("--skip-raster", action="store_true",
                        help="leave out the raster section (zonal statistics, surfaces)")
    parser.add_argument("--quick", action="store_true",
                        help="every section at CI sizes: raster 1,000 parcels over 1,000 x 1,000 "
                             "cells and a 10,000-parcel surface; 10k parcels in the scale table, "
                             "10k Excel rows, 1 app-step run, 3 sessions; 100k points; a 10k "
                             "city import; 3 repetitions (explicit options win)")
    new = parser.add_mutually_exclusive_group()
    new.add_argument("--new-only", action="store_true",
                     help="run only sections 9-12 (scale, Excel, app steps, session load) and "
                          "replace only them in --output")
    new.add_argument("--skip-new", action="store_true", help="leave out sections 9-12")
    new.add_argument("--load-only", action="store_true",
                     help="run only section 12 (session load) and replace only it in --output")
    parser.add_argument("--sizes", type=_sizes, default=None,
                        help="parcel counts of the scale table, e.g. 100k,300k (default "
                             "100000,300000; --quick 10000); enterprises are 3x as many")
    parser.add_argument("--province", action="store_true",
                        help="add the province case (1,000,000 parcels) to --sizes")
    parser.add_argument("--scale-timeout", type=float, default=None,
                        help="seconds before a scale-table child is killed (default 1800; "
                             "--quick 300)")
    parser.add_argument("--excel-rows", type=_sizes, default=None,
                        help="rows of the Excel export, e.g. 100k (default 100000; --quick "
                             "10000)")
    parser.add_argument("--sessions", type=int, default=None,
                        help="concurrent sessions of the session load (default 10; --quick 3)")
    parser.add_argument("--load-client", choices=("websocket", "browser"), default="websocket",
                        help="client of the session load: Streamlit's websocket protocol "
                             "without a browser (default) or headless Chromium")
    parser.add_argument("--app-runs", type=int, default=None,
                        help="single-session runs of the app steps per app (default 3; "
                             "--quick 1)")
    parser.add_argument("--step-deadline", type=float, default=60.0,
                        help="seconds a page may take to settle before the step fails "
                             "(default 60)")
    parser.add_argument("--total-cap", type=float, default=None,
                        help="seconds the whole session load may take (default 600; --quick "
                             "120)")
    parser.add_argument("--skip-browser", action="store_true",
                        help="leave out the app-step section, and the session load with "
                             "--load-client browser (no Chromium)")
    args = parser.parse_args(argv)
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    if args.city_parcels < 1:
        parser.error("--city-parcels must be at least 1")
    apply_quick(args, argv if argv is not None else sys.argv[1:])
    if args.sessions < 1 or args.app_runs < 1:
        parser.error("--sessions and --app-runs must be at least 1")
    return args


def _sizes(text: str) -> list[int]:
    """argparse type of a size list (``100k,300k``)."""
    from benchmarks import parse_sizes

    try:
        return parse_sizes(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _given(argv: list[str], option: str) -> bool:
    return any(a == option or a.startswith(option + "=") for a in argv)


def apply_quick(args: argparse.Namespace, argv: list[str]) -> None:
    """Fill the defaults of sections 9-12 (CI sizes with ``--quick``); options given win."""
    quick = args.quick
    if args.sizes is None:
        args.sizes = [10_000] if quick else [100_000, 300_000]
    if args.province and 1_000_000 not in args.sizes:
        args.sizes.append(1_000_000)
    if args.excel_rows is None:
        args.excel_rows = [10_000] if quick else [100_000]
    defaults = {"sessions": (3, 10), "app_runs": (1, 3), "total_cap": (120.0, 600.0),
                "scale_timeout": (300.0, 1800.0)}
    for name, (small, full) in defaults.items():
        if getattr(args, name) is None:
            setattr(args, name, small if quick else full)
    if quick:
        for option, name, value in (("--repeat", "repeat", 3), ("--points", "points", 100_000),
                                    ("--city-parcels", "city_parcels", 10_000)):
            if not _given(argv, option):
                setattr(args, name, value)


#: Marker keys of sections 9-12 (issue 16), in order; the first holds machine and versions.
NEW_KEYS = ("issue-16-machine", "scale", "excel", "app-steps", "session-load")


def new_sections(args: argparse.Namespace, catalog: Catalog) -> dict[str, str]:
    """Sections 8-11 as marker key → Markdown (browser ones left out with ``--skip-browser``)."""
    from benchmarks.scale import excel_section, scale_section

    def log(line: str) -> None:
        print(line, file=sys.stderr, flush=True)

    t0 = time.perf_counter()
    blocks = {NEW_KEYS[0]: new_machine_block()}
    blocks["scale"] = scale_section(catalog, args.sizes, write_city_files,
                                    timeout=args.scale_timeout, log=log)
    log(f"scale table done in {time.perf_counter() - t0:.0f} s")
    blocks["excel"] = excel_section(args.excel_rows, args.repeat)
    log(f"Excel done at {time.perf_counter() - t0:.0f} s")
    blocks.update(app_sections(args, log))
    log(f"app-step and session-load sections done at {time.perf_counter() - t0:.0f} s")
    return blocks


def app_sections(args: argparse.Namespace, log: Callable[[str], None],
                 app_steps: bool = True) -> dict[str, str]:
    """Sections 11 (unless ``--skip-browser`` or not ``app_steps``) and 12 (unless
    ``--skip-browser`` with ``--load-client browser``) as marker key → Markdown.
    """
    from benchmarks.load import app_sections as run_sections

    browser_ok = not args.skip_browser
    load_client = args.load_client if browser_ok or args.load_client == "websocket" else None
    return run_sections(args.app_runs, args.sessions, step_deadline=args.step_deadline,
                        total_cap=args.total_cap, load_client=load_client,
                        app_steps=app_steps and browser_ok, log=log)


def load_only(args: argparse.Namespace, started: float) -> int:
    """Run section 12 (session load) alone and replace only it in ``--output``."""
    def log(line: str) -> None:
        print(line, file=sys.stderr, flush=True)

    blocks = app_sections(args, log, app_steps=False)
    if not blocks:
        print("nothing to run: --skip-browser leaves out --load-client browser", file=sys.stderr)
        return 2
    return write_sections(args.output, blocks, "section 12", started)


def write_sections(output: Path, blocks: dict[str, str], what: str, started: float) -> int:
    """Print ``blocks`` and replace only their sections in ``output``; 0."""
    text = output.read_text(encoding="utf-8") if output.exists() else (
        "# Benchmarks\n\nGenerated by `scripts/benchmark.py`; do not edit by hand.\n")
    for key, body in blocks.items():
        print(body + "\n")
        text = replace_section(text, key, body)
    output.write_text(text, encoding="utf-8")
    print(f"updated {what} of {output} in {time.perf_counter() - started:.1f} s", file=sys.stderr)
    return 0


def new_machine_block() -> str:
    """Machine, versions (Chromium included) and date of sections 9-12."""
    import subprocess

    from benchmarks import library_versions, which

    chromium = which("chromium") or which("chromium-browser")
    try:
        browser = subprocess.run([chromium, "--version"], capture_output=True, text=True,
                                 timeout=30).stdout.strip() if chromium else "not installed"
    except (OSError, subprocess.TimeoutExpired):
        browser = "unknown"
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") if hasattr(
        os, "sysconf") else 0
    return "\n".join([
        "## Sections 9–12: scale, Excel, app steps, session load (issue 16)", "",
        *machine_info(),
        f"- memory: {mem / 2**30:.1f} GiB",
        "- more libraries: " + library_versions(("streamlit", "selenium", "xlsxwriter",
                                                 "psutil", "numpy")),
        f"- browser: {browser}",
    ])


def new_only(args: argparse.Namespace, started: float) -> int:
    """Run sections 9-12 alone and replace only them in ``--output``."""
    blocks = new_sections(args, load_catalog())
    return write_sections(args.output, blocks, "sections 9-12", started)


def raster_only(args: argparse.Namespace, started: float) -> int:
    """Run the raster section alone and replace only it in ``--output``."""
    import bench_raster  # scripts/ is on sys.path when this file runs as a script

    body = bench_raster.raster_section(args.repeat, quick=args.quick)
    print(body)
    old = args.output.read_text(encoding="utf-8") if args.output.exists() else (
        "# Benchmarks\n\nGenerated by `scripts/benchmark.py`; do not edit by hand.\n")
    args.output.write_text(replace_section(old, RASTER_KEY, body), encoding="utf-8")
    print(f"updated the raster section of {args.output} in "
          f"{time.perf_counter() - started:.1f} s", file=sys.stderr)
    return 0


def main(argv: list[str] | None = None) -> int:
    """Run every section, print the report and write it to ``--output``."""
    args = parse_args(argv)
    started = time.perf_counter()
    if args.raster_only:
        return raster_only(args, started)
    if args.new_only:
        return new_only(args, started)
    if args.load_only:
        return load_only(args, started)
    load_rows = bench_load(args.repeat)
    catalog = load_catalog()
    default_rows, default_prof = bench_default(catalog, args.repeat)
    filter_rows, filter_prof = bench_filters(catalog, args.repeat, force_profile=args.profile)
    simp_rows, coverage = bench_simplify(catalog, args.repeat)
    point_rows = bench_points(catalog, args.repeat, args.points)
    sample_rows = bench_sample(catalog, args.repeat)
    titles = ("1. Catalogue load", "2. Default map view", "3. Filter changes",
              "4. Display simplification of the districts",
              "5. Enterprise points to sub-zones (亩均 aggregation)",
              "6. 示例数据 through import and analysis")
    sections = list(zip(titles, (load_rows, default_rows, filter_rows, simp_rows, point_rows,
                                 sample_rows), strict=True))
    extras = {titles[1]: default_prof, titles[2]: filter_prof, titles[3]: coverage}
    if not args.skip_city:
        city_title = "7. Import with validation at city size"
        city_rows, city_lines = bench_city(catalog, args.city_parcels)
        sections.append((city_title, city_rows))
        extras[city_title] = city_lines
    blocks = {}
    if not args.skip_raster:
        import bench_raster  # scripts/ is on sys.path when this file runs as a script

        blocks[RASTER_KEY] = bench_raster.raster_section(args.repeat, quick=args.quick)
    if not args.skip_new:
        blocks.update(new_sections(args, catalog))
    text = report(sections, extras, args.repeat, blocks)
    print(text)
    if args.output.exists():
        text = keep_skipped(text, args.output.read_text(encoding="utf-8"))
    args.output.write_text(text, encoding="utf-8")
    print(f"wrote {args.output} in {time.perf_counter() - started:.1f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
