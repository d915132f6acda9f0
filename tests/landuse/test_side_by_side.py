"""Parcels imported in a second thread while the enterprise file is read: the outcome is the
one of importing the parcels first — same frames and report, the parcels' error first."""

from __future__ import annotations

import threading

import pandas as pd
import pytest

import geo.crs as crs
import geo.landuse.pipeline as pipeline
from geo._errors import DataImportError
from geo.crs import shared_projections, to_area_crs
from geo.landuse.ingest import import_enterprises, import_parcels
from geo.landuse.pipeline import NoUsableRowsError, load_inputs
from geo.zones.catalog import DATA_DIR

SAMPLE = DATA_DIR.parent / "sample"


def _one_after_the_other(parcel_import, enterprise_import):
    parcels = parcel_import()
    return [parcels, enterprise_import(parcels.data if len(parcels.data) else None)]


def _assert_same_inputs(a, b) -> None:
    pd.testing.assert_frame_equal(pd.DataFrame(a.parcels), pd.DataFrame(b.parcels))
    pd.testing.assert_frame_equal(pd.DataFrame(a.enterprises), pd.DataFrame(b.enterprises))
    pd.testing.assert_frame_equal(a.report, b.report)


def test_both_files_give_what_importing_the_parcels_first_gives(monkeypatch):
    side_by_side = load_inputs(SAMPLE / "parcels.gpkg", SAMPLE / "enterprises.csv")
    monkeypatch.setattr(pipeline, "_import_side_by_side", _one_after_the_other)
    first = load_inputs(SAMPLE / "parcels.gpkg", SAMPLE / "enterprises.csv")
    assert len(side_by_side.parcels)
    assert len(side_by_side.enterprises)
    _assert_same_inputs(side_by_side, first)


def test_parcels_without_a_usable_row_are_none_to_the_enterprises(tmp_path):
    parcels = import_parcels(SAMPLE / "parcels.gpkg").data
    bad = parcels.assign(geometry=None).drop(columns=["land_area_m2"]).rename(
        columns={"parcel_id": "宗地编号"})[["宗地编号", "geometry"]]
    path = tmp_path / "无图形.gpkg"
    bad.iloc[:3].to_file(path, engine="pyogrio")
    with pytest.raises(NoUsableRowsError) as caught:
        load_inputs(path, SAMPLE / "enterprises.csv")
    assert caught.value.kind == "parcel"
    lines = caught.value.report
    from_enterprises = lines[lines["文件"] == "enterprises.csv"]
    assert not from_enterprises["问题"].str.startswith("无对应宗地").any()  # none to check


def _broken_parcels(tmp_path):
    """A GeoPackage that opens, without a 宗地编号 column: refused by the import itself."""
    path = tmp_path / "宗地.gpkg"
    parcels = import_parcels(SAMPLE / "parcels.gpkg").data
    parcels[["geometry"]].assign(备注="无编号").to_file(path, engine="pyogrio")
    return path


def _broken_enterprises(tmp_path):
    path = tmp_path / "企业.csv"
    path.write_text("甲,乙\n1,2\n", encoding="utf-8")  # neither 统一社会信用代码 nor 企业名称
    return path


def test_the_parcels_error_comes_first_when_both_files_fail(tmp_path):
    with pytest.raises(DataImportError) as caught:
        load_inputs(_broken_parcels(tmp_path), _broken_enterprises(tmp_path))
    assert caught.value.file == "宗地.gpkg"


def test_a_parcel_error_stops_a_good_enterprise_file(tmp_path):
    with pytest.raises(DataImportError) as caught:
        load_inputs(_broken_parcels(tmp_path), SAMPLE / "enterprises.csv")
    assert caught.value.file == "宗地.gpkg"


def test_an_enterprise_error_comes_out_when_the_parcels_are_good(tmp_path):
    with pytest.raises(DataImportError) as caught:
        load_inputs(SAMPLE / "parcels.gpkg", _broken_enterprises(tmp_path))
    assert caught.value.file == "企业.csv"


def test_enterprises_call_for_the_parcels_once_after_reading_their_file():
    parcels = import_parcels(SAMPLE / "parcels.gpkg").data
    calls: list[str] = []

    def later() -> pd.DataFrame:
        calls.append(threading.current_thread().name)
        return parcels

    given = import_enterprises(SAMPLE / "enterprises.csv", parcels=later)
    assert len(calls) == 1
    direct = import_enterprises(SAMPLE / "enterprises.csv", parcels=parcels)
    pd.testing.assert_frame_equal(pd.DataFrame(given.data), pd.DataFrame(direct.data))
    pd.testing.assert_frame_equal(given.report, direct.report)


def test_an_error_of_the_parcels_callable_comes_out_as_it_is():
    def failing() -> pd.DataFrame:
        raise DataImportError("broken", file="宗地.gpkg", fix="x", zh=("坏了", "修"))

    with pytest.raises(DataImportError, match="broken"):
        import_enterprises(SAMPLE / "enterprises.csv", parcels=failing)


def test_the_parcel_thread_shares_the_projection_memo():
    with shared_projections():
        inputs = load_inputs(SAMPLE / "parcels.gpkg", SAMPLE / "enterprises.csv")
        memo = crs._PROJECTED.get()
        assert memo, "the parcels projected in the import thread are in the caller's memo"
        before = len(memo)
        to_area_crs(inputs.parcels.geometry)
        assert len(memo) == before  # the same parcels: no new projection


def test_an_interrupt_goes_on_at_once_without_waiting_for_the_parcels():
    """Ctrl-C during the enterprise read is not held up, nor replaced, by the parcel thread."""
    release, finished = threading.Event(), threading.Event()

    def parcel_import():
        try:
            release.wait(60)
            raise DataImportError("parcels broken", fix="-", zh=("宗地文件有误", "-"))
        finally:
            finished.set()

    def enterprise_import(_parcels):
        raise KeyboardInterrupt

    try:
        with pytest.raises(KeyboardInterrupt):
            pipeline._import_side_by_side(parcel_import, enterprise_import)
        assert not finished.is_set()  # the parcel thread was not waited for
    finally:
        release.set()
    assert finished.wait(60)
