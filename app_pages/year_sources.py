"""Where the years of the 亩均 pages come from: the 示例数据's five years, or the datasets
saved in the workspace (one year each); their analyses cached per real input and shared by
every session; the year before, the 2021 base and every year loaded beside an analysis."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence

import streamlit as st

from app_pages.analysis_state import UPLOADED
from app_pages.common import catalog_at, data_key
from app_pages.stored_analysis import stored_analysis_at
from app_pages.workspace_state import (
    active_profile_path,
    chosen_dataset,
    get_workspace,
    work_dir,
)
from geo.labels import YEARS_PAGE
from geo.landuse.pipeline import Analysis
from geo.store import DATABASE_URL_ENV

__all__ = ["current_is_sample", "sample_years", "dated_datasets", "newest_per_year",
           "stored_years", "previous_year", "base_2021", "loaded_years"]

Years = Mapping[int, Analysis]


def current_is_sample() -> bool:
    """Whether the data in use are the bundled 示例数据 (no upload, no stored dataset)."""
    return st.session_state.get(UPLOADED) is None and chosen_dataset() is None


@st.cache_resource(show_spinner=YEARS_PAGE["computing"], max_entries=4)
def _sample_years(data_dir: str, profile_path: str) -> dict[int, Analysis]:
    from geo.landuse.scoring import load_profile
    from geo.landuse.years import analyses_by_year, sample_all_years

    parcels, enterprises, label = sample_all_years()
    return analyses_by_year(parcels, enterprises, catalog_at(data_dir),
                            load_profile(profile_path or None), data_label=label)


def sample_years() -> tuple[dict[int, Analysis], str]:
    """(year → analysis of every year the 示例数据 hold, cache key of the views)."""
    profile = active_profile_path()
    return _sample_years(data_key(), profile), f"sample:{data_key()}:{profile}"


def dated_datasets() -> tuple[list, int]:
    """(stored datasets that name their year, newest first; how many do not)."""
    ws = get_workspace()
    infos = [] if ws is None else ws.datasets()
    dated = [d for d in infos if d.data_year is not None]
    return dated, len(infos) - len(dated)


def newest_per_year(infos: Sequence) -> list[str]:
    """Ids of the newest dataset of each year (``infos`` newest first)."""
    seen: dict[int, str] = {}
    for info in infos:
        seen.setdefault(int(info.data_year), info.id)
    return [seen[y] for y in sorted(seen)]


@st.cache_resource(show_spinner=YEARS_PAGE["computing"], max_entries=8)
def _stored_years(ds_ids: tuple[str, ...], folder: str, url: str, data_dir: str,
                  profile_path: str) -> dict[int, Analysis]:
    analyses = [stored_analysis_at(ds_id, folder, url, data_dir, profile_path)[0]
                for ds_id in ds_ids]  # each cached per dataset too, shared with the other pages
    return {int(a.year): a for a in sorted(analyses, key=lambda a: int(a.year))}


def stored_years(ds_ids: Sequence[str]) -> tuple[dict[int, Analysis], str]:
    """(year → analysis of each stored dataset, cache key). Raises KeyError for a deleted one."""
    ids = tuple(sorted(ds_ids))
    where = (str(work_dir()), os.environ.get(DATABASE_URL_ENV, ""), data_key(),
             active_profile_path())
    return _stored_years(ids, *where), "ws:" + ",".join(ids) + ":" + ":".join(where[2:])


def previous_year(analysis: Analysis) -> tuple[Analysis | None, str]:
    """(the analysis of the year before ``analysis``'s, its cache key) where one is loaded.

    The 示例数据 hold every year; for a stored dataset, the newest stored dataset of the year
    before is used. None (and "") when there is none: growth figures then stay missing, and
    the park table says so — nothing is estimated.
    """
    if analysis.year is None:
        return None, ""
    before = int(analysis.year) - 1
    if analysis.is_sample and current_is_sample():
        years, key = sample_years()
        return years.get(before), f"{key}:{before}" if before in years else ""
    if st.session_state.get(UPLOADED) is not None:
        return None, ""
    dated, _ = dated_datasets()
    ids = [d.id for d in dated if int(d.data_year) == before]
    if not ids:
        return None, ""
    try:
        years, key = stored_years(ids[:1])
    except KeyError:  # deleted a moment ago
        return None, ""
    return years.get(before), key


def base_2021(analysis: Analysis) -> tuple[dict[str, float] | None, str]:
    """(the 2021 规上 亩均税收/亩均增加值 base of the +40 % target, the data it rests on).

    From the 2021 year of the 示例数据 when they are in use, else from the newest stored
    dataset of 2021; (None, "") when no 2021 data are loaded — the official types the base.
    """
    if analysis.is_sample and current_is_sample():
        years, _ = sample_years()
        key = "sample"
    elif st.session_state.get(UPLOADED) is not None:
        return None, ""
    else:
        ids = [d.id for d in dated_datasets()[0] if int(d.data_year) == 2021]
        try:
            years = stored_years(ids[:1])[0] if ids else {}
        except KeyError:
            return None, ""
        key = f"stored:{ids[0]}" if ids else "none"
    base = _base_figures(key, years)
    return (base, years[2021].data_label) if base else (None, "")


@st.cache_resource(show_spinner=False, max_entries=16)
def _base_figures(key: str, _years: dict[int, Analysis]) -> dict[str, float] | None:
    """:func:`geo.landuse.years.base_year_figures` of the years of ``key`` (sample or a
    stored dataset's id), once for every session."""
    from geo.landuse.years import base_year_figures

    return base_year_figures(_years)


def loaded_years(analysis: Analysis) -> tuple[dict[int, Analysis], str]:
    """(year → analysis of every year loaded beside ``analysis``, their cache key).

    The 示例数据's years when they are in use. For a stored dataset: the dataset in use under
    its own year, and the newest stored dataset of every other year — so a history never puts
    another dataset's figures beside the ones shown. ({}, "") for an unsaved upload or an
    undated dataset (one year only, nothing to set beside it).
    """
    if analysis.is_sample and current_is_sample():
        return sample_years()
    current = chosen_dataset()
    if st.session_state.get(UPLOADED) is not None or current is None or analysis.year is None:
        return {}, ""
    others = [d for d in dated_datasets()[0] if int(d.data_year) != int(analysis.year)]
    ids = [current, *newest_per_year(others)]
    try:
        return stored_years(ids)
    except KeyError:  # deleted a moment ago
        return {}, ""
