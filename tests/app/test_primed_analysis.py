"""An import hands its analysis to the first page that asks for the saved dataset, which would
otherwise compute it again — and what it hands over is what that page would compute."""

from __future__ import annotations

import pandas as pd

import app_pages.stored_analysis as ws_state
from geo.landuse.pipeline import analyse, load_sample
from geo.landuse.scoring import load_profile
from geo.store import open_workspace

KEY = ("ds-1", "/work", "", "/data", "")


def test_the_first_ask_takes_the_primed_analysis_and_the_cache_keeps_it(monkeypatch):
    monkeypatch.setattr(ws_state, "_stored_key", lambda ds_id: (ds_id, *KEY[1:]))
    ws_state.stored_analysis_at.clear()
    analysis, report = object(), pd.DataFrame()
    ws_state.prime_stored_analysis("ds-1", analysis, report)
    assert ws_state.stored_analysis_at(*KEY)[0] is analysis
    assert not ws_state._HANDED  # taken: the cache holds it now, nothing twice in memory
    assert ws_state.stored_analysis_at(*KEY)[0] is analysis


def test_an_import_scored_with_another_profile_is_not_handed_over(monkeypatch):
    monkeypatch.setattr(ws_state, "_stored_key",
                        lambda ds_id: (ds_id, *KEY[1:-1], "/work/profiles/active_x.toml"))
    ws_state._HANDED.clear()
    ws_state.prime_stored_analysis("ds-1", object(), pd.DataFrame())
    assert not ws_state._HANDED


def test_a_stored_dataset_analyses_as_the_import_did(tmp_path, catalog):
    sample = load_sample()
    profile = load_profile()
    at_import = analyse(sample.parcels, sample.enterprises, catalog, profile,
                        data_label=sample.data_label, year=sample.year)
    ws = open_workspace(tmp_path)
    ds_id = ws.add_dataset(name="t", parcels=sample.parcels, enterprises=sample.enterprises,
                           report=sample.report, data_label=sample.data_label, year=sample.year,
                           choices="", who="经办")
    stored = ws.load_dataset(ds_id)
    again = analyse(stored.parcels, stored.enterprises, catalog, profile,
                    data_label=stored.info.data_label, year=stored.info.data_year)
    cols = ["credit_code", "track", "score", "class", "rank_in_group", "class_note"]
    pd.testing.assert_frame_equal(at_import.enterprises[cols].reset_index(drop=True),
                                  again.enterprises[cols].reset_index(drop=True))
    flags = ["parcel_id", "land_mu", "low_efficiency", "reasons"]
    flags = [c for c in flags if c in at_import.parcels]
    pd.testing.assert_frame_equal(at_import.parcels[flags].reset_index(drop=True),
                                  again.parcels[flags].reset_index(drop=True))


def test_the_newest_dataset_is_analysed_in_the_background_once(tmp_path, monkeypatch):
    import threading

    import geo.landuse.pipeline
    from app_pages.common import data_key

    sample = load_sample()
    ws = open_workspace(tmp_path)
    ds_id = ws.add_dataset(name="t", parcels=sample.parcels, enterprises=sample.enterprises,
                           report=sample.report, data_label=sample.data_label, year=sample.year,
                           choices="", who="经办")
    ws_state.stored_analysis_at.clear()
    ws_state._warm_started.clear()
    key = (str(tmp_path), "", data_key(), "")
    assert ws_state._warm_started(*key)
    for t in threading.enumerate():
        if t.name == "warm-analysis":
            t.join(timeout=300)

    def no_second_analysis(*_a, **_k):
        raise AssertionError("analysed again")

    monkeypatch.setattr(geo.landuse.pipeline, "analyse", no_second_analysis)
    analysis, _ = ws_state.stored_analysis_at(ds_id, *key)
    assert len(analysis.enterprises) == len(sample.enterprises)


def test_a_dataset_already_analysed_keeps_its_analysis_and_nothing_is_left_waiting(monkeypatch):
    monkeypatch.setattr(ws_state, "_stored_key", lambda ds_id: (ds_id, *KEY[1:]))
    ws_state.stored_analysis_at.clear()
    first = object()
    ws_state.prime_stored_analysis("ds-1", first, pd.DataFrame())
    ws_state.prime_stored_analysis("ds-1", object(), pd.DataFrame())  # a second session's
    assert ws_state.stored_analysis_at(*KEY)[0] is first
    assert not ws_state._HANDED


def _join_keepers() -> None:
    import threading

    for t in threading.enumerate():
        if t.name == "warm-analysis":
            t.join(timeout=300)
    for job in list(ws_state._KEEPING.values()):
        job.result(timeout=300)


def test_a_restarted_server_reads_the_kept_analysis_instead_of_computing_it(tmp_path,
                                                                            monkeypatch):
    import geo.landuse.pipeline
    from app_pages.common import data_key

    sample = load_sample()
    ws = open_workspace(tmp_path)
    ds_id = ws.add_dataset(name="t", parcels=sample.parcels, enterprises=sample.enterprises,
                           report=sample.report, data_label=sample.data_label, year=sample.year,
                           choices="用地面积 → 亩", who="经办")
    key = (ds_id, str(tmp_path), "", data_key(), "")
    ws_state.stored_analysis_at.clear()
    computed, report = ws_state.stored_analysis_at(*key)
    _join_keepers()
    ws_state.stored_analysis_at.clear()  # a restart: every cache empty, the store kept

    def no_second_analysis(*_a, **_k):
        raise AssertionError("analysed again")

    monkeypatch.setattr(geo.landuse.pipeline, "analyse", no_second_analysis)
    read, read_report = ws_state.stored_analysis_at(*key)
    assert read is not computed
    pd.testing.assert_frame_equal(read.enterprises, computed.enterprises, check_exact=True)
    pd.testing.assert_frame_equal(read.parcels, computed.parcels, check_exact=True)
    pd.testing.assert_frame_equal(read_report, report)
    assert read.import_choices == "用地面积 → 亩"


def test_an_editors_import_keeps_its_analysis_for_the_next_start(work, tmp_path):
    from tests.app.test_app_workspace import EDITOR, _import

    _import(EDITOR, tmp_path)
    _join_keepers()
    ws = open_workspace(work)
    (ds,) = ws.datasets()
    kept = ws.analysis_frames(ds.id, ws_state.kept_key("", ""))
    assert set(kept) == {"parcels", "enterprises", "report", "meta"}


def test_the_keeper_runs_one_job_per_dataset_and_key_and_does_not_retry_a_refusal(monkeypatch):
    import threading
    import time

    gate, calls = threading.Event(), []

    def save(_ws, ds_id, _key, _analysis):
        calls.append(ds_id)
        gate.wait(30)
        return ds_id != "bad"

    monkeypatch.setattr(ws_state, "_keep", save)
    monkeypatch.setattr(ws_state, "_REFUSED", set())
    first = ws_state.keep_analysis(None, "ds", object(), key="k")
    assert ws_state.keep_analysis(None, "ds", object(), key="k") is first  # queued once
    gate.set()
    first.result(timeout=30)
    ws_state.keep_analysis(None, "bad", object(), key="k").result(timeout=30)
    deadline = time.monotonic() + 30
    while ("bad", "k") in ws_state._KEEPING and time.monotonic() < deadline:
        time.sleep(0.01)  # the job's callback runs just after its result is set
    assert ws_state.keep_analysis(None, "bad", object(), key="k") is None  # not tried again
    assert ws_state.keep_analysis(None, "bad", object(), key="k2") is not None  # another key
    assert calls[:2] == ["ds", "bad"]
