"""The register and scoring profiles are read through geo.io like every other user file."""

from __future__ import annotations

import pytest

from geo._errors import ProfileError, RegisterError
from geo.landuse.profile_toml import PROFILE_MAX_BYTES
from geo.landuse.register import load_register
from geo.landuse.scoring import DEFAULT_PROFILE, load_profile
from geo.landuse.targets import progress


def test_a_register_saved_by_excel_as_gbk_reads(tmp_path):
    path = tmp_path / "台账.csv"
    path.write_bytes("宗地编号,状态,面积（亩）,年度,备注\nA,已盘活,3,2023年,整治完成\n".encode("gbk"))
    reg = load_register(path)
    assert reg.loc[0, "note"] == "整治完成"
    assert reg.loc[0, "year"] == "2023"  # one year rule; kept as four digits
    assert progress(reg).set_index("year").loc[2023, "cleared_mu"] == 3


def test_a_register_that_is_not_csv_is_refused_unread(tmp_path):
    path = tmp_path / "台账.csv"
    path.write_text('<OGRVRTDataSource><OGRVRTLayer name="x"/></OGRVRTDataSource>',
                    encoding="utf-8")
    with pytest.raises(RegisterError, match="VRT"):
        load_register(path)


def test_a_register_row_number_is_the_files(tmp_path):
    path = tmp_path / "台账.csv"
    path.write_text("宗地编号,状态,面积（亩）\n\nA,已盘活,3\nB,完成了,2\n", encoding="utf-8")
    with pytest.raises(RegisterError, match="row 4"):  # the blank line 2 counts, as in Excel
        load_register(path)


def test_a_profile_that_is_a_vrt_is_refused_unread(tmp_path):
    path = tmp_path / "我区方案.toml"
    path.write_text('<OGRVRTDataSource><OGRVRTLayer name="x"><SrcDataSource>/etc/passwd'
                    "</SrcDataSource></OGRVRTLayer></OGRVRTDataSource>", encoding="utf-8")
    with pytest.raises(ProfileError, match="VRT") as err:
        load_profile(path)
    assert "root:" not in str(err.value)


def test_an_oversize_or_non_utf8_profile_is_refused(tmp_path):
    big = tmp_path / "big.toml"
    big.write_text(DEFAULT_PROFILE.read_text(encoding="utf-8")
                   + "#" * PROFILE_MAX_BYTES, encoding="utf-8")
    with pytest.raises(ProfileError, match="above the limit"):
        load_profile(big)
    gbk = tmp_path / "gbk.toml"
    gbk.write_bytes(DEFAULT_PROFILE.read_text(encoding="utf-8").encode("gb18030"))
    with pytest.raises(ProfileError, match="not UTF-8"):
        load_profile(gbk)
    wrong = tmp_path / "profile.txt"
    wrong.write_text("[meta]\n", encoding="utf-8")
    with pytest.raises(ProfileError, match="unsupported file type"):
        load_profile(wrong)


@pytest.mark.parametrize("year", [5, 1948, 2101])
def test_a_year_asked_for_must_be_a_year(year):
    import geopandas as gpd
    from shapely.geometry import box

    from geo.landuse.pipeline import empty_enterprises, select_year

    parcels = gpd.GeoDataFrame({"parcel_id": ["P1"], "year": [None]},
                               geometry=[box(121.5, 29.8, 121.51, 29.81)], crs=4326)
    with pytest.raises(ValueError, match="is not a year"):
        select_year(parcels, empty_enterprises(), year=year)
