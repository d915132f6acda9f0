"""The guarded file opener and the atomic write, tested directly on real files in tmp_path."""

from __future__ import annotations

import os
import zipfile
from pathlib import Path

import geopandas as gpd
import pytest
from shapely.geometry import box

from geo._errors import DataImportError
from geo.io.atomic import write_atomic, write_bytes_atomic
from geo.io.safefile import open_safely, sniff

VRT = (b'<OGRVRTDataSource><OGRVRTLayer name="x"><SrcDataSource>/etc/passwd</SrcDataSource>'
       b"</OGRVRTLayer></OGRVRTDataSource>")


def _shapefile_zip(tmp_path: Path, entry_prefix: str = "") -> Path:
    """Write a one-feature Shapefile and zip its parts (each under ``entry_prefix``)."""
    folder = tmp_path / "shp"
    folder.mkdir()
    gpd.GeoDataFrame({"parcel_id": ["A"]}, geometry=[box(121.5, 29.8, 121.51, 29.81)],
                     crs=4326).to_file(folder / "parcels.shp", engine="pyogrio")
    zpath = tmp_path / "parcels.zip"
    with zipfile.ZipFile(zpath, "w") as zf:
        for part in sorted(folder.iterdir()):
            zf.writestr(entry_prefix + part.name, part.read_bytes())
    return zpath


# --------------------------------------------------------------------------- open_safely


@pytest.mark.parametrize("special", [
    "/vsicurl/https://example.com/parcels.geojson",
    "/vsizip/{tmp}/parcels.zip/parcels.shp",
    "GPKG:{tmp}/parcels.gpkg:宗地",
    "{tmp}/parcels.gpkg|layername=宗地",
])
def test_gdal_special_paths_are_refused_before_anything_is_opened(tmp_path, special):
    gpd.GeoDataFrame({"a": [1]}, geometry=[box(0, 0, 1, 1)], crs=4326).to_file(
        tmp_path / "parcels.gpkg", engine="pyogrio")
    path = special.format(tmp=tmp_path)
    with pytest.raises(DataImportError, match="GDAL special path") as err, open_safely(path):
        pytest.fail("open_safely yielded for a GDAL special path")
    assert err.value.file == path


def test_vrt_behind_a_geojson_name_is_refused(tmp_path):
    fake = tmp_path / "parcels.geojson"
    fake.write_bytes(b"  \n" + VRT)
    with pytest.raises(DataImportError, match="virtual dataset") as err, open_safely(fake):
        pytest.fail("open_safely yielded for a VRT")
    assert err.value.file == "parcels.geojson"


def test_vrt_under_its_own_extension_is_refused(tmp_path):
    vrt = tmp_path / "parcels.vrt"
    vrt.write_bytes(VRT)
    with pytest.raises(DataImportError, match="virtual dataset"), open_safely(vrt):
        pytest.fail("open_safely yielded for a .vrt")


def test_xml_that_is_not_a_vrt_still_does_not_pass_as_geojson(tmp_path):
    fake = tmp_path / "parcels.geojson"
    fake.write_bytes(b"<html><body>not data</body></html>")
    with pytest.raises(DataImportError, match="does not match the extension"), \
            open_safely(fake):
        pytest.fail("open_safely yielded for XML named .geojson")


def test_zip_slip_entry_is_refused(tmp_path):
    zpath = _shapefile_zip(tmp_path, entry_prefix="../")
    with pytest.raises(DataImportError, match="zip slip") as err, open_safely(zpath):
        pytest.fail("open_safely yielded for a zip-slip archive")
    assert err.value.file == "parcels.zip"
    assert err.value.feature is not None
    assert err.value.feature.startswith("../parcels.")
    assert not (tmp_path.parent / "parcels.shp").exists()


def test_absolute_zip_entry_is_refused(tmp_path):
    zpath = tmp_path / "evil.zip"
    with zipfile.ZipFile(zpath, "w") as zf:
        zf.writestr("/etc/cron.d/evil.shp", b"\x00\x00\x27\x0a")
    with pytest.raises(DataImportError, match="zip slip"), open_safely(zpath):
        pytest.fail("open_safely yielded for an absolute zip entry")


def test_zipped_shapefile_is_extracted_to_a_temporary_folder_removed_afterwards(tmp_path):
    zpath = _shapefile_zip(tmp_path)
    with open_safely(zpath) as src:
        assert src.format == "shapefile"
        assert src.source == "parcels.zip"
        assert src.layer_label == "parcels.shp"
        assert src.path.is_file()
        assert tmp_path not in src.path.parents
        extracted = src.path.parent
    assert not extracted.exists()


def test_formats_restrict_what_is_accepted(tmp_path):
    csv = tmp_path / "enterprises.csv"
    csv.write_text("统一社会信用代码,税收\n91330200MA2AB1CD3X,10\n", encoding="utf-8")
    with pytest.raises(DataImportError, match="unsupported file type") as err, \
            open_safely(csv, formats={"gpkg", "geojson"}):
        pytest.fail("open_safely yielded for a format the caller does not read")
    assert ".gpkg" in err.value.fix
    assert ".csv" not in err.value.fix
    with open_safely(csv, formats={"csv"}) as src:
        assert (src.format, src.path, src.source) == ("csv", csv, "enterprises.csv")


def test_oversize_file_is_refused(tmp_path):
    csv = tmp_path / "big.csv"
    csv.write_bytes(b"a,b\n" * 100)
    with pytest.raises(DataImportError, match="above the limit"), \
            open_safely(csv, max_bytes=100):
        pytest.fail("open_safely yielded for an oversize file")


@pytest.mark.parametrize(("head", "kind"), [
    (b"", "empty"), (b"SQLite format 3\x00rest", "sqlite"), (b"PK\x03\x04", "zip"),
    (b"PK\x05\x06", "zip"), (b"\x00\x00\x27\x0a\x00", "shp"), (b"\xd0\xcf\x11\xe0", "ole"),
    (b"\xff\xfea\x00", "text"), (b"%PDF-1.7", "pdf"), (b"\xef\xbb\xbf  <?xml", "xml"),
    (b' {"type": 1}', "json"), (b"[1]", "json"), (b"a\x00b", "binary"), (b"a,b\n1,2", "text"),
])
def test_sniff_names_the_content(head, kind):
    assert sniff(head) == kind


# --------------------------------------------------------------------------- write_atomic


def _leftovers(folder: Path, target: Path) -> list[Path]:
    return [p for p in folder.iterdir() if p != target]


def test_write_atomic_replaces_the_file(tmp_path):
    target = tmp_path / "out" / "result.csv"
    assert write_atomic(target, lambda tmp: tmp.write_text("new", encoding="utf-8")) == target
    assert target.read_text(encoding="utf-8") == "new"
    assert write_bytes_atomic(target, b"newer") == target
    assert target.read_bytes() == b"newer"
    assert _leftovers(target.parent, target) == []


def test_a_writer_that_raises_leaves_the_old_file_and_no_temporary_file(tmp_path):
    target = tmp_path / "result.gpkg"
    target.write_bytes(b"old")
    seen: list[Path] = []

    def half_write(tmp: Path) -> None:
        seen.append(tmp)
        assert tmp.parent == tmp_path
        assert tmp.suffix == ".gpkg"
        assert not tmp.exists()
        tmp.write_bytes(b"half")
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError, match="disk full"):
        write_atomic(target, half_write)
    assert target.read_bytes() == b"old"
    assert len(seen) == 1
    assert not seen[0].exists()
    assert _leftovers(tmp_path, target) == []


def test_a_failing_rename_leaves_the_old_file_and_no_temporary_file(tmp_path, monkeypatch):
    target = tmp_path / "result.csv"
    target.write_bytes(b"old")

    def failing_replace(src: str | os.PathLike[str], dst: str | os.PathLike[str]) -> None:
        raise OSError(f"cannot rename {src} to {dst}")

    monkeypatch.setattr(os, "replace", failing_replace)
    with pytest.raises(OSError, match="cannot rename"):
        write_bytes_atomic(target, b"new")
    assert target.read_bytes() == b"old"
    assert _leftovers(tmp_path, target) == []
