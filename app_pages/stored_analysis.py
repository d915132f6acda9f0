"""The analysis of a stored dataset, computed once per dataset, data folder and profile and
shared by every session; an import hands over the analysis it has just made."""

from __future__ import annotations

import logging
import os
import threading
from collections import OrderedDict
from dataclasses import replace

import streamlit as st

from app_pages.common import catalog_at, data_key
from app_pages.workspace_state import _workspace_at, active_profile_path, work_dir
from geo.store import DATABASE_URL_ENV

__all__ = ["prime_stored_analysis", "stored_analysis", "stored_analysis_at", "warm_newest"]

_LOG = logging.getLogger(__name__)

#: Analyses made by an import, handed to the first page that asks for the dataset just saved:
#: the import has computed exactly what :func:`stored_analysis_at` would compute again. Handed
#: over at once (:func:`prime_stored_analysis`), so nothing waits here.
_PRIMED: OrderedDict[tuple[str, str, str, str, str], tuple] = OrderedDict()
_PRIMED_MAX = 4
_PRIMED_LOCK = threading.Lock()


def _stored_key(ds_id: str) -> tuple[str, str, str, str, str]:
    return (ds_id, str(work_dir()), os.environ.get(DATABASE_URL_ENV, ""), data_key(),
            active_profile_path())


def prime_stored_analysis(ds_id: str, analysis, report, *, profile_path: str = "") -> None:
    """Keep the import's (analysis, report) of ``ds_id`` for :func:`stored_analysis`.

    Only when the import scored with the profile the stored dataset will be scored with
    (``profile_path``, "" = the bundled one, equals the workspace's active profile).
    """
    key = _stored_key(ds_id)
    if key[-1] != profile_path:
        return
    with _PRIMED_LOCK:
        _PRIMED[key] = (analysis, report)
        while len(_PRIMED) > _PRIMED_MAX:
            _PRIMED.popitem(last=False)
    stored_analysis_at(*key)  # into the shared cache now (or it was there: nothing to keep)
    with _PRIMED_LOCK:
        _PRIMED.pop(key, None)


@st.cache_resource(show_spinner="正在计算所选数据集的亩均效益…", max_entries=8)
def stored_analysis_at(ds_id: str, folder: str, url: str, catalog_dir: str, profile_path: str):
    """(Analysis, report) of a stored dataset of the workspace at ``folder``/``url``."""
    from geo.landuse.pipeline import analyse
    from geo.landuse.scoring import load_profile
    from geo.landuse.townships import TownshipTable

    with _PRIMED_LOCK:
        primed = _PRIMED.pop((ds_id, folder, url, catalog_dir, profile_path), None)
    if primed is not None:
        return primed

    stored = _workspace_at(folder, url)[0].load_dataset(ds_id)
    towns = stored.extra.get("townships")
    analysis = analyse(stored.parcels, stored.enterprises, catalog_at(catalog_dir),
                       load_profile(profile_path or None), data_label=stored.info.data_label,
                       year=stored.info.data_year,
                       townships=None if towns is None else TownshipTable.from_frame(towns))
    return replace(analysis, import_choices=stored.info.choices), stored.report


def stored_analysis(ds_id: str):
    """(Analysis, validation report) of a stored dataset, computed once per dataset/profile."""
    return stored_analysis_at(*_stored_key(ds_id))


@st.cache_resource(show_spinner=False)
def _warm_started(folder: str, url: str, catalog_dir: str, profile_path: str) -> bool:
    """Start the analysis of the newest stored dataset on a background thread (once per server,
    workspace, data folder and profile): after a restart it is ready, or under way, when an
    official first opens a 亩均 page, which then waits for it instead of computing it again."""

    def run() -> None:
        try:
            ws = _workspace_at(folder, url)[0]
            known = [d.id for d in ws.datasets()] if ws is not None else []
            if known:
                stored_analysis_at(known[0], folder, url, catalog_dir, profile_path)
        except Exception:  # noqa: BLE001 - the page computes it again and says what fails
            _LOG.warning("background analysis of the newest dataset failed", exc_info=True)

    threading.Thread(target=run, name="warm-analysis", daemon=True).start()
    return True


def warm_newest() -> None:
    """Have the newest stored dataset analysed in the background (see :func:`_warm_started`)."""
    _warm_started(*_stored_key("")[1:])
