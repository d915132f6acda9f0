"""The analysis of a stored dataset, computed once per dataset, data folder and profile and
shared by every session; an import hands over the analysis it has just made."""

from __future__ import annotations

import logging
import os
import threading
from dataclasses import replace

import streamlit as st

from app_pages.common import catalog_at, data_key
from app_pages.workspace_state import _workspace_at, active_profile_path, work_dir
from geo.store import DATABASE_URL_ENV

__all__ = ["prime_stored_analysis", "stored_analysis", "stored_analysis_at", "warm_newest"]

_LOG = logging.getLogger(__name__)

#: An import's (analysis, report) on its way into :func:`stored_analysis_at`'s cache: the import
#: has computed exactly what that function would compute again (see
#: :func:`prime_stored_analysis`); empty between hand-overs.
_HANDED: dict[tuple[str, str, str, str, str], tuple] = {}
_HANDED_LOCK = threading.Lock()


def _stored_key(ds_id: str) -> tuple[str, str, str, str, str]:
    return (ds_id, str(work_dir()), os.environ.get(DATABASE_URL_ENV, ""), data_key(),
            active_profile_path())


def prime_stored_analysis(ds_id: str, analysis, report) -> None:
    """Put the import's (analysis, report) of ``ds_id`` into the shared cache of analyses.

    Only when the stored dataset is scored with the bundled profile, as the import was (no
    active workspace profile); a dataset already in the cache keeps what it has.
    """
    key = _stored_key(ds_id)
    if key[-1]:
        return
    with _HANDED_LOCK:
        _HANDED[key] = (analysis, report)
    stored_analysis_at(*key)
    with _HANDED_LOCK:
        _HANDED.pop(key, None)


@st.cache_resource(show_spinner="正在计算所选数据集的亩均效益…", max_entries=8)
def stored_analysis_at(ds_id: str, folder: str, url: str, catalog_dir: str, profile_path: str):
    """(Analysis, report) of a stored dataset of the workspace at ``folder``/``url``."""
    from geo.landuse.pipeline import analyse
    from geo.landuse.scoring import load_profile
    from geo.landuse.townships import TownshipTable

    with _HANDED_LOCK:
        handed = _HANDED.get((ds_id, folder, url, catalog_dir, profile_path))
    if handed is not None:
        return handed

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
    """Have the newest stored dataset analysed in the background (see :func:`_warm_started`),
    asked once per session (the key reads the workspace's active profile)."""
    if not st.session_state.get(_WARM_ASKED):
        st.session_state[_WARM_ASKED] = True
        _warm_started(*_stored_key("")[1:])


_WARM_ASKED = "_analysis_warm_asked"
