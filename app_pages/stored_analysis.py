"""The analysis of a stored dataset, computed once per dataset, data folder and profile and
shared by every session; an import hands over the analysis it has just made. Each analysis is
also kept in the workspace store (:mod:`geo.store.analyses`, on a background thread), so a
restarted server — or a second server on the same PostgreSQL — reads it instead of computing
it again."""

from __future__ import annotations

import logging
import os
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path

import streamlit as st

from app_pages.common import catalog_at, data_key
from app_pages.workspace_state import _workspace_at, active_profile_path, work_dir
from geo.store import DATABASE_URL_ENV
from geo.store.analyses import (
    catalog_digest,
    code_digest,
    files_digest,
    kept_analysis_key,
    load_analysis,
    save_analysis,
)

__all__ = ["keep_analysis", "kept_key", "prime_stored_analysis", "stored_analysis",
           "stored_analysis_at", "warm_newest"]

_LOG = logging.getLogger(__name__)

#: An import's (analysis, report) on its way into :func:`stored_analysis_at`'s cache: the import
#: has computed exactly what that function would compute again (see
#: :func:`prime_stored_analysis`); empty between hand-overs.
_HANDED: dict[tuple[str, str, str, str, str], tuple] = {}
_HANDED_LOCK = threading.Lock()


def _stored_key(ds_id: str) -> tuple[str, str, str, str, str]:
    return (ds_id, str(work_dir()), os.environ.get(DATABASE_URL_ENV, ""), data_key(),
            active_profile_path())


def prime_stored_analysis(ds_id: str, analysis, report) -> bool:
    """Put the import's (analysis, report) of ``ds_id`` into the shared cache of analyses.

    Only when the stored dataset is scored with the bundled profile, as the import was (no
    active workspace profile); a dataset already in the cache keeps what it has. Returns
    whether the pages score the dataset as the import did (the analysis is theirs).
    """
    key = _stored_key(ds_id)
    if key[-1]:
        return False
    with _HANDED_LOCK:
        _HANDED[key] = (analysis, report)
    try:
        stored_analysis_at(*key)
    finally:
        with _HANDED_LOCK:
            _HANDED.pop(key, None)
    return True


@st.cache_resource(show_spinner=False)
def _catalog_sum(catalog_dir: str) -> str:
    """Digest of the catalogue of folder ``catalog_dir``, once per process (read at start)."""
    return catalog_digest(catalog_at(catalog_dir))


#: Digests of the app's modules that call the analysis and keep it: part of the key, read
#: when the app starts (a module replaced while the server runs does not pass for the old).
_APP_PARTS = (files_digest([Path(__file__).with_name(name) for name in (
    "stored_analysis.py", "data_import.py", "workspace_save.py")]),)
code_digest()  # likewise the code's and reference tables' digest, once, at start


def kept_key(catalog_dir: str, profile_path: str) -> str:
    """The key an analysis is kept under in the store (:func:`geo.store.analyses`)."""
    return kept_analysis_key(_catalog_sum(catalog_dir), profile_path, _APP_PARTS)


#: One worker keeps analyses, one at a time: each takes seconds and memory at city size.
_KEEPER = ThreadPoolExecutor(max_workers=1, thread_name_prefix="keep-analysis")
#: (dataset, key) → its job, while queued or running (the same job is not queued twice).
_KEEPING: dict[tuple[str, str], Future] = {}
#: (dataset, key) that could not be kept: not tried again in this process.
_REFUSED: set[tuple[str, str]] = set()
_KEEPING_LOCK = threading.Lock()


def keep_analysis(ws, ds_id: str, analysis, *, key: str) -> Future | None:
    """Keep ``analysis`` of ``ds_id`` under ``key`` in the store, on the keeper thread.

    A cache: a failure is logged and the analysis is computed again after the next restart.
    Returns the job (None when this dataset and key could not be kept before).
    """
    job = (ds_id, key)
    with _KEEPING_LOCK:
        if job in _REFUSED:
            return None
        if job in _KEEPING:
            return _KEEPING[job]
        future = _KEEPER.submit(_keep, ws, ds_id, key, analysis)
        _KEEPING[job] = future
    future.add_done_callback(lambda done: _kept(job, done))
    return future


def _keep(ws, ds_id: str, key: str, analysis) -> bool:
    return save_analysis(ws, ds_id, key, analysis)


def _kept(job: tuple[str, str], done: Future) -> None:
    with _KEEPING_LOCK:
        _KEEPING.pop(job, None)
        if done.exception() is not None or not done.result():
            _REFUSED.add(job)


@st.cache_resource(show_spinner="正在计算所选数据集的亩均效益…", max_entries=8)
def stored_analysis_at(ds_id: str, folder: str, url: str, catalog_dir: str, profile_path: str):
    """(Analysis, report) of a stored dataset of the workspace at ``folder``/``url``: the one
    the store keeps under the same code, catalogue and profile, else computed (and kept)."""
    from geo.landuse.pipeline import analyse
    from geo.landuse.scoring import load_profile
    from geo.landuse.townships import TownshipTable

    with _HANDED_LOCK:
        handed = _HANDED.get((ds_id, folder, url, catalog_dir, profile_path))
    if handed is not None:
        return handed

    ws = _workspace_at(folder, url)[0]
    profile = load_profile(profile_path or None)
    key = kept_key(catalog_dir, profile_path)  # before the analysis: what it is computed from
    kept = load_analysis(ws, ds_id, key, profile)
    if kept is not None:
        return kept, ws.dataset_report(ds_id)
    stored = ws.load_dataset(ds_id)
    towns = stored.extra.get("townships")
    analysis = analyse(stored.parcels, stored.enterprises, catalog_at(catalog_dir), profile,
                       data_label=stored.info.data_label, year=stored.info.data_year,
                       townships=None if towns is None else TownshipTable.from_frame(towns))
    analysis = replace(analysis, import_choices=stored.info.choices)
    keep_analysis(ws, ds_id, analysis, key=key)
    return analysis, stored.report


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
