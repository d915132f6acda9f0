"""A dataset's analysis is kept beside it and read back exactly — only under the key of what it
was computed with — on SQLite and on a real PostgreSQL server (issue 16: a restarted server
opens 亩均效益 without computing the analysis again)."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest

from geo.landuse.scoring import DEFAULT_PROFILE, load_profile
from geo.store.analyses import (
    catalog_digest,
    kept_analysis_key,
    load_analysis,
    save_analysis,
)
from geo.store.frames import exact_bytes, exact_frame


@pytest.fixture
def stored(workspace, sample_analysis):
    a = sample_analysis
    return workspace.add_dataset(name="t", parcels=a.parcels, enterprises=a.enterprises,
                                 report=a.report, data_label=a.data_label, year=a.year,
                                 choices="", who="经办")


def _same(got, want) -> None:
    for kind in ("parcels", "enterprises", "report"):
        pd.testing.assert_frame_equal(getattr(got, kind), getattr(want, kind), check_exact=True)
        for col in getattr(want, kind).columns:
            if getattr(want, kind)[col].dtype == object and col != "geometry":
                assert [type(v) for v in getattr(got, kind)[col]] == \
                       [type(v) for v in getattr(want, kind)[col]], col
    assert (got.data_label, got.year, got.import_choices, got.evidence) == \
           (want.data_label, want.year, want.import_choices, want.evidence)
    assert got.parcels.crs == want.parcels.crs


def test_a_kept_analysis_comes_back_exactly(workspace, stored, sample_analysis, catalog):
    key = kept_analysis_key(catalog_digest(catalog), "")
    want = dataclasses.replace(sample_analysis, import_choices="用地面积 → 亩", evidence="遥感")
    assert save_analysis(workspace, stored, key, want)
    got = load_analysis(workspace, stored, key, want.profile)
    assert got is not None
    _same(got, want)


def test_another_code_catalogue_or_profile_finds_nothing(workspace, stored, sample_analysis,
                                                         catalog, tmp_path):
    key = kept_analysis_key(catalog_digest(catalog), "")
    assert save_analysis(workspace, stored, key, sample_analysis)
    sub = catalog["subzone"]
    moved = {**catalog, "subzone": sub.set_geometry(sub.geometry.translate(xoff=1e-6))}
    assert catalog_digest(moved) != catalog_digest(catalog)
    other = tmp_path / "p.toml"
    other.write_text(DEFAULT_PROFILE.read_text(encoding="utf-8").replace(
        "0.", "0.0", 1), encoding="utf-8")
    for changed in (kept_analysis_key(catalog_digest(moved), ""), kept_analysis_key(
            catalog_digest(catalog), other)):
        assert changed != key
        assert load_analysis(workspace, stored, changed, sample_analysis.profile) is None
    assert load_analysis(workspace, stored, key, sample_analysis.profile) is not None


def test_a_profile_of_another_name_is_not_handed_the_kept_analysis(workspace, stored,
                                                                   sample_analysis, catalog):
    key = kept_analysis_key(catalog_digest(catalog), "")
    save_analysis(workspace, stored, key, sample_analysis)
    renamed = dataclasses.replace(load_profile(), name="另一方案")
    assert load_analysis(workspace, stored, key, renamed) is None


def test_a_frame_that_would_not_come_back_exactly_is_not_kept(workspace, stored,
                                                              sample_analysis, catalog, caplog):
    key = kept_analysis_key(catalog_digest(catalog), "")
    ent = sample_analysis.enterprises.copy()
    ent["placement_note"] = pd.Series([None, np.nan] * (len(ent) // 2) + [None] * (len(ent) % 2),
                                      dtype=object, index=ent.index)
    mixed = dataclasses.replace(sample_analysis, enterprises=ent)
    assert not save_analysis(workspace, stored, key, mixed)
    assert "not kept" in caplog.text
    assert load_analysis(workspace, stored, key, mixed.profile) is None


def test_damaged_kept_frames_are_computed_again_not_trusted(workspace, stored, sample_analysis,
                                                            catalog, caplog):
    key = kept_analysis_key(catalog_digest(catalog), "")
    save_analysis(workspace, stored, key, sample_analysis)
    frames = workspace.analysis_frames(stored, key)
    frames["parcels"] = (frames["parcels"][0][:1000], frames["parcels"][1])
    workspace.save_analysis_frames(stored, key, frames)
    assert load_analysis(workspace, stored, key, sample_analysis.profile) is None
    assert "cannot be read" in caplog.text


def test_deleting_a_dataset_deletes_its_analysis_and_a_deleted_one_is_not_kept(
        workspace, stored, sample_analysis, catalog):
    key = kept_analysis_key(catalog_digest(catalog), "")
    save_analysis(workspace, stored, key, sample_analysis)
    workspace.delete_dataset(stored)
    assert workspace.analysis_frames(stored, key) == {}
    assert not save_analysis(workspace, stored, key, sample_analysis)


def test_a_new_analysis_replaces_the_kept_one(workspace, stored, sample_analysis, catalog):
    first = kept_analysis_key(catalog_digest(catalog), "")
    save_analysis(workspace, stored, first, sample_analysis)
    save_analysis(workspace, stored, "k2", sample_analysis)
    assert workspace.analysis_frames(stored, first) == {}
    assert set(workspace.analysis_frames(stored, "k2")) == {"parcels", "enterprises", "report",
                                                            "meta"}


@pytest.mark.parametrize("values", [
    pd.Series(["a", None, "b"], dtype=object),
    pd.Series(["a", np.nan, "b"], dtype=object),
    pd.Series(["a", "b", "c"], dtype=object),
    pd.Series(["a", pd.NA, "b"], dtype="string"),
    pd.Series([1, None, 3], dtype="Int64"),
    pd.Series(["x", "y", "x"], dtype="category"),
    pd.Series([None, None, None], dtype=pd.CategoricalDtype(["Z01", "Z02"])),
    pd.Series(["b", None, "a"], dtype=pd.CategoricalDtype(["b", "a"], ordered=True)),
])
def test_exact_frames_keep_dtypes_and_missing_values(values):
    frame = pd.DataFrame({"v": values}, index=pd.Index([5, 7, 9], name="row"))
    back = exact_frame(*exact_bytes(frame))
    pd.testing.assert_frame_equal(back, frame, check_exact=True)
    assert [type(v) for v in back["v"]] == [type(v) for v in frame["v"]]


@pytest.mark.parametrize("cells", [
    [1, None, 3],  # numbers in an object column would come back as floats
    [np.str_("甲"), "乙", None],  # NumPy text would come back as str
    [True, None, False],
])
def test_object_columns_of_other_than_text_are_refused(cells):
    frame = pd.DataFrame({"v": pd.Series(cells, dtype=object)})
    with pytest.raises(ValueError, match="other than text"):
        exact_bytes(frame)


def test_an_object_index_is_refused():
    with pytest.raises(ValueError, match="object index"):
        exact_bytes(pd.DataFrame({"v": [1.0]}, index=pd.Index(["a"], dtype=object)))


def test_a_crs_without_its_epsg_code_comes_back_as_it_was():
    import geopandas as gpd
    from shapely.geometry import Point

    frame = gpd.GeoDataFrame({"v": [1.0]}, geometry=[Point(121.5, 29.8)],
                             crs="+proj=longlat +datum=WGS84 +no_defs")
    back = exact_frame(*exact_bytes(frame))
    assert back.crs == frame.crs


@pytest.mark.parametrize("layout", [
    '{"geo": false, "objects": [], "categories": {}, "epsg": null}',
    '{"geo": true, "objects": {}, "categories": {}, "epsg": "bogus"}',
    '{"geo": false, "objects": {}, "categories": [], "epsg": null}',
    "[]",
])
def test_damaged_layouts_are_refused_as_damaged(layout):
    data, _ = exact_bytes(pd.DataFrame({"v": [1.0]}))
    with pytest.raises(ValueError, match="damaged"):
        exact_frame(data, layout)


def test_damaged_kept_meta_is_computed_again(workspace, stored, sample_analysis, catalog):
    key = kept_analysis_key(catalog_digest(catalog), "")
    save_analysis(workspace, stored, key, sample_analysis)
    frames = workspace.analysis_frames(stored, key)
    for meta in ('{"data_label": "x", "year": "[点此](http://x)", "import_choices": "", '
                 '"evidence": "", "profile": "默认方案"}', '{"year": 2024}', "not json"):
        frames["meta"] = (b"", meta)
        workspace.save_analysis_frames(stored, key, frames)
        assert load_analysis(workspace, stored, key, sample_analysis.profile) is None


def test_the_key_follows_the_reference_tables_and_the_callers_parts(tmp_path, monkeypatch):
    import geo.store.analyses as analyses

    ref = tmp_path / "reference"
    ref.mkdir()
    (ref / "gbt4754_2017.csv").write_text("代码,名称\nC,制造业\n", encoding="utf-8")
    monkeypatch.setattr(analyses, "_REFERENCE", ref)
    analyses.code_digest.cache_clear()
    try:
        before = analyses.kept_analysis_key("cat", "")
        (ref / "gbt4754_2017.csv").write_text("代码,名称\nC,制造业（新）\n", encoding="utf-8")
        analyses.code_digest.cache_clear()
        after = analyses.kept_analysis_key("cat", "")
        assert before != after
        assert analyses.kept_analysis_key("cat", "", ("app-1",)) != \
               analyses.kept_analysis_key("cat", "", ("app-2",))
    finally:
        monkeypatch.undo()
        analyses.code_digest.cache_clear()
