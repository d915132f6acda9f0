"""Limits that fit their purpose: the CLI's ``--max-size`` against the web upload limit.

The upload limit (200 MB, ``geo.io.safefile.MAX_BYTES`` = ``maxUploadSize``) protects the
server; a file on the official's own disk given to the command line may be larger, up to
``--max-size`` MB (default 4096). The zip-bomb, zip-slip and content checks still apply, and
narrower limits of their own (a scoring profile's 1 MB) stand.
"""

from __future__ import annotations

import threading
import zipfile

import pytest

from geo._errors import DataImportError
from geo.cli import DEFAULT_MAX_SIZE_MB, main
from geo.io.safefile import MAX_BYTES, MIB, check_path, local_file_limit, open_safely
from tests.support.files import three_parcels


@pytest.fixture
def files(catalog, tmp_path):
    return three_parcels(catalog, tmp_path)


def _sparse(path, size):
    """A file of ``size`` bytes that takes no disk space (only its size is checked)."""
    with path.open("wb") as fh:
        fh.truncate(size)
    return path


@pytest.mark.parametrize("command", ["evaluate", "lowland"])
def test_a_file_over_max_size_is_refused_naming_the_flag(files, tmp_path, capsys, command):
    ppath, epath = files
    out = tmp_path / "out.csv"
    args = [command, "--parcels", str(ppath), "--enterprises", str(epath), "--out", str(out),
            "--max-size", "0.001"]  # 1 KB: the hand-built parcels are larger
    if command == "evaluate":
        args += ["--level", "zone"]
    assert main(args) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1  # one line, no traceback
    assert "超过 --max-size 规定的上限 0.001 MB" in err
    assert "可调大 --max-size" in err
    assert ppath.name in err
    assert not out.exists()


def test_a_file_under_max_size_is_read(files, tmp_path, capsys):
    ppath, epath = files
    out = tmp_path / "zones.csv"
    assert main(["evaluate", "--parcels", str(ppath), "--enterprises", str(epath),
                 "--level", "zone", "--out", str(out), "--max-size", "5"]) == 0
    assert "已写出 20 个重点工业集聚区" in capsys.readouterr().out
    assert out.exists()


def test_the_refusal_in_english_names_the_flag(files, tmp_path, capsys):
    ppath, _ = files
    assert main(["lowland", "--parcels", str(ppath), "--out", str(tmp_path / "o.csv"),
                 "--max-size", "0.001", "--lang", "en"]) == 2
    err = capsys.readouterr().err
    assert "above the limit of 0.001 MB set by --max-size" in err
    assert "raise --max-size (in MB)" in err


@pytest.mark.parametrize("value", ["0", "-5", "abc", "inf"])
def test_a_max_size_that_is_not_a_size_is_refused(files, tmp_path, capsys, value):
    ppath, _ = files
    with pytest.raises(SystemExit) as exc:
        main(["lowland", "--parcels", str(ppath), "--out", str(tmp_path / "o.csv"),
              "--max-size", value])
    assert exc.value.code == 2
    assert "--max-size" in capsys.readouterr().err


@pytest.mark.parametrize("command", ["evaluate", "lowland", "surface", "zonal", "report",
                                     "import-boundaries"])
def test_every_command_that_reads_user_files_has_max_size(command, capsys):
    with pytest.raises(SystemExit):
        main([command, "--help"])
    said = capsys.readouterr().out
    assert "--max-size" in said
    assert str(DEFAULT_MAX_SIZE_MB) in said


def test_the_cli_default_lifts_the_upload_limit_for_files_on_disk(tmp_path):
    big = _sparse(tmp_path / "big.gpkg", MAX_BYTES + MIB)  # 201 MB
    with pytest.raises(DataImportError, match="above the limit"):
        check_path(big, max_bytes=MAX_BYTES)  # the web server's limit
    with local_file_limit(DEFAULT_MAX_SIZE_MB * MIB):
        assert check_path(big, max_bytes=MAX_BYTES) == big
    with local_file_limit(100 * MIB), pytest.raises(DataImportError) as exc:
        check_path(big, max_bytes=MAX_BYTES)
    assert "--max-size" in exc.value.describe("zh")


def test_a_narrower_limit_of_its_own_stands_inside_the_cli_limit(tmp_path):
    profile = _sparse(tmp_path / "profile.toml", 2 * MIB)
    with local_file_limit(DEFAULT_MAX_SIZE_MB * MIB), pytest.raises(DataImportError):
        check_path(profile, max_bytes=MIB)  # a scoring profile's 1 MB


def test_the_cli_limit_stays_in_its_own_thread(tmp_path):
    big = _sparse(tmp_path / "big.csv", MAX_BYTES + MIB)
    seen: list[str] = []

    def other_session() -> None:
        try:
            check_path(big, max_bytes=MAX_BYTES)
            seen.append("read")
        except DataImportError:
            seen.append("refused")

    with local_file_limit(DEFAULT_MAX_SIZE_MB * MIB):
        thread = threading.Thread(target=other_session)
        thread.start()
        thread.join()
    assert seen == ["refused"]  # an app session keeps the upload limit


def test_zip_bomb_and_zip_slip_are_refused_under_the_cli_limit(tmp_path):
    bomb = tmp_path / "bomb.zip"
    with zipfile.ZipFile(bomb, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("layer.shp", b"\0" * (20 * MIB))  # expands ~1000 times
    slip = tmp_path / "slip.zip"
    with zipfile.ZipFile(slip, "w") as zf:
        zf.writestr("../layer.shp", b"\0\0\x27\x0a")
    with local_file_limit(DEFAULT_MAX_SIZE_MB * MIB):
        with pytest.raises(DataImportError, match="zip bomb"), open_safely(bomb):
            pass
        with pytest.raises(DataImportError, match="zip slip"), open_safely(slip):
            pass


def test_a_vrt_is_refused_under_the_cli_limit(tmp_path):
    vrt = tmp_path / "parcels.geojson"
    vrt.write_text('<OGRVRTDataSource><OGRVRTLayer name="x"/></OGRVRTDataSource>',
                   encoding="utf-8")
    with local_file_limit(DEFAULT_MAX_SIZE_MB * MIB), pytest.raises(DataImportError), \
            open_safely(vrt):
        pass
