"""Command line: ``python -m geo catalog|import-boundaries|evaluate|lowland|surface|zonal|report``.

Bad arguments and bad data end with one line on stderr and exit code 2. Refusals of the files
given — an output that would overwrite an input or the catalogue, a GeoPackage layer or Excel
sheet to be named (``--layer``, ``--sheet`` …), a file whose rows were all rejected (its
validation report is still written beside ``--out``) — are in Chinese, or English with
``--lang en``.
"""

from __future__ import annotations

import argparse
import errno
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from geo._errors import ExportError
from geo.export import FORMATS, export_layer
from geo.io.atomic import write_bytes_atomic
from geo.labels import (
    BELT_COLUMNS,
    CLUSTER_COLUMNS,
    COLUMNS,
    FILTER_NOTE_KEYS,
    IMPORT_CHOICES_NOTE,
    INDICATOR_COLUMNS,
    LEVEL_LABELS,
    PLATFORM_COLUMNS,
    REPORT_COLUMNS_EN,
)
from geo.zones.boundaries import IMPORTABLE_LEVELS, import_boundaries, write_layer_atomic
from geo.zones.catalog import (
    BELTS,
    DATA_DIR,
    LEVEL_FILES,
    export_notes,
    load_catalog,
    load_layer,
)
from geo.zones.plans import with_titles

if TYPE_CHECKING:

    from geo.landuse.pipeline import Analysis, Inputs

__all__ = ["main"]

_CLI_LEVELS = ("zone", "subzone", "town", "branch", "base")
#: The plans' further tables: belts and platforms (with geometry where located), clusters and
#: indicator tables (tables only: CSV or Excel).
_PLAN_LEVELS = ("belt", "platform", "cluster", "indicator")


#: Default of ``--max-size`` (MB): a file on the official's own disk may be far larger than
#: the web upload limit (200 MB, :data:`geo.io.safefile.MAX_BYTES`), which protects the server.
DEFAULT_MAX_SIZE_MB = 4096


def _megabytes(text: str) -> float:
    """Parse ``--max-size``: a number of MB above 0."""
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not value > 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(
            f"--max-size {text!r} 不是有效的大小：请给出大于 0 的 MB 数（如 8192） / "
            "give a number of MB above 0")
    return value


def _add_max_size(cmd: argparse.ArgumentParser) -> None:
    """Add ``--max-size``: the largest input file the command reads, in MB."""
    cmd.add_argument("--max-size", type=_megabytes, default=DEFAULT_MAX_SIZE_MB, metavar="MB",
                     help=f"largest input file to read, in MB (default {DEFAULT_MAX_SIZE_MB}; "
                          "the web app's upload limit of 200 MB protects the server, a file on "
                          "your own disk may be larger). Zip-bomb, zip-slip and content checks "
                          "still apply")


class _Parser(argparse.ArgumentParser):
    """argparse that reports a usage fault in one line and exits 2."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def _build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="python -m geo", description="宁波工业空间目录：导出与边界导入")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    cat = sub.add_parser("catalog", help="export a catalogue level (filtered) to a file")
    cat.add_argument("--level", required=True, choices=_CLI_LEVELS + _PLAN_LEVELS)
    cat.add_argument("--industry", action="append", default=[],
                     help="canonical tag (e.g. 汽车) or free phrase (e.g. 膜材料); repeatable")
    cat.add_argument("--belt", choices=BELTS)
    cat.add_argument("--district", help="e.g. 北仑区")
    cat.add_argument("--name", help="substring of the name")
    cat.add_argument("--out", required=True, help="output path ending in "
                     + ", ".join(FORMATS))
    cat.add_argument("--lang", choices=("zh", "en"), default="zh")
    cat.add_argument("--data-dir", type=Path, default=None, help=argparse.SUPPRESS)

    imp = sub.add_parser("import-boundaries",
                         help="replace schematic geometry by official boundaries")
    imp.add_argument("--level", required=True, choices=IMPORTABLE_LEVELS)
    imp.add_argument("--file", required=True, type=Path,
                     help="GeoPackage, Shapefile (.shp or .zip) or GeoJSON")
    imp.add_argument("--layer", help="layer name inside a GeoPackage")
    imp.add_argument("--id-field", help="field holding our ids (e.g. Z07)")
    imp.add_argument("--name-field", help="field holding exact names")
    imp.add_argument("--gcj02", action="store_true",
                     help="the file's lon/lat are GCJ-02 (高德); convert to WGS84")
    imp.add_argument("--out", type=Path,
                     help="write the updated layer here (default: replace it in the data folder)")
    imp.add_argument("--lang", choices=("zh", "en"), default="zh",
                     help="language of the messages")
    _add_max_size(imp)
    imp.add_argument("--data-dir", type=Path, default=None, help=argparse.SUPPRESS)

    for name, helptext in (("evaluate", "亩均效益 figures and A/B/C/D classes by level"),
                           ("lowland", "low-efficiency parcels with their reasons")):
        cmd = sub.add_parser(name, help=helptext)
        cmd.add_argument("--parcels", type=Path,
                         help="parcels: GeoPackage, GeoJSON, zipped Shapefile, CSV or Excel"
                              + (" (optional for evaluate when --enterprises is given)"
                                 if name == "evaluate" else " (required)"))
        cmd.add_argument("--enterprises", type=Path, help="enterprises: CSV, Excel or GeoPackage"
                         + (" (alone: each enterprise rests on its own 用地面积)"
                            if name == "evaluate" else ""))
        cmd.add_argument("--layer", help="layer of the parcels GeoPackage (or .shp in the zip)")
        cmd.add_argument("--enterprise-layer", help="layer of the enterprises GeoPackage")
        cmd.add_argument("--sheet", help="sheet of the parcels Excel file (default: the first)")
        cmd.add_argument("--enterprise-sheet",
                         help="sheet of the enterprises Excel file (default: the first)")
        cmd.add_argument("--profile", type=Path,
                         help="scoring profile (TOML); default data/profiles/default.toml")
        if name == "evaluate":
            cmd.add_argument("--level", required=True,
                             choices=("enterprise", "subzone", "zone", "district", "belt", "city"),
                             help="enterprise = the evaluation list (scores and A/B/C/D classes)")
        cmd.add_argument("--gcj02", action="store_true",
                         help="coordinates in the files are GCJ-02 (高德); convert to WGS84")
        cmd.add_argument("--map", action="append", default=[], metavar="表头=FIELD[:UNIT]",
                         help="map a parcel-file header to a field and unit, e.g. "
                              "'用地面积=land_area_m2:亩' (repeatable; '表头=' ignores a column)")
        cmd.add_argument("--enterprise-map", action="append", default=[],
                         metavar="表头=FIELD[:UNIT]",
                         help="the same for the enterprise file, e.g. '税收=tax_wan:元'")
        cmd.add_argument("--accept", action="append", default=[],
                         choices=("area_mismatch", "make_valid"),
                         help="after checking them: keep parcels whose stated area is far from "
                              "their polygon (area_mismatch), or repair invalid polygons with "
                              "make_valid, instead of setting them aside")
        cmd.add_argument("--townships", type=Path, metavar="FILE",
                         help="CSV/Excel of 乡镇（街道） and 区县（市）: enterprises placed no "
                              "other way count in the district of their 乡镇（街道）")
        cmd.add_argument("--year", type=int,
                         help="data year to analyse when the files hold several (default: latest)")
        cmd.add_argument("--out", required=True, help="output path ending in "
                         + ", ".join(FORMATS))
        cmd.add_argument("--lang", choices=("zh", "en"), default="zh")
        _add_max_size(cmd)
        cmd.add_argument("--data-dir", type=Path, default=None, help=argparse.SUPPRESS)
    _add_raster_commands(sub)
    _add_report_command(sub)
    return parser


class _Refusal(Exception):
    """A refusal whose one-line message is already in the user's language."""


def _say(lang: str, zh: str, en: str) -> str:
    return en if lang == "en" else zh


#: What a failed file operation means, by errno, as the Chinese message says it.
_OS_PROBLEMS_ZH = {errno.ENOENT: "文件或文件夹不存在", errno.EACCES: "没有访问权限",
                   errno.EPERM: "没有操作权限", errno.EISDIR: "这是文件夹，不是文件",
                   errno.ENOTDIR: "路径中有一段不是文件夹", errno.ENOSPC: "磁盘空间不足",
                   errno.EROFS: "文件系统为只读", errno.EEXIST: "文件已存在"}


def _os_message(exc: OSError, lang: str) -> str:
    """Return a failed file operation as one line in ``lang`` (the file named, no traceback)."""
    if lang == "en":
        return str(exc) or type(exc).__name__
    where = f"文件 {exc.filename}：" if exc.filename else ""
    problem = _OS_PROBLEMS_ZH.get(exc.errno or 0, f"读写文件失败（错误码 {exc.errno}）"
                                  if exc.errno else "读写文件失败")
    return f"{where}{problem}。处理办法：请检查路径、权限和磁盘空间后重试"


def _same_file(a: Path, b: Path) -> bool:
    """Whether two spellings name one file (``..``, relative/absolute, symlinks, hard links)."""
    try:
        return a.resolve() == b.resolve() or (a.exists() and b.exists()
                                              and os.path.samefile(a, b))
    except (OSError, RuntimeError):  # a symlink loop names no input
        return False


def _inside(path: Path, folder: Path) -> bool:
    try:
        return folder.resolve() in path.resolve().parents
    except RuntimeError:  # a symlink loop: the writer reports it
        return False


def _refuse_overwrite(outputs: Sequence[tuple[str, Path]], inputs: Sequence[tuple[str, Path]],
                      lang: str) -> None:
    """Refuse, before anything is read or written, an output that is one of the inputs."""
    for what, out in outputs:
        for option, given in inputs:
            if _same_file(out, given):
                raise _Refusal(_say(
                    lang, f"{what} {out} 与输入文件 {given}（{option}）是同一个文件，写出会覆盖"
                          "输入。请用 --out 另选一个文件名",
                    f"{what} {out} is the input file {given} ({option}); writing it would "
                    "overwrite the input. Fix: choose another --out"))


def _refuse_catalogue_dir(out: Path, data_dir: Path | None, lang: str, *,
                          allowed: Path | None = None) -> None:
    """Refuse an output inside the catalogue folder (other than ``allowed``)."""
    folder = Path(data_dir or DATA_DIR)
    if _inside(out, folder) and not (allowed is not None and _same_file(out, allowed)):
        raise _Refusal(_say(
            lang, f"输出文件 {out} 位于目录数据文件夹 {folder} 中，写出会覆盖目录数据。"
                  "请用 --out 另选该文件夹以外的位置",
            f"output {out} lies in the catalogue folder {folder}; writing it would overwrite "
            "the catalogue. Fix: choose another --out outside that folder"))


def _check_format(out: str) -> Path:
    if Path(out).suffix.lower() not in FORMATS:
        raise ExportError(f"--out {out!r}: unknown format", field="--out",
                          fix="end the path in " + ", ".join(FORMATS),
                          zh=(f"--out {out!r}：无法识别的输出格式",
                              "输出路径请以 " + "、".join(FORMATS) + " 结尾"))
    folder = Path(out).parent
    if not folder.is_dir():  # said before the inputs are read, not after minutes of work
        raise ExportError("the output folder does not exist", file=out, field="--out",
                          fix=f"create {folder} first or choose another folder",
                          zh=("输出文件夹不存在", f"请先创建文件夹 {folder}，或另选输出文件夹"))
    return Path(out)


def _plan_table(level: str, args: argparse.Namespace) -> tuple[pd.DataFrame, list[str]]:
    """Return the plans' table of ``level`` (rows cited by title) and the documents' titles."""
    from geo.zones import platforms as plans_layers
    from geo.zones.plans import cite, document_title, load_indicators

    if level == "platform":
        from geo.zones.taxonomy import canonical_tags

        tags = tuple(i for i in args.industry if i in canonical_tags())
        phrases = [i for i in args.industry if i not in tags]
        table = plans_layers.filter_platforms(
            plans_layers.load_platforms(), industries=tags,
            phrase=phrases[0] if phrases else "", district=args.district or "",
            name=args.name or "")
        table["geometry_quality"] = table["geometry_quality"].fillna("unplaced")
    else:
        loaders: dict[str, Callable[[], pd.DataFrame]] = {
            "belt": plans_layers.load_belts, "cluster": plans_layers.load_clusters,
            "indicator": load_indicators}
        table = loaders[level]()
    table["source"] = [cite(s, int(n)) for s, n in zip(table["seed"], table["line"],
                                                       strict=True)]
    titles = sorted({document_title(s) for s in table["seed"]})
    if args.lang == "zh":  # the tables' own Chinese headers (the writer adds its own columns)
        headers = {"belt": BELT_COLUMNS, "platform": PLATFORM_COLUMNS, "cluster": CLUSTER_COLUMNS,
                   "indicator": INDICATOR_COLUMNS}[level]
        table = table.rename(columns={c: h for c, h in headers.items()
                                      if c not in ("geometry", "geometry_quality")})
    return table, titles


def _cmd_plan_level(args: argparse.Namespace) -> int:
    from geo.export import ExportNotes, table_bytes
    from geo.io.atomic import write_bytes_atomic

    out = _check_format(args.out)
    _refuse_catalogue_dir(out, args.data_dir, args.lang)
    table, titles = _plan_table(args.level, args)
    notes = ExportNotes(nature="规划文本逐字摘录（每行注明出处）", units="见各列",
                        sources="、".join(titles) or "（无）")
    if "geometry" in table.columns:
        written = export_layer(table, out, lang=args.lang, notes=notes)
    elif out.suffix.lower() in (".csv", ".xlsx"):
        write_bytes_atomic(out, table_bytes(table, out.suffix.lower()[1:], notes=notes,
                                            lang=args.lang))
        written = out
    else:
        raise _Refusal(_say(args.lang,
                            f"--level {args.level} 是没有图形的表格：请导出为 .csv 或 .xlsx",
                            f"--level {args.level} is a table without geometry: write .csv or "
                            ".xlsx"))
    print(_say(args.lang, f"已写出 {len(table)} 行：{written}",
               f"wrote {len(table)} rows to {written}"))
    return 0


def _cmd_catalog(args: argparse.Namespace) -> int:
    from geo.zones.selection import filter_layer

    if args.level in _PLAN_LEVELS:
        return _cmd_plan_level(args)
    _refuse_catalogue_dir(_check_format(args.out), args.data_dir, args.lang)
    layer = load_layer(args.level, data_dir=args.data_dir)
    selection = filter_layer(layer, industries=args.industry, belt=args.belt,
                             district=args.district, name=args.name)
    keys = FILTER_NOTE_KEYS
    notes = export_notes({keys["level"]: LEVEL_LABELS[args.level],
                          keys["industry"]: "、".join(args.industry) or "全部",
                          keys["belt"]: args.belt or "全部",
                          keys["district"]: args.district or "全部",
                          keys["name"]: args.name or ""})
    out = export_layer(with_titles(selection), args.out, lang=args.lang, notes=notes)
    print(_say(args.lang, f"已写出 {len(selection)} 个{LEVEL_LABELS[args.level]}：{out}",
               f"wrote {len(selection)} {args.level} rows to {out}"))
    return 0


def _cmd_import(args: argparse.Namespace) -> int:
    own = Path(args.data_dir or DATA_DIR) / LEVEL_FILES[args.level]
    target = args.out or own
    what = _say(args.lang, "输出文件", "output")
    _refuse_overwrite([(what, target)], [("--file", args.file)], args.lang)
    _refuse_catalogue_dir(target, args.data_dir, args.lang, allowed=own)
    catalog = load_catalog(data_dir=args.data_dir)
    updated, report = import_boundaries(
        catalog[args.level], args.file, level=args.level, layer=args.layer,
        id_field=args.id_field, name_field=args.name_field, gcj02=args.gcj02,
    )
    write_layer_atomic(updated, target, level=args.level)
    print(report.summary(args.lang))
    print(_say(args.lang, f"已写出：{target}", f"wrote {target}"))
    return 0


def _report_path(out: Path, lang: str) -> Path:
    return out.with_name(out.stem + ("_校验报告.csv" if lang == "zh" else "_validation_report.csv"))


def _write_report(report: pd.DataFrame, path: Path, lang: str) -> None:
    from geo.export import csv_bytes

    if lang == "en":
        report = report.rename(columns=REPORT_COLUMNS_EN)
    write_bytes_atomic(path, csv_bytes(report))


#: The option that names each part of an input file.
_PART_OPTIONS = {("parcel", "layer"): "--layer", ("enterprise", "layer"): "--enterprise-layer",
                 ("parcel", "sheet"): "--sheet", ("enterprise", "sheet"): "--enterprise-sheet"}


def _choices_text(args: argparse.Namespace) -> str:
    """Say the official's import choices (--map, --enterprise-map, --accept) for 说明."""
    from geo.landuse.pipeline import ImportChoices, parse_map

    return ImportChoices(parse_map(args.map), parse_map(args.enterprise_map),
                         tuple(args.accept)).describe() or "（无）"


def _efficiency_files(args: argparse.Namespace) -> None:
    """Refuse, before anything is read, a command without the files it needs."""
    if args.parcels is not None:
        return
    if args.command == "lowland":
        raise _Refusal(_say(
            args.lang, "lowland 认定低效用地需要宗地文件：请用 --parcels 给出宗地文件"
                       "（只有企业清单时，可用 evaluate --enterprises 做亩均效益评价）",
            "lowland needs the parcels: low-efficiency land is a set of parcels. Fix: give "
            "--parcels (an enterprise list alone can be evaluated with evaluate "
            "--enterprises)"))
    if args.enterprises is None:
        raise _Refusal(_say(
            args.lang, "未给出数据文件：请用 --enterprises 给出企业清单（亩均评价表）、"
                       "用 --parcels 给出宗地文件，或两者都给",
            "no data file given. Fix: give --enterprises (the evaluation list), --parcels, "
            "or both"))


def _efficiency_inputs(args: argparse.Namespace, report_path: Path) -> Inputs:
    """Import the files; a file without usable rows still gets its report beside --out."""
    from geo.landuse.pipeline import (
        ImportChoices,
        NoUsableRowsError,
        PartChoiceError,
        load_inputs,
        parse_map,
    )

    try:
        choices = ImportChoices(parse_map(args.map), parse_map(args.enterprise_map),
                                tuple(args.accept))
        return load_inputs(args.parcels, args.enterprises, gcj02=args.gcj02, year=args.year,
                           parcel_layer=args.layer, enterprise_layer=args.enterprise_layer,
                           parcel_sheet=args.sheet, enterprise_sheet=args.enterprise_sheet,
                           choices=choices)
    except PartChoiceError as exc:
        raise _Refusal(exc.describe(args.lang, _PART_OPTIONS[exc.kind, exc.part])) from exc
    except NoUsableRowsError as exc:
        _write_report(exc.report, report_path, args.lang)
        raise _Refusal(exc.describe(args.lang, str(report_path))) from exc


def _efficiency_table(args: argparse.Namespace, analysis: Analysis,
                      catalog: dict) -> tuple[pd.DataFrame, str, str]:
    """Return the table the command writes, what it holds (for the summary) and its view."""
    from geo.labels import UNIT_LEVELS as LEVEL_NAMES
    from geo.landuse.tables import enterprise_table, level_table, parcel_table

    if args.command == "evaluate" and args.level == "enterprise":
        table = enterprise_table(analysis)
        for col in ("placement", "placement_note"):  # how each enterprise is placed
            if col in analysis.enterprises:
                table[col] = analysis.enterprises[col].reindex(table.index)
        counts = table["class"].value_counts()
        classes = ", ".join(f"{c} {counts.get(c, 0)}" for c in "ABCD")
        return table, _say(args.lang, f"{len(table)} 家企业（{classes}）",
                           f"{len(table)} enterprises ({classes})"), "enterprises"
    if args.command == "evaluate":
        table = level_table(analysis, catalog, level=args.level)
        return table, _say(args.lang, f"{len(table)} 个{LEVEL_NAMES[args.level]}",
                           f"{len(table)} {LEVEL_NAMES[args.level]} rows"), "units"
    table = parcel_table(analysis)
    land = f"{table['land_mu'].sum():,.1f} 亩"
    return (table, _say(args.lang, f"{len(table)} 宗低效用地（{land}）",
                        f"{len(table)} low-efficiency parcels ({land})"), "parcels")


def _cmd_efficiency(args: argparse.Namespace) -> int:
    from geo.landuse.pipeline import PLACEMENTS, analyse
    from geo.landuse.scoring import load_profile
    from geo.landuse.townships import read_townships

    _efficiency_files(args)
    out = _check_format(args.out)
    report_path = _report_path(out, args.lang)
    inputs_given = [(option, Path(path)) for option, path in (
        ("--parcels", args.parcels), ("--enterprises", args.enterprises),
        ("--profile", args.profile), ("--townships", args.townships)) if path is not None]
    _refuse_overwrite([(_say(args.lang, "输出文件", "output"), out),
                       (_say(args.lang, "校验报告", "validation report"), report_path)],
                      inputs_given, args.lang)
    for path in (out, report_path):
        _refuse_catalogue_dir(path, args.data_dir, args.lang)
    profile = load_profile(args.profile)
    inputs = _efficiency_inputs(args, report_path)
    if args.command == "lowland" and not len(inputs.parcels):
        raise _Refusal(_say(
            args.lang, f"{args.parcels} 中没有宗地多边形（只有点位或没有图形）：低效用地按宗地图形"
                       "认定，无法判断。请提供宗地多边形文件（GeoPackage、GeoJSON 或 zip 打包的 "
                       "Shapefile）；只有点位时可用 evaluate 做亩均效益评价",
            f"{args.parcels} holds no parcel polygons (points only or no geometry): "
            "low-efficiency land is judged on parcel polygons. Fix: give the parcels as "
            "polygons (GeoPackage, GeoJSON or zipped Shapefile); points can be evaluated "
            "with evaluate"))
    catalog = load_catalog(data_dir=args.data_dir)
    townships = None if args.townships is None else read_townships(
        args.townships, catalog["district"]["name"].astype(str).tolist())
    analysis = analyse(inputs.parcels, inputs.enterprises, catalog, profile,
                       data_label=inputs.data_label, year=inputs.year, townships=townships)
    table, what, view = _efficiency_table(args, analysis, catalog)
    parts = (inputs.report, analysis.report,
             townships.report if townships is not None else inputs.report.iloc[:0])
    report = pd.concat([r for r in parts if len(r)] or [inputs.report], ignore_index=True)
    notes = analysis.export_notes(view, {
            COLUMNS["profile"]: f"{profile.name} ({profile.path})",
            "宗地文件": str(args.parcels or "（无）"),
            "企业文件": str(args.enterprises or "（无）"),
            "校验问题行数": str(len(report)),
            IMPORT_CHOICES_NOTE: _choices_text(args)})
    written = export_layer(table, out, lang=args.lang, notes=notes)
    _write_report(report, report_path, args.lang)
    lang = args.lang
    print(_say(lang, f"已写出 {what}：{written}", f"wrote {what} to {written}"))
    print(_say(lang, f"校验报告：{len(report)} 行，见 {report_path}",
               f"validation report: {len(report)} lines in {report_path}"))
    if "placement" in analysis.enterprises:
        placed = analysis.enterprises["placement"].value_counts()
        if placed.get(PLACEMENTS[3], 0):
            print(_say(lang, f"按乡镇（街道）归入区县：{placed[PLACEMENTS[3]]} 家企业"
                             "（只计入区县与全市汇总）",
                       f"placed by 乡镇（街道）: {placed[PLACEMENTS[3]]} enterprises (district "
                       "and city totals only)"))
        if placed.get(PLACEMENTS[-1], 0):
            print(_say(lang, f"未定位：{placed[PLACEMENTS[-1]]} 家企业（无宗地编号、坐标、"
                             "唯一的权利人匹配或可识别的乡镇）；仍列入评价清单并评级，"
                             "但只计入全市汇总",
                       f"not placed: {placed[PLACEMENTS[-1]]} enterprises (no parcel, coordinates, "
                       "unique 权利人 match or known 乡镇); listed and classed, but in no unit "
                       "below the city"))
    year = inputs.year
    print(_say(lang, f"数据：{inputs.data_label}" + (f"，{year} 年度" if year else ""),
               f"data: {inputs.data_label}" + (f", year {year}" if year else "")))
    return 0


# ---- rasters: python -m geo surface | zonal --------------------------------------------------

_TABLE_SUFFIXES = (".csv", ".xlsx")


def _add_parcel_options(cmd: argparse.ArgumentParser, *, enterprises: bool) -> None:
    """Add the options that read parcels (and enterprises) as evaluate/lowland read them."""
    cmd.add_argument("--parcels", type=Path,
                     help="parcels: GeoPackage, GeoJSON, zipped Shapefile, CSV or Excel")
    cmd.add_argument("--layer", help="layer of the parcels GeoPackage (or .shp in the zip)")
    cmd.add_argument("--sheet", help="sheet of the parcels Excel file (default: the first)")
    cmd.add_argument("--gcj02", action="store_true",
                     help="coordinates in the files are GCJ-02 (高德); convert to WGS84")
    cmd.add_argument("--map", action="append", default=[], metavar="表头=FIELD[:UNIT]",
                     help="map a parcel-file header to a field and unit (repeatable)")
    cmd.add_argument("--accept", action="append", default=[],
                     choices=("area_mismatch", "make_valid"),
                     help="keep parcels with these doubts instead of setting them aside")
    cmd.add_argument("--year", type=int,
                     help="data year to analyse when the files hold several (default: latest)")
    _add_max_size(cmd)
    if not enterprises:
        cmd.set_defaults(enterprises=None, enterprise_layer=None, enterprise_sheet=None,
                         enterprise_map=[], profile=None, townships=None)
        return
    cmd.add_argument("--enterprises", type=Path, help="enterprises: CSV, Excel or GeoPackage")
    cmd.add_argument("--enterprise-layer", help="layer of the enterprises GeoPackage")
    cmd.add_argument("--enterprise-sheet",
                     help="sheet of the enterprises Excel file (default: the first)")
    cmd.add_argument("--enterprise-map", action="append", default=[],
                     metavar="表头=FIELD[:UNIT]", help="the same for the enterprise file")
    cmd.add_argument("--profile", type=Path,
                     help="scoring profile (TOML); default data/profiles/default.toml")
    cmd.set_defaults(townships=None)


def _add_raster_commands(sub: argparse._SubParsersAction) -> None:
    surface = sub.add_parser("surface", help="a parcel figure as a raster surface (COG GeoTIFF)")
    _add_parcel_options(surface, enterprises=True)
    surface.add_argument("--metric", required=True,
                         choices=("tax_per_mu", "va_per_mu", "class", "low_efficiency"),
                         help="tax_per_mu 亩均税收, va_per_mu 亩均增加值 (万元/亩), class "
                              "(worst enterprise class on the parcel: A=1 … D=4, the class "
                              "covering most of a cell), low_efficiency (flagged share of the "
                              "covered land, 0–1)")
    surface.add_argument("--res", type=float, default=100.0,
                         help="cell size in metres (EPSG:4549 grid; default 100)")
    surface.add_argument("--out", required=True, help="output GeoTIFF (.tif)")
    surface.add_argument("--lang", choices=("zh", "en"), default="zh")
    surface.add_argument("--data-dir", type=Path, default=None, help=argparse.SUPPRESS)

    zonal = sub.add_parser("zonal", help="zonal statistics of a GeoTIFF by level")
    zonal.add_argument("--raster", required=True, type=Path, help="the GeoTIFF (.tif)")
    zonal.add_argument("--level", choices=("subzone", "zone", "district", "parcel", "polygons"),
                       help="units to summarise over (default polygons when --polygons is given)")
    zonal.add_argument("--polygons", type=Path,
                       help="a polygon layer (GeoPackage, GeoJSON, zipped Shapefile)")
    zonal.add_argument("--polygons-layer", help="layer of the polygons GeoPackage (or .shp in zip)")
    zonal.add_argument("--id-column", help="field identifying each uploaded polygon "
                                           "(default: id/ID/编号 if unique, else the row number)")
    _add_parcel_options(zonal, enterprises=False)
    zonal.add_argument("--stats", default="mean,sum,count",
                       help="comma-separated: mean,sum,min,max,count,valid_share")
    zonal.add_argument("--categorical", action="store_true",
                       help="the raster holds classes: give the share of each class")
    zonal.add_argument("--out", required=True, help="output table ending in .csv or .xlsx")
    zonal.add_argument("--lang", choices=("zh", "en"), default="zh")
    zonal.add_argument("--data-dir", type=Path, default=None, help=argparse.SUPPRESS)


def _check_surface_grid(parcels: pd.DataFrame, res: float, lang: str) -> None:
    """Refuse a cell size that is not a length, or a grid too large to compute."""
    import math

    import geopandas as gpd

    from geo.crs import AREA_CRS
    from geo.raster.surface import check_grid

    if not math.isfinite(res) or res <= 0:
        raise _Refusal(_say(lang, f"--res {res:g} 不是有效的像元大小：请给出大于 0 的米数"
                                  "（如 100）",
                            f"--res {res:g} is not a cell size. Fix: give metres above 0 "
                            "(e.g. 100)"))
    check_grid(tuple(gpd.GeoSeries(parcels.geometry).to_crs(AREA_CRS).total_bounds), res)


def _surface_files(args: argparse.Namespace) -> tuple[Path, Path]:
    """Refuse a surface without parcels or with an output that is not a new GeoTIFF."""
    if args.parcels is None:
        raise _Refusal(_say(
            args.lang, "surface 按宗地图形生成栅格，需要宗地文件：请用 --parcels 给出宗地文件"
                       "（亩均税收、亩均增加值和企业类别还需用 --enterprises 给出企业清单）",
            "surface rasterizes parcels. Fix: give --parcels (and --enterprises for "
            "tax_per_mu, va_per_mu and class)"))
    out = Path(args.out)
    if out.suffix.lower() not in (".tif", ".tiff"):
        raise _Refusal(_say(args.lang, f"--out {out} 不是 GeoTIFF：输出路径请以 .tif 结尾",
                            f"--out {out} is not a GeoTIFF. Fix: end the path in .tif"))
    report_path = _report_path(out, args.lang)
    inputs_given = [(option, Path(path)) for option, path in (
        ("--parcels", args.parcels), ("--enterprises", args.enterprises),
        ("--profile", args.profile)) if path is not None]
    _refuse_overwrite([(_say(args.lang, "输出文件", "output"), out),
                       (_say(args.lang, "校验报告", "validation report"), report_path)],
                      inputs_given, args.lang)
    for path in (out, report_path):
        _refuse_catalogue_dir(path, args.data_dir, args.lang)
    return out, report_path


def _cmd_surface(args: argparse.Namespace) -> int:
    import numpy as np

    from geo.landuse.pipeline import analyse
    from geo.landuse.scoring import load_profile
    from geo.raster.surface import (
        DEFAULT_NODATA,
        SURFACE_METRICS,
        metric_values,
        parcel_surface,
        surface_tags,
        write_cog,
    )

    out, report_path = _surface_files(args)
    lang = args.lang
    profile = load_profile(args.profile)
    inputs = _efficiency_inputs(args, report_path)
    if not len(inputs.parcels):
        raise _Refusal(_say(
            lang, f"{args.parcels} 中没有宗地多边形（只有点位或没有图形）：栅格按宗地图形生成。"
                  "请提供宗地多边形文件（GeoPackage、GeoJSON 或 zip 打包的 Shapefile）",
            f"{args.parcels} holds no parcel polygons. Fix: give the parcels as polygons"))
    _check_surface_grid(inputs.parcels, args.res, lang)
    catalog = load_catalog(data_dir=args.data_dir)
    analysis = analyse(inputs.parcels, inputs.enterprises, catalog, profile,
                       data_label=inputs.data_label, year=inputs.year)
    spec = SURFACE_METRICS[args.metric]
    values = metric_values(analysis.parcels, args.metric)
    _write_report(pd.concat([r for r in (inputs.report, analysis.report) if len(r)]
                            or [inputs.report], ignore_index=True), report_path, lang)
    if not values.notna().any():
        raise _Refusal(_say(
            lang, f"没有宗地有{spec.label}的数值，无法生成栅格。"
                  + ("请用 --enterprises 给出企业清单（税收、增加值与评价类别来自企业数据）"
                     if args.enterprises is None else "请检查企业清单能否按宗地编号关联到宗地"),
            f"no parcel has a value of {args.metric}. Fix: "
            + ("give --enterprises (the figures come from the enterprises)"
               if args.enterprises is None else "check the enterprises link to the parcels")))
    array, transform, crs, spec = parcel_surface(analysis.parcels, args.metric,
                                                 resolution_m=args.res)
    unit = spec.unit
    write_cog(out, array, transform, crs, unit=unit, nature=analysis.data_label,
              year=analysis.year or "未注明", tags=surface_tags(spec))
    filled = int(np.count_nonzero(array != DEFAULT_NODATA))
    height, width = array.shape
    print(_say(lang, f"已写出栅格 {out}：{spec.label}，{width} × {height} 像元"
                     f"（每像元 {args.res:g} 米，EPSG:4549），有数据的像元 {filled} 个；"
                     f"单位：{unit}",
               f"wrote {out}: {args.metric}, {width} × {height} cells of {args.res:g} m "
               f"(EPSG:4549), {filled} cells with data"))
    year = analysis.year
    print(_say(lang, f"数据：{analysis.data_label}" + (f"，{year} 年度" if year else ""),
               f"data: {analysis.data_label}" + (f", year {year}" if year else "")))
    return 0


def _zonal_level(args: argparse.Namespace) -> str:
    """Return the level asked for: --level, or the uploaded polygons of --polygons."""
    lang = args.lang
    level = args.level or ("polygons" if args.polygons is not None else None)
    if level is None:
        raise _Refusal(_say(lang, "未给出统计单元：请用 --level 选择 subzone、zone、district 或 "
                                  "parcel，或用 --polygons 给出面图层",
                            "no units given. Fix: choose --level (subzone, zone, district, "
                            "parcel) or give --polygons"))
    if args.polygons is not None and level != "polygons":
        raise _Refusal(_say(lang, f"--polygons 与 --level {level} 不能同时使用：给出面图层时"
                                  "按面图层统计，请去掉 --level",
                            f"--polygons and --level {level} exclude each other. Fix: drop "
                            "--level"))
    if level == "polygons" and args.polygons is None:
        raise _Refusal(_say(lang, "--level polygons 需要面图层：请用 --polygons 给出面图层文件",
                            "--level polygons needs --polygons"))
    if level == "parcel" and args.parcels is None:
        raise _Refusal(_say(lang, "--level parcel 按宗地统计，需要宗地文件：请用 --parcels "
                                  "给出宗地文件（GeoPackage、GeoJSON 或 zip 打包的 Shapefile）",
                            "--level parcel needs the parcels. Fix: give --parcels"))
    return level


def _cmd_zonal(args: argparse.Namespace) -> int:
    from geo.export import table_bytes
    from geo.labels import ZONAL_LEVEL_LABELS
    from geo.raster.levels import (
        CATALOG_LEVELS,
        raster_info,
        read_polygons,
        zonal_notes,
        zonal_table,
    )
    from geo.zones.catalog import CATALOG_SOURCES

    lang = args.lang
    level = _zonal_level(args)
    out = Path(args.out)
    report_path = _report_path(out, lang)
    outputs = [(_say(lang, "输出文件", "output"), out)]
    if level == "parcel":
        outputs.append((_say(lang, "校验报告", "validation report"), report_path))
    inputs_given = [(option, Path(path)) for option, path in (
        ("--raster", args.raster), ("--polygons", args.polygons),
        ("--parcels", args.parcels)) if path is not None]
    _refuse_overwrite(outputs, inputs_given, lang)
    if out.suffix.lower() not in _TABLE_SUFFIXES:
        raise _Refusal(_say(lang, f"--out {out}：统计结果是表格，请以 .csv 或 .xlsx 结尾",
                            f"--out {out}: the result is a table. Fix: end it in .csv or .xlsx"))
    for _, path in outputs:
        _refuse_catalogue_dir(path, args.data_dir, lang)
    info = raster_info(args.raster)  # refuse a bad raster before any vector file is read
    catalog = parcels = polygons = None
    if level in CATALOG_LEVELS:
        catalog, source = load_catalog(data_dir=args.data_dir), CATALOG_SOURCES
    elif level == "parcel":
        inputs = _efficiency_inputs(args, report_path)
        _write_report(inputs.report, report_path, lang)
        parcels, source = inputs.parcels, f"{inputs.data_label}（{args.parcels}）"
    else:
        polygons, source = read_polygons(args.polygons, args.polygons_layer), str(args.polygons)
    table, lines = zonal_table(args.raster, level, stats=args.stats, catalog=catalog,
                               parcels=parcels, polygons=polygons, id_column=args.id_column,
                               categorical=args.categorical, lang=lang)
    notes = zonal_notes(info, level, source, lines)
    geometry = notes.geometry
    write_bytes_atomic(out, table_bytes(table, out.suffix.lower()[1:], notes=notes, lang=lang))
    print(_say(lang, f"已写出 {len(table)} 个{ZONAL_LEVEL_LABELS[level]}的分区统计：{out}",
               f"wrote zonal statistics of {len(table)} {level} units to {out}"))
    if geometry and "示意" in geometry:
        print(_say(lang, f"注意：{geometry}", f"note: {geometry}"))
    return 0


# ---- reports on paper: python -m geo report (issue 14) ---------------------------------------

def _add_report_command(sub: argparse._SubParsersAction) -> None:
    """Add ``report``: zone one-page summaries and enterprise 体检表 as PDF."""
    rep = sub.add_parser("report", help="PDF reports: zone one-page summaries, enterprise 体检表")
    which = rep.add_mutually_exclusive_group()
    which.add_argument("--zone", help="one zone id (e.g. Z07): its one-page summary")
    which.add_argument("--zones", help="'all' or comma-separated zone ids: one PDF with contents")
    which.add_argument("--credit-code", help="one enterprise's 统一社会信用代码: its 体检表")
    _add_parcel_options(rep, enterprises=True)
    rep.add_argument("--sample", action="store_true",
                     help="use the bundled 示例数据 instead of --parcels/--enterprises")
    rep.add_argument("--class", dest="cls", choices=("A", "B", "C", "D"), default=None,
                     help="体检表 of every enterprise of this class (default D)")
    rep.add_argument("--district", help="only enterprises of this district (e.g. 北仑区)")
    rep.add_argument("--out", required=True, help="output PDF (.pdf)")
    rep.add_argument("--lang", choices=("zh", "en"), default="zh")
    rep.add_argument("--data-dir", type=Path, default=None, help=argparse.SUPPRESS)


def _report_analysis(args: argparse.Namespace, catalog: dict, report_path: Path
                     ) -> Analysis | None:
    """Analyse the data given (--sample, or --parcels/--enterprises), or None without data."""
    from geo.landuse.pipeline import analyse, load_sample
    from geo.landuse.scoring import load_profile

    if args.sample:
        inputs = load_sample()
    elif args.parcels is not None or args.enterprises is not None:
        inputs = _efficiency_inputs(args, report_path)
    else:
        return None
    return analyse(inputs.parcels, inputs.enterprises, catalog, load_profile(args.profile),
                   data_label=inputs.data_label, year=inputs.year)


def _report_zone_ids(args: argparse.Namespace, catalog: dict) -> list[str] | None:
    """Return the zone ids asked for (--zone, --zones); None: no zone report."""
    if args.zone is None and args.zones is None:
        return None
    known = catalog["zone"]["id"].astype(str).tolist()
    if args.zone is not None:
        wanted = [args.zone.strip()]
    elif args.zones.strip().lower() == "all":
        wanted = known
    else:
        wanted = [z.strip() for z in args.zones.split(",") if z.strip()]
    unknown = [z for z in wanted if z not in known]
    if unknown or not wanted:
        missing = "、".join(unknown) or "（空）"
        raise _Refusal(_say(args.lang, f"没有编号为 {missing} 的重点工业集聚区。"
                                       f"请使用 {known[0]}–{known[-1]} 中的编号，或 --zones all",
                            f"no zone {', '.join(unknown) or '(empty)'}. Fix: use one of "
                            f"{known[0]}–{known[-1]}, or --zones all"))
    return wanted


def _cmd_report(args: argparse.Namespace) -> int:
    from geo.reports import checkup_pdf, checkups_pdf, select_enterprises, zones_pdf
    from geo.reports.zone_pdf import zone_summary_pdf

    lang = args.lang
    out = Path(args.out)
    if out.suffix.lower() != ".pdf":
        raise _Refusal(_say(lang, f"--out {out} 不是 PDF 文件：报告输出路径请以 .pdf 结尾",
                            f"--out {out} is not a PDF. Fix: end the path in .pdf"))
    report_path = _report_path(out, lang)
    inputs_given = [(option, Path(path)) for option, path in (
        ("--parcels", args.parcels), ("--enterprises", args.enterprises),
        ("--profile", args.profile)) if path is not None]
    _refuse_overwrite([(_say(lang, "输出文件", "output"), out),
                       (_say(lang, "校验报告", "validation report"), report_path)],
                      inputs_given, lang)
    for path in (out, report_path):
        _refuse_catalogue_dir(path, args.data_dir, lang)
    if args.sample and (args.parcels is not None or args.enterprises is not None):
        raise _Refusal(_say(lang, "--sample 与 --parcels/--enterprises 不能同时使用：请二选一",
                            "--sample excludes --parcels/--enterprises. Fix: give one of them"))
    catalog = load_catalog(data_dir=args.data_dir)
    zone_ids = _report_zone_ids(args, catalog)
    if zone_ids is None and not (args.sample or args.parcels is not None
                                 or args.enterprises is not None):
        raise _Refusal(_say(
            lang, "未说明要生成哪种报告：集聚区档案请用 --zone Z07 或 --zones all；企业体检表请用 "
                  "--enterprises（及 --parcels）或 --sample 给出数据，再用 --class/--district 或 "
                  "--credit-code 选择企业",
            "no report chosen. Fix: --zone Z07 or --zones all for zone summaries; for 体检表 "
            "give --enterprises (and --parcels) or --sample, with --class/--district or "
            "--credit-code"))
    analysis = _report_analysis(args, catalog, report_path)
    if zone_ids is not None:
        pdf = (zone_summary_pdf(zone_ids[0], catalog, analysis=analysis) if args.zone
               else zones_pdf(catalog, zone_ids, analysis=analysis))
        write_bytes_atomic(out, pdf)
        print(_say(lang, f"已写出 {len(zone_ids)} 个{LEVEL_LABELS['zone']}的一页式档案：{out}",
                   f"wrote the one-page summaries of {len(zone_ids)} zones to {out}"))
    else:
        assert analysis is not None
        if args.credit_code:
            pdf = checkup_pdf(args.credit_code, analysis, catalog)
            count = 1
        else:
            cls = args.cls or "D"
            pdf = checkups_pdf(analysis, catalog, cls=cls, district=args.district)
            count = len(select_enterprises(analysis, cls=cls, district=args.district))
        write_bytes_atomic(out, pdf)
        print(_say(lang, f"已写出 {count} 家企业的体检表：{out}",
                   f"wrote the 体检表 of {count} enterprises to {out}"))
    if analysis is not None:
        print(_say(lang, f"数据：{analysis.data_label}"
                         + (f"，{analysis.year} 年度" if analysis.year else ""),
                   f"data: {analysis.data_label}"
                   + (f", year {analysis.year}" if analysis.year else "")))
    return 0


def _run(args: argparse.Namespace) -> int:
    """Run the command, reading the user's files up to its ``--max-size``."""
    from contextlib import nullcontext

    from geo.io.safefile import MIB, local_file_limit

    size = getattr(args, "max_size", None)
    with nullcontext() if size is None else local_file_limit(max(1, round(size * MIB))):
        return _run_command(args)


def _run_command(args: argparse.Namespace) -> int:
    if args.command == "catalog":
        return _cmd_catalog(args)
    if args.command in ("evaluate", "lowland"):
        from geo.crs import shared_projections

        with shared_projections():  # the parcels projected once for import and analysis
            return _cmd_efficiency(args)
    if args.command == "surface":
        return _cmd_surface(args)
    if args.command == "zonal":
        return _cmd_zonal(args)
    if args.command == "report":
        return _cmd_report(args)
    return _cmd_import(args)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; returns the exit code."""
    from geo._errors import user_message

    parser = _build_parser()
    args = parser.parse_args(argv)
    try:
        return _run(args)
    except _Refusal as exc:
        print(f"{parser.prog} {args.command}: {_say(args.lang, '错误：', 'error: ')}{exc}",
              file=sys.stderr)
        return 2
    except (ValueError, OSError) as exc:  # the located errors are ValueErrors
        lang = "en" if getattr(args, "lang", "zh") == "en" else "zh"
        said = _os_message(exc, lang) if isinstance(exc, OSError) else user_message(exc, lang)
        first = said.splitlines()[0] if said else type(exc).__name__
        print(f"{parser.prog} {args.command}: {_say(lang, '错误：', 'error: ')}{first}",
              file=sys.stderr)
        return 2
