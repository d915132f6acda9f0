"""The one guarded way to open a user's file.

Every importer (parcels, enterprises, replacement boundaries, uploaded profiles and rasters
to come) passes the user's path through :func:`open_safely` before any reader — GDAL,
openpyxl or the CSV module — sees it. The checks, in order:

- GDAL special paths (``/vsicurl/``, ``/vsizip/``, ``GPKG:...``, ``...|layer=``) are refused:
  only a plain file on disk is read.
- Size: a file above ``max_bytes`` is refused before it is read. The default,
  :data:`MAX_BYTES`, is the web upload limit (``.streamlit/config.toml`` ``maxUploadSize``):
  it protects the server. A file on the official's own disk given to the command line may be
  larger: inside :func:`local_file_limit` (the CLI's ``--max-size``) the upload limit, and any
  larger general limit a reader passes (a raster's), is replaced by the one stated, and the
  total a zip may expand to grows with it. Narrower limits of their own (a scoring profile's
  1 MB) stand, and so do the zip-bomb ratio and all content checks.
- Content against extension: the first 4 KiB are sniffed; an OGR VRT (XML that makes GDAL open
  other files or URLs) is refused whatever its name, and so is content that does not match the
  extension (a VRT saved as ``.geojson`` is XML, not JSON).
- Allowed formats: a caller names the formats it reads (``formats=``); others are refused.
- Zip archives (zipped Shapefile, ``.xlsx``): entries with absolute paths or ``..`` (zip slip),
  encrypted entries, more than 10,000 entries, a ratio above ``max_ratio`` or a total above
  ``max_unzipped_bytes`` (zip bombs) are refused. A zipped Shapefile is copied part by part,
  under safe names and within the byte budget, to a temporary folder: GDAL never reads inside a
  user's zip.
- Shapefile parts: ``.shp``/``.shx`` must start with the Shapefile magic number and ``.dbf``
  with a dBase version byte (never XML); a damaged Shapefile is refused whole: a ``.shp`` cut
  short (shorter than its header says, or than the ``.shx`` offsets reach), a cut ``.shx`` or
  ``.dbf``, or a ``.dbf`` whose record count differs from the ``.shx``.

Failure behaviour: every refusal raises :class:`geo._errors.DataImportError` naming the file
(and the zip entry) and the fix; nothing is opened or extracted after a refusal.
"""

from __future__ import annotations

import math
import os
import re
import tempfile
import zipfile
from collections.abc import Collection, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import numpy as np

from geo._errors import DataImportError
from geo.labels import CONTENT_LABELS_ZH

__all__ = ["MAX_BYTES", "MAX_UNZIPPED_BYTES", "MAX_RATIO", "CONTENT_LABELS", "FORMATS",
           "MIB", "SafeSource", "check_path", "check_file", "check_zip", "local_file_limit",
           "open_safely", "sniff"]

#: One megabyte as ``maxUploadSize`` and ``--max-size`` count it (MiB).
MIB = 1024 * 1024

#: Largest user file by default: the web upload limit (``.streamlit/config.toml``
#: ``maxUploadSize = 200``), which protects the server.
MAX_BYTES = 200 * MIB


#: Largest total uncompressed size of a zip archive (Shapefile zip or .xlsx) by default.
MAX_UNZIPPED_BYTES = 1024 * 1024 * 1024


#: Largest compression ratio of one zip entry of 1 MiB or more (zip-bomb guard).
MAX_RATIO = 100


_RATIO_MIN_BYTES = 1024 * 1024


_MAX_ZIP_ENTRIES = 10_000


#: Inside :func:`local_file_limit`, a zip may expand to this many times the file limit (the
#: server's 1 GiB for 200 MB), never less than :data:`MAX_UNZIPPED_BYTES`.
_UNZIPPED_PER_FILE_BYTE = 5


@dataclass(frozen=True)
class _LocalLimit:
    max_bytes: int
    option: str


_LOCAL_LIMIT: ContextVar[_LocalLimit | None] = ContextVar("local_file_limit", default=None)


@contextmanager
def local_file_limit(max_bytes: int, *, option: str = "--max-size") -> Iterator[None]:
    """Within the block, allow the user's own files up to ``max_bytes`` (the CLI's limit).

    The web upload limit (:data:`MAX_BYTES`) protects the server; a file on the official's own
    disk given to the command line may be larger. Inside the block every guarded open whose
    limit is the upload limit or above (a raster's 2 GiB) uses ``max_bytes`` instead, a zip may
    expand to 5 times it (at least :data:`MAX_UNZIPPED_BYTES`), and a refusal names
    ``option`` as the way to raise it. Narrower limits a caller sets for its purpose (a
    scoring profile's 1 MB) stand; the zip-bomb ratio, zip-slip, VRT and content checks all
    still apply. The limit is held in a context variable: other threads (the app's sessions)
    keep the upload limit.

    Parameters
    ----------
    max_bytes : int
        Largest file, in bytes (at least 1).
    option : str, keyword-only
        The option that sets it, named in the refusal (``--max-size``, in MB).
    """
    if max_bytes < 1:
        raise ValueError(f"max_bytes must be at least 1, not {max_bytes}")
    token = _LOCAL_LIMIT.set(_LocalLimit(int(max_bytes), option))
    try:
        yield
    finally:
        _LOCAL_LIMIT.reset(token)


def _limit_in_force(max_bytes: int) -> tuple[int, str | None]:
    """Return the file limit that applies, and the option that set it (None: the caller's)."""
    local = _LOCAL_LIMIT.get()
    if local is None or max_bytes < MAX_BYTES:
        return max_bytes, None
    return local.max_bytes, local.option


def _unzipped_in_force(max_unzipped_bytes: int) -> int:
    """Return the expanded-size limit of a zip that applies (see :func:`local_file_limit`)."""
    local = _LOCAL_LIMIT.get()
    if local is None or max_unzipped_bytes < MAX_UNZIPPED_BYTES:
        return max_unzipped_bytes
    return max(max_unzipped_bytes, _UNZIPPED_PER_FILE_BYTE * local.max_bytes)


FORMATS = {".gpkg": "gpkg", ".geojson": "geojson", ".json": "geojson", ".zip": "zip",
                   ".shp": "shp", ".csv": "csv", ".txt": "csv", ".xlsx": "xlsx", ".toml": "toml"}


# Content each format may have (a TOML file starting with "[section]" sniffs as JSON).
_EXPECTED_CONTENT = {"gpkg": ("sqlite",), "geojson": ("json",), "zip": ("zip",),
                     "xlsx": ("zip",), "shp": ("shp",), "csv": ("text",),
                     "toml": ("text", "json")}


CONTENT_LABELS = {"sqlite": "an SQLite database (GeoPackage)", "zip": "a zip archive",
                   "shp": "a Shapefile geometry file", "ole": "an old binary Office file (.xls)",
                   "xml": "XML or HTML", "json": "JSON", "pdf": "a PDF", "binary": "binary data",
                   "empty": "empty", "text": "plain text (CSV)"}


_GDAL_PREFIX = re.compile(r"^[A-Za-z][A-Za-z0-9_+.-]+:")
_WINDOWS_DRIVE = re.compile(r"^[A-Za-z]:[\\/]")


def check_path(path: str | os.PathLike[str], *, max_bytes: int) -> Path:
    """Refuse GDAL special paths and URLs, missing files and files above ``max_bytes``.

    The first step of every guarded open (:func:`check_file`, and the raster opener
    :func:`geo.raster.safe.open_user_raster`); Windows drive paths ("C:/…") are files.

    Raises
    ------
    DataImportError
        Naming the path and the fix.
    """
    text = os.fspath(path)
    special = (text.startswith("/vsi") or "|layer" in text.lower()
               or (_GDAL_PREFIX.match(text) and not _WINDOWS_DRIVE.match(text)))
    if special:
        raise DataImportError(
            "is a GDAL special path or a URL, not a file on disk", file=text,
            fix="give the path of the file itself (download it first; a zipped Shapefile is "
                "passed as the .zip)",
            zh=("是 GDAL 特殊路径或网址，不是磁盘上的文件",
                "请给出文件本身的路径（网上的文件请先下载；压缩的 Shapefile 直接给出 .zip 文件）"))
    p = Path(text)
    if not p.is_file():
        raise DataImportError("file not found", file=text,
                              fix="check the path (relative paths start at the current folder)",
                              zh=("找不到文件", "请检查路径（相对路径从当前文件夹算起）"))
    size = p.stat().st_size
    max_bytes, option = _limit_in_force(max_bytes)
    if size > max_bytes and option is not None:
        raise _over_local_limit(p, size, max_bytes, option)
    if size > max_bytes:
        raise DataImportError(
            f"is {size / 1e6:.1f} MB, above the limit of {max_bytes / 1e6:.1f} MB", file=p.name,
            fix="make it smaller (split it by district or year, or clip it to the area needed), "
                "or pass a larger max_bytes if you trust it",
            zh=(f"文件大小为 {size / 1e6:.1f} MB，超过上限 {max_bytes / 1e6:.1f} MB",
                "请缩小文件（按区县或年度拆分，或裁剪到所需范围），"
                "确认文件可信时也可调大 max_bytes"))
    return p


def _over_local_limit(p: Path, size: int, max_bytes: int, option: str) -> DataImportError:
    """Return the refusal of a file above the limit the command line stated (``option``)."""
    mb = size / MIB
    size_mb, limit = f"{mb:.1f}" if mb >= 0.1 else f"{mb:.2g}", f"{max_bytes / MIB:.4g}"
    return DataImportError(
        f"is {size_mb} MB, above the limit of {limit} MB set by {option}", file=p.name,
        fix=f"make it smaller (split it by district or year, or clip it to the area needed), "
            f"or raise {option} (in MB) if you trust the file",
        zh=(f"文件大小为 {size_mb} MB，超过 {option} 规定的上限 {limit} MB",
            f"请缩小文件（按区县或年度拆分，或裁剪到所需范围）；确认文件可信时可调大 {option}"
            f"（单位 MB，如 {option} {math.ceil(mb)}）"))


def check_file(path: str | os.PathLike[str], *, max_bytes: int,
               formats: Collection[str] | None = None) -> tuple[Path, str]:
    """Refuse special paths, missing, oversize, VRT and mislabelled files; return (path, format).

    ``formats`` limits the formats accepted (values of :data:`FORMATS`; default all).
    """
    p = check_path(path, max_bytes=max_bytes)
    with p.open("rb") as fh:
        head = fh.read(4096)
    suffix = p.suffix.lower()
    found = sniff(head)
    if (found == "xml" and b"<ogrvrtdatasource" in head.lower()) or suffix == ".vrt":
        raise DataImportError(
            "is a GDAL virtual dataset (VRT), which can make GDAL read other files", file=p.name,
            fix="export the data itself as GeoPackage, GeoJSON, zipped Shapefile, CSV or .xlsx",
            zh=("是 GDAL 虚拟数据集（VRT），可能让 GDAL 读取其他文件",
                "请把数据本身导出为 GeoPackage、GeoJSON、压缩的 Shapefile、CSV 或 .xlsx"))
    if suffix == ".xls":
        raise DataImportError("old Excel format (.xls) is not read", file=p.name,
                              fix="open it in Excel or WPS and save as .xlsx",
                              zh=("不能读取旧版 Excel 格式（.xls）",
                                  "请在 Excel 或 WPS 中打开，另存为 .xlsx"))
    fmt = FORMATS.get(suffix)
    if fmt is None or (formats is not None and fmt not in formats):
        allowed = "、".join(sorted(s for s, f in FORMATS.items()
                                  if formats is None or f in formats))
        raise DataImportError(
            f"unsupported file type {suffix or '(no extension)'!r}", file=p.name,
            fix=f"use one of {allowed} (GeoPackage, GeoJSON, zipped Shapefile, CSV, Excel)",
            zh=(f"不支持的文件类型 {suffix or '（无扩展名）'!r}",
                f"请使用以下类型之一：{allowed}（GeoPackage、GeoJSON、压缩的 Shapefile、CSV、"
                "Excel）"))
    if found not in _EXPECTED_CONTENT[fmt]:
        raise DataImportError(
            f"the content is {CONTENT_LABELS[found]}, which does not match the extension "
            f"{suffix}", file=p.name,
            fix="check that you picked the right file; save it again in the format its name says",
            zh=(f"文件内容是{CONTENT_LABELS_ZH[found]}，与扩展名 {suffix} 不符",
                "请确认选对了文件，并按文件名所示的格式重新保存"))
    return p, fmt


#: Leading bytes ("magic numbers") of the binary formats :func:`sniff` recognises.
_MAGIC = ((b"SQLite format 3\x00", "sqlite"), (b"PK\x03\x04", "zip"), (b"PK\x05\x06", "zip"),
          (b"\x00\x00\x27\x0a", "shp"), (b"\xd0\xcf\x11\xe0", "ole"),
          (b"\xff\xfe", "text"), (b"\xfe\xff", "text"), (b"%PDF", "pdf"))


def sniff(head: bytes) -> str:
    """Name the kind of content a file holds from its first bytes.

    Parameters
    ----------
    head : bytes
        The first bytes of the file (:func:`check_file` reads 4 KiB).

    Returns
    -------
    str
        A key of :data:`CONTENT_LABELS`: "sqlite", "zip", "shp", "ole", "pdf", "xml",
        "json", "binary", "empty" or "text" (UTF-16 with a byte-order mark is text).
    """
    if not head:
        return "empty"
    magic = next((kind for prefix, kind in _MAGIC if head.startswith(prefix)), None)
    return magic if magic is not None else _sniff_text(head)


def _sniff_text(head: bytes) -> str:
    """Return "xml", "json", "binary" or "text" for content without a known magic number."""
    stripped = head.removeprefix(b"\xef\xbb\xbf").lstrip()
    if stripped[:1] == b"<":
        return "xml"
    if stripped[:1] in (b"{", b"["):
        return "json"
    return "binary" if b"\x00" in head else "text"


def check_zip(p: Path, *, max_unzipped_bytes: int, max_ratio: float) -> None:
    """Refuse zip archives with traversal entries, encryption, or bomb-like sizes."""
    try:
        with zipfile.ZipFile(p) as zf:
            infos = zf.infolist()
    except zipfile.BadZipFile as exc:
        raise DataImportError(
            f"is not a readable zip archive ({exc})", file=p.name,
            fix="create the archive again (e.g. 右键 → 发送到 → 压缩文件夹)",
            zh=(f"不是可读取的 zip 压缩包（{exc}）",
                "请重新压缩（如 右键 → 发送到 → 压缩文件夹）")) from exc
    if len(infos) > _MAX_ZIP_ENTRIES:
        raise DataImportError(f"the archive holds {len(infos)} entries", file=p.name,
                              fix="zip only the files of the layer",
                              zh=(f"压缩包内有 {len(infos)} 个条目，数量过多",
                                  "请只压缩该图层的文件"))
    total = 0
    for info in infos:
        name = info.filename.replace("\\", "/")
        if name.startswith("/") or re.match(r"^[A-Za-z]:", name) or ".." in name.split("/"):
            raise DataImportError(
                "entry points outside the archive (absolute path or '..': zip slip)",
                file=p.name, feature=info.filename,
                fix="zip the files again from their folder, without absolute paths or '..'",
                zh=("条目指向压缩包以外的位置（绝对路径或“..”，即 zip slip）",
                    "请在文件所在文件夹中重新压缩，不要带绝对路径或“..”"))
        if info.flag_bits & 0x1:
            raise DataImportError("entry is encrypted", file=p.name, feature=info.filename,
                                  fix="zip the files again without a password",
                                  zh=("条目已加密", "请不设密码重新压缩"))
        total += info.file_size
        if info.file_size >= _RATIO_MIN_BYTES and \
                info.file_size > max_ratio * max(info.compress_size, 1):
            raise DataImportError(
                f"entry expands {info.file_size / max(info.compress_size, 1):.0f} times "
                f"(limit {max_ratio:g}): a zip bomb", file=p.name, feature=info.filename,
                fix="zip the real data files again; this archive is refused for safety",
                zh=(f"条目解压后膨胀 {info.file_size / max(info.compress_size, 1):.0f} 倍"
                    f"（上限 {max_ratio:g} 倍），疑为 zip 炸弹",
                    "请重新压缩真实的数据文件；出于安全考虑，此压缩包不予读取"))
    if total > max_unzipped_bytes:
        raise DataImportError(
            f"expands to {total / 1e6:.1f} MB, above the limit of {max_unzipped_bytes / 1e6:.1f} MB"
            " (zip bomb guard)", file=p.name,
            fix="split the data, or pass a larger max_unzipped_bytes if you trust the file",
            zh=(f"解压后共 {total / 1e6:.1f} MB，超过上限 {max_unzipped_bytes / 1e6:.1f} MB"
                "（防 zip 炸弹）",
                "请拆分数据，确认文件可信时也可调大 max_unzipped_bytes"))


def _copy_entry(zf: zipfile.ZipFile, info: zipfile.ZipInfo, dst: Path, *, budget: int,
                file: str) -> int:
    written = 0
    try:
        with zf.open(info) as src, dst.open("wb") as out:
            while chunk := src.read(1 << 20):
                written += len(chunk)
                if written > info.file_size or written > budget:
                    raise DataImportError(
                        "entry expands beyond its declared size or the limit (zip bomb guard)",
                        file=file, feature=info.filename, fix="zip the real data files again",
                        zh=("条目解压后超过其声明大小或上限（防 zip 炸弹）",
                            "请重新压缩真实的数据文件"))
                out.write(chunk)
    except (zipfile.BadZipFile, NotImplementedError, EOFError) as exc:
        raise DataImportError(f"entry cannot be extracted ({exc})", file=file,
                              feature=info.filename, fix="create the archive again",
                              zh=(f"条目无法解压（{exc}）", "请重新压缩")) from exc
    return written


def _extract_shapefile(p: Path, tmp: Path, *, layer: str | None, max_unzipped_bytes: int
                       ) -> tuple[Path, str]:
    """Copy the parts of the one Shapefile in ``p`` to ``tmp`` under safe names."""
    with zipfile.ZipFile(p) as zf:
        infos = [i for i in zf.infolist() if not i.is_dir()
                 and not i.filename.startswith("__MACOSX/")
                 and not PurePosixPath(i.filename.replace("\\", "/")).name.startswith("._")]
        shps = [i for i in infos if i.filename.lower().endswith(".shp")]
        if layer:
            shps = [i for i in shps if layer in (i.filename, PurePosixPath(i.filename).name,
                                                 PurePosixPath(i.filename).stem)]
        if not shps:
            listed = ", ".join(i.filename for i in infos[:8]) or "nothing"
            raise DataImportError(
                f"the archive holds no .shp{' named ' + repr(layer) if layer else ''} "
                f"(it holds {listed})", file=p.name,
                fix="zip the .shp with its .shx, .dbf and .prj, or give a GeoPackage",
                zh=(f"压缩包中没有{'名为 ' + repr(layer) + ' 的' if layer else ''} .shp 文件"
                    f"（包内文件：{'、'.join(i.filename for i in infos[:8]) or '无'}）",
                    "请把 .shp 与 .shx、.dbf、.prj 一起压缩，或改用 GeoPackage"))
        if len(shps) > 1:
            names = ", ".join(i.filename for i in shps)
            raise DataImportError(
                f"the archive holds several Shapefiles ({names})", file=p.name,
                fix="say which one with layer='<name>.shp', or zip one layer per archive",
                zh=(f"压缩包中有多个 Shapefile（{'、'.join(i.filename for i in shps)}）",
                    "请用 layer='<名称>.shp' 指定其中之一，或每个压缩包只放一个图层"))
        shp = shps[0]
        stem = shp.filename[:-4]
        parts = {i.filename[-4:].lower(): i for i in infos
                 if len(i.filename) == len(shp.filename)
                 and i.filename[:-4].lower() == stem.lower()}
        missing = [ext for ext in (".shx", ".dbf") if ext not in parts]
        if missing:
            raise DataImportError(
                f"the Shapefile {shp.filename} lacks its {' and '.join(missing)} file",
                file=p.name, fix="zip all parts of the Shapefile (.shp, .shx, .dbf, .prj)",
                zh=(f"Shapefile {shp.filename} 缺少 {'、'.join(missing)} 文件",
                    "请把 Shapefile 的各个组成文件（.shp、.shx、.dbf、.prj）一起压缩"))
        budget = max_unzipped_bytes
        for ext, info in parts.items():
            if ext in (".shp", ".shx", ".dbf", ".prj", ".cpg"):
                budget -= _copy_entry(zf, info, tmp / f"layer{ext}", budget=budget, file=p.name)
    return tmp / "layer.shp", shp.filename


_DBF_VERSIONS = frozenset({0x02, 0x03, 0x30, 0x31, 0x32, 0x43, 0x63, 0x83, 0x8B, 0xCB, 0xE5,
                           0xF5, 0xFB})


def _check_shapefile_parts(shp: Path, *, source: str, label: str = "") -> None:
    """Refuse fake or damaged Shapefile parts.

    Each part must be what its name says (.shp/.shx geometry, .dbf a dBase table, never XML),
    and the parts must be complete and agree (see :func:`_check_shapefile_records`). ``label``
    is the ``.shp`` as the user knows it (its name inside the zip), for messages.
    """
    _check_part_kinds(shp, source=source)
    _check_shapefile_records(shp, source=source, label=label or shp.name)


def _check_part_kinds(shp: Path, *, source: str) -> None:
    """Refuse Shapefile parts that are not: .shp/.shx geometry, .dbf a dBase table (no XML)."""
    for q in shp.parent.iterdir():
        if q.stem != shp.stem or q.suffix.lower() not in (".shp", ".shx", ".dbf"):
            continue
        with q.open("rb") as fh:
            head = fh.read(4)
        if q.suffix.lower() == ".dbf":
            ok = len(head) > 0 and head[0] in _DBF_VERSIONS
        else:
            ok = head == b"\x00\x00\x27\x0a"
        if not ok:
            raise DataImportError(
                f"the part {q.suffix.lower()} is not a Shapefile part (it holds "
                f"{CONTENT_LABELS[sniff(head)]})", file=source,
                fix="export the layer again from QGIS or ArcGIS as Shapefile, or as GeoPackage",
                zh=(f"{q.suffix.lower()} 不是 Shapefile 的组成文件（其内容是"
                    f"{CONTENT_LABELS_ZH[sniff(head)]}）",
                    "请在 QGIS 或 ArcGIS 中重新导出为 Shapefile，或导出为 GeoPackage"))


_SHP_HEADER_BYTES = 100
_DAMAGED_FIX = ("在 QGIS 或 ArcGIS 中重新导出该图层（或导出为 GeoPackage），再把 .shp、.shx、.dbf、"
                ".prj 一起重新压缩后导入；文件是复制或下载来的，请确认复制/下载已完整完成")


def _damaged(label: str, ext: str, problem: str, *, source: str) -> DataImportError:
    """Return the refusal of a damaged (truncated or inconsistent) Shapefile part."""
    part = f"{label[:-4]}{ext}" if label.lower().endswith(".shp") else f"{label}{ext}"
    text = f"Shapefile 已损坏（不完整）：{problem}"
    return DataImportError(text, file=source, feature=part, fix=_DAMAGED_FIX,
                           zh=(text, _DAMAGED_FIX))


def _shx_ends(shx: Path, *, label: str, source: str) -> np.ndarray:
    """Return the byte where each record of the .shx index says its shape ends in the .shp.

    -1 marks a record whose offset points into the .shp file header (a damaged index).
    """
    data = shx.read_bytes()
    rest = (len(data) - _SHP_HEADER_BYTES) % 8
    if len(data) < _SHP_HEADER_BYTES or rest or int.from_bytes(data[24:28], "big") * 2 > len(data):
        raise _damaged(label, ".shx", f"索引文件 .shx 的长度（{len(data)} 字节）与其文件头不符，"
                                      "文件被截断或已损坏", source=source)
    records = np.frombuffer(data, dtype=">i4", offset=_SHP_HEADER_BYTES).reshape(-1, 2)
    offsets, lengths = records[:, 0].astype(np.int64), records[:, 1].astype(np.int64)
    return np.where(offsets >= _SHP_HEADER_BYTES // 2, (offsets + lengths) * 2 + 8, -1)


def _dbf_records(dbf: Path) -> tuple[int, int]:
    """Return (records the .dbf header declares, records its size holds)."""
    with dbf.open("rb") as fh:
        head = fh.read(12)
    if len(head) < 12:
        return 0, -1
    declared = int.from_bytes(head[4:8], "little")
    header_len, record_len = (int.from_bytes(head[8:10], "little"),
                              int.from_bytes(head[10:12], "little"))
    held = (dbf.stat().st_size - header_len) // record_len if record_len else 0
    return declared, held


def _check_shp_length(shp: Path, size: int, *, label: str, source: str) -> None:
    """Refuse a .shp shorter than the length its header declares (a file cut short)."""
    with shp.open("rb") as fh:
        declared = int.from_bytes(fh.read(28)[24:28], "big") * 2
    if size < max(declared, _SHP_HEADER_BYTES):
        raise _damaged(label, ".shp", f"图形文件 .shp 只有 {size} 字节，其文件头记录的长度为 "
                                      f"{declared} 字节，文件被截断", source=source)


def _check_shapefile_records(shp: Path, *, source: str, label: str) -> None:
    """Refuse a Shapefile whose .shp is cut short or whose .shx and .dbf disagree with it.

    A .shp cut in the middle (an interrupted copy or upload) would otherwise import its first
    shapes and report the others as having no geometry.
    """
    parts = {q.suffix.lower(): q for q in shp.parent.iterdir() if q.stem == shp.stem}
    size = shp.stat().st_size
    shx = parts.get(".shx")
    if shx is None:  # no index to check the shapes against: the .shp header's own length
        _check_shp_length(shp, size, label=label, source=source)
        ends = np.empty(0, dtype=np.int64)
    else:
        ends = _shx_ends(shx, label=label, source=source)
    missing = np.flatnonzero((ends < 0) | (ends > size))
    if missing.size:
        lost = f"{missing.size} 个（从第 {missing[0] + 1} 个起）"
        raise _damaged(label, ".shp", f"图形文件 .shp 只有 {size} 字节，索引 .shx 所列 {len(ends)} "
                                      f"个要素中有 {lost}的图形不在 .shp 中，文件被截断",
                       source=source)
    dbf = parts.get(".dbf")
    if dbf is None:
        return
    n_dbf, held = _dbf_records(dbf)
    if held < n_dbf:
        raise _damaged(label, ".dbf", f"属性表 .dbf 声明 {n_dbf} 条记录，但文件只装得下 "
                                      f"{max(held, 0)} 条，文件被截断", source=source)
    if shx is not None and n_dbf != len(ends):
        raise _damaged(label, ".dbf", f"属性表 .dbf 有 {n_dbf} 条记录，索引 .shx 有 {len(ends)} 个"
                                      "要素，两者不一致（各部分不是同一次导出的）", source=source)


@dataclass(frozen=True)
class SafeSource:
    """A user's file that passed every check, ready for one reader.

    Attributes
    ----------
    path : Path
        The file a reader may open (for a zipped Shapefile: the ``.shp`` extracted to a
        temporary folder, valid only inside the ``with`` block of :func:`open_safely`).
    format : {"gpkg", "geojson", "shapefile", "csv", "xlsx"}
    source : str
        The user's file name, for messages and reports.
    layer_label : str
        The ``.shp`` inside a zip (its name in the archive), or "".
    """

    path: Path
    format: str
    source: str
    layer_label: str = ""


@contextmanager
def open_safely(
    path: str | os.PathLike[str],
    *,
    formats: Collection[str] | None = None,
    layer: str | None = None,
    max_bytes: int = MAX_BYTES,
    max_unzipped_bytes: int = MAX_UNZIPPED_BYTES,
    max_ratio: float = MAX_RATIO,
) -> Iterator[SafeSource]:
    """Check a user's file and yield the path a reader may open.

    Parameters
    ----------
    path : path-like
        The user's file: ``.gpkg``, ``.geojson``/``.json``, ``.zip`` (one Shapefile), ``.shp``,
        ``.csv``/``.txt`` or ``.xlsx``.
    formats : collection of str, keyword-only
        Formats the caller reads (keys of :data:`FORMATS` values: "gpkg", "geojson", "zip",
        "shp", "csv", "xlsx"); default all.
    layer : str, keyword-only
        The ``.shp`` inside a zip holding several.
    max_bytes, max_unzipped_bytes, max_ratio : keyword-only
        File size, total uncompressed size of a zip, and compression ratio limits. Inside
        :func:`local_file_limit` the default size limits give way to the one stated there.

    Yields
    ------
    SafeSource

    Raises
    ------
    DataImportError
        For special paths, missing, oversize, VRT, mislabelled or unsupported files, unsafe
        zips and fake Shapefile parts — before any reader opens the file.
    """
    max_unzipped_bytes = _unzipped_in_force(max_unzipped_bytes)
    p, fmt = check_file(path, max_bytes=max_bytes, formats=formats)
    if fmt in ("xlsx", "zip"):
        check_zip(p, max_unzipped_bytes=max_unzipped_bytes, max_ratio=max_ratio)
    if fmt == "zip":
        with tempfile.TemporaryDirectory(prefix="upload-") as tmp:
            shp, inner = _extract_shapefile(p, Path(tmp), layer=layer,
                                            max_unzipped_bytes=max_unzipped_bytes)
            _check_shapefile_parts(shp, source=p.name, label=inner)
            yield SafeSource(shp, "shapefile", p.name, inner)
        return
    if fmt == "shp":
        _check_shapefile_parts(p, source=p.name, label=p.name)
        yield SafeSource(p, "shapefile", p.name, p.name)
        return
    yield SafeSource(p, fmt, p.name)
