"""Which raster the official works with (the sample's built-up share or an upload), stored once
per content, and the built-up evidence the 低效用地 page applies.

An uploaded GeoTIFF is written once under its content hash (``rasters/<sha256>.tif`` in the
work folder), so the cached statistics are keyed by what the file holds, several sessions share
one copy, and a rerun writes nothing. Every open goes through :mod:`geo.raster.safe`.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import streamlit as st
from rasterio.errors import RasterioError

from app_pages.import_choices import md_text, shown
from app_pages.workspace_state import work_dir
from geo._errors import user_message
from geo.io.atomic import write_bytes_atomic
from geo.labels import RASTER_SOURCE_LABELS
from geo.landuse.lowland import percent_text
from geo.landuse.model import is_sample_label
from geo.landuse.pipeline import SAMPLE_DIR

__all__ = ["SAMPLE_RASTER", "EVIDENCE", "RASTER_FAULTS", "RasterChoice", "check_evidence",
           "choose_raster", "choose_polygons", "evidence_of", "evidence_analysis",
           "problem_text"]

#: What reading a user's raster may raise: located errors (refusals that name the fix), and
#: GDAL's own (a damaged file), the file system's, or a grid too big for memory.
RASTER_FAULTS = (ValueError, OSError, MemoryError, RasterioError)


def problem_text(err: BaseException, names: dict[str, str]) -> str:
    """What the official reads for ``err``: a located error's message (stored file names shown
    as the uploads' own), else a plain sentence — never a server path or a traceback."""
    if isinstance(err, MemoryError):
        return "栅格过大，无法在本机处理：请裁剪到所需范围，或降低分辨率后再上传。"
    if isinstance(err, ValueError) and hasattr(err, "describe"):
        return md_text(str(shown(user_message(err), names)))
    return ("栅格文件无法读取（文件可能已损坏或不完整）：请用 GIS 软件检查后重新导出为 GeoTIFF。"
            if isinstance(err, (OSError, RasterioError)) else
            "栅格无法用于本次计算：请检查其坐标系、范围与数值。")

#: The sample's built-up-share raster (示例数据, written by scripts/make_sample_data.py).
SAMPLE_RASTER = SAMPLE_DIR / "builtup_share.tif"
#: Session-state key of the built-up evidence in use: (path, unit, sha) or absent.
EVIDENCE = "built_evidence"
#: Session-state key of the uploads already stored: (file_id, suffix) → (path, sha256).
_STORED = "_raster_uploads_stored"


@dataclass(frozen=True)
class RasterChoice:
    """A raster chosen on the page: where it is, what it is called, its content key."""

    path: Path
    shown_name: str
    key: str
    is_sample: bool


def _stored_upload(upload, suffix: str = ".tif") -> tuple[Path, str]:
    """Store an upload once: its path and hash are kept in the session by the upload's
    ``file_id``, so a rerun neither re-hashes nor re-writes a 200 MB raster."""
    memo = st.session_state.setdefault(_STORED, {})
    done = memo.get((upload.file_id, suffix))
    if done is None or not done[0].exists():
        done = memo[(upload.file_id, suffix)] = _stored(upload.getvalue(), suffix)
    return done


def _stored(data: bytes, suffix: str = ".tif") -> tuple[Path, str]:
    sha = hashlib.sha256(data).hexdigest()
    path = work_dir() / "rasters" / f"{sha}{suffix}"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        write_bytes_atomic(path, data)
    return path, sha


def choose_raster(key: str) -> RasterChoice | None:
    """Draw the choice (sample or upload) and return the raster, or None until one is given."""
    options = ["sample", "upload"]
    source = st.radio("栅格来源", options, format_func=RASTER_SOURCE_LABELS.get, horizontal=True,
                      key=f"{key}_source")
    if source == "sample":
        return RasterChoice(SAMPLE_RASTER, "示例建成比例栅格", "sample", True)
    upload = st.file_uploader(
        "GeoTIFF（.tif/.tiff；需带坐标系，如 CGCS2000 / EPSG:4549 或经纬度 EPSG:4326）",
        type=["tif", "tiff"], key=f"{key}_upload")
    if upload is None:
        st.info("请上传一幅 GeoTIFF，如土地利用/覆盖、建筑密度、建成比例或夜间灯光栅格。")
        return None
    path, sha = _stored_upload(upload)
    return RasterChoice(path, upload.name, sha, False)


def choose_polygons(key: str) -> tuple[Path, str] | None:
    """Draw the polygon-layer upload; return its stored path and own name, or None."""
    upload = st.file_uploader("面图层（GeoPackage、GeoJSON 或 zip 打包的 Shapefile）",
                              type=["gpkg", "geojson", "json", "zip"], key=f"{key}_polygons")
    if upload is None:
        st.info("请上传要统计的面图层，如片区、规划单元或自绘范围；编号取 id/编号 字段，"
                "没有时按行号。")
        return None
    suffix = Path(upload.name).suffix.lower() or ".gpkg"
    path, _sha = _stored_upload(upload, suffix if suffix != ".json" else ".geojson")
    return path, upload.name


def evidence_of() -> tuple[str, str, str, str, str] | None:
    """The built-up evidence chosen on 栅格分析: (path, unit, content key, shown name, the
    analysis key it was chosen for)."""
    value = st.session_state.get(EVIDENCE)
    return tuple(value) if value else None  # type: ignore[return-value]


@st.cache_resource(show_spinner="正在按建成比例栅格复核低效用地…", max_entries=8)
def _with_evidence(key: str, unit: str, path: str, name: str, _analysis):
    """The analysis of ``key`` judged again with the raster at ``path`` (content-named),
    known to the official as ``name``."""
    from geo.raster.evidence import built_share_of_parcels, with_built_share

    return with_built_share(_analysis, built_share_of_parcels(path, _analysis.parcels,
                                                              unit=unit, name=name))


def check_evidence(analysis, analysis_key: str, path: str, unit: str, name: str) -> None:
    """Judge ``analysis`` with the raster now (cached), raising what it would raise later."""
    _with_evidence(analysis_key, unit, path, name, analysis)


def evidence_analysis(analysis, analysis_key: str):
    """``analysis`` judged again with the built-up evidence in use, or as it is.

    Returns (analysis, message): the message says what was applied or why it was not
    (synthetic evidence is never applied to real data).
    """
    chosen = evidence_of()
    if chosen is None:
        return analysis, ""
    path, unit, raster_key, shown_name, chosen_for = chosen
    if chosen_for != analysis_key:
        return analysis, (f"建成比例栅格“{shown_name}”是为另一份数据选择的，未用于当前数据；"
                          "如适用，请在“栅格分析”页重新选择。")
    if raster_key == "sample" and not is_sample_label(analysis.data_label):
        return analysis, ("示例建成比例栅格是合成数据，不用于真实数据的低效认定；"
                          "请在“栅格分析”页上传与本数据对应的建成比例栅格。")
    if analysis.profile.lowland.built_share_below is None:
        return analysis, "评价方案未设置 built_share_below：未按建成比例认定。"
    try:
        judged = _with_evidence(analysis_key, unit, path, shown_name, analysis)
    except RASTER_FAULTS as err:  # e.g. the dataset changed and the raster no longer fits
        st.session_state.pop(EVIDENCE, None)
        return analysis, ("建成比例栅格未能用于本数据，已停止使用：" + problem_text(
            err, {path: shown_name, Path(path).name: shown_name}))
    return (judged, f"已按建成比例栅格“{shown_name}”复核（阈值 "
                    f"{percent_text(analysis.profile.lowland.built_share_below)}）。")


def judged_analysis():
    """(the analysis in use judged with the built-up evidence in use, its cache key, the note).

    Every 亩均 page shows the same 低效用地: the key carries the evidence, so a view cached
    without it is never shown with it.
    """
    from app_pages.analysis_state import analysis_key, current_analysis

    analysis, note = evidence_analysis(current_analysis(), analysis_key())
    return analysis, judged_key(analysis), note


def judged_key(analysis) -> str:
    """The cache key of ``analysis`` as judged: the data's key and, when built-up evidence was
    applied, the raster's content key and unit (two rasters of one name are two analyses)."""
    from app_pages.analysis_state import analysis_key

    evidence = analysis.evidence
    chosen = evidence_of() if evidence else None
    if chosen is not None:
        evidence = f"{evidence}|{chosen[2]}|{chosen[1]}"
    return f"{analysis_key()}|{evidence}"
