"""Command line: ``python -m geo catalog|import-boundaries|evaluate|lowland ...``.

Bad arguments and bad data end with one line on stderr and exit code 2.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from geo.export import FORMATS, export_layer
from geo.io.atomic import write_bytes_atomic
from geo.labels import COLUMNS, FILTER_NOTE_KEYS, LEVEL_LABELS, REPORT_COLUMNS_EN
from geo.zones.boundaries import IMPORTABLE_LEVELS, import_boundaries, write_layer_atomic
from geo.zones.catalog import BELTS, LEVEL_FILES, export_notes, load_catalog, load_layer

__all__ = ["main"]

_CLI_LEVELS = ("zone", "subzone", "town", "branch", "base")


class _Parser(argparse.ArgumentParser):
    """argparse that reports a usage fault in one line and exits 2."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def _build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="python -m geo", description="宁波工业空间目录：导出与边界导入")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    cat = sub.add_parser("catalog", help="export a catalogue level (filtered) to a file")
    cat.add_argument("--level", required=True, choices=_CLI_LEVELS)
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
    imp.add_argument("--data-dir", type=Path, default=None, help=argparse.SUPPRESS)

    for name, helptext in (("evaluate", "亩均效益 figures and A/B/C/D classes by level"),
                           ("lowland", "low-efficiency parcels with their reasons")):
        cmd = sub.add_parser(name, help=helptext)
        cmd.add_argument("--parcels", required=True, type=Path,
                         help="parcels: GeoPackage, GeoJSON, zipped Shapefile, CSV or Excel")
        cmd.add_argument("--enterprises", type=Path, help="enterprises: CSV, Excel or GeoPackage")
        cmd.add_argument("--profile", type=Path,
                         help="scoring profile (TOML); default data/profiles/default.toml")
        if name == "evaluate":
            cmd.add_argument("--level", required=True,
                             choices=("enterprise", "subzone", "zone", "district", "belt", "city"),
                             help="enterprise = the evaluation list (scores and A/B/C/D classes)")
        cmd.add_argument("--gcj02", action="store_true",
                         help="coordinates in the files are GCJ-02 (高德); convert to WGS84")
        cmd.add_argument("--year", type=int,
                         help="data year to analyse when the files hold several (default: latest)")
        cmd.add_argument("--out", required=True, help="output path ending in "
                         + ", ".join(FORMATS))
        cmd.add_argument("--lang", choices=("zh", "en"), default="zh")
        cmd.add_argument("--data-dir", type=Path, default=None, help=argparse.SUPPRESS)
    return parser


def _cmd_catalog(args: argparse.Namespace) -> int:
    from geo.zones.selection import filter_layer

    suffix = Path(args.out).suffix.lower()
    if suffix not in FORMATS:
        raise ValueError(f"--out {args.out!r}: unknown format. Fix: end the path in "
                         + ", ".join(FORMATS))
    layer = load_layer(args.level, data_dir=args.data_dir)
    selection = filter_layer(layer, industries=args.industry, belt=args.belt,
                             district=args.district, name=args.name)
    keys = FILTER_NOTE_KEYS
    notes = export_notes({keys["level"]: LEVEL_LABELS[args.level],
                          keys["industry"]: "、".join(args.industry) or "全部",
                          keys["belt"]: args.belt or "全部",
                          keys["district"]: args.district or "全部",
                          keys["name"]: args.name or ""})
    out = export_layer(selection, args.out, lang=args.lang, notes=notes)
    print(f"wrote {len(selection)} {args.level} rows to {out}")
    return 0


def _cmd_import(args: argparse.Namespace) -> int:
    catalog = load_catalog(data_dir=args.data_dir)
    updated, report = import_boundaries(
        catalog[args.level], args.file, level=args.level, layer=args.layer,
        id_field=args.id_field, name_field=args.name_field, gcj02=args.gcj02,
    )
    target = args.out or Path(args.data_dir or Path(__file__).resolve().parent.parent
                              / "data" / "parks") / LEVEL_FILES[args.level]
    write_layer_atomic(updated, target, level=args.level)
    print(report.summary())
    print(f"wrote {target}")
    return 0


def _report_path(out: Path, lang: str) -> Path:
    return out.with_name(out.stem + ("_校验报告.csv" if lang == "zh" else "_validation_report.csv"))


def _cmd_efficiency(args: argparse.Namespace) -> int:
    from geo.export import neutralise_formula
    from geo.labels import UNIT_LEVELS as LEVEL_NAMES
    from geo.landuse.pipeline import analyse, load_inputs
    from geo.landuse.scoring import load_profile
    from geo.landuse.tables import enterprise_table, level_table, parcel_table

    out = Path(args.out)
    if out.suffix.lower() not in FORMATS:
        raise ValueError(f"--out {args.out!r}: unknown format. Fix: end the path in "
                         + ", ".join(FORMATS))
    profile = load_profile(args.profile)
    inputs = load_inputs(args.parcels, args.enterprises, gcj02=args.gcj02, year=args.year)
    catalog = load_catalog(data_dir=args.data_dir)
    analysis = analyse(inputs.parcels, inputs.enterprises, catalog, profile,
                       data_label=inputs.data_label, year=inputs.year)
    view = "units"
    if args.command == "evaluate" and args.level == "enterprise":
        view = "enterprises"
        table = enterprise_table(analysis)
        counts = table["class"].value_counts()
        what = f"{len(table)} enterprises (" + ", ".join(
            f"{c} {counts.get(c, 0)}" for c in "ABCD") + ")"
    elif args.command == "evaluate":
        table = level_table(analysis, catalog, level=args.level)
        what = f"{len(table)} {LEVEL_NAMES[args.level]} rows"
    else:
        view = "parcels"
        table = parcel_table(analysis)
        what = f"{len(table)} low-efficiency parcels ({table['land_mu'].sum():,.1f} 亩)"
    notes = analysis.export_notes(view, {
            COLUMNS["profile"]: f"{profile.name} ({profile.path})",
            "宗地文件": str(args.parcels), "企业文件": str(args.enterprises or "（无）"),
            "校验问题行数": str(len(inputs.report))})
    written = export_layer(table, out, lang=args.lang, notes=notes)
    report_path = _report_path(written, args.lang)
    report = inputs.report.map(neutralise_formula)
    if args.lang == "en":
        report = report.rename(columns=REPORT_COLUMNS_EN)
    write_bytes_atomic(report_path, report.to_csv(index=False).encode("utf-8-sig"))
    print(f"wrote {what} to {written}")
    print(f"validation report: {len(inputs.report)} lines in {report_path}")
    print(f"data: {inputs.data_label}" + (f", year {inputs.year}" if inputs.year else ""))
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; returns the exit code."""
    parser = _build_parser()
    args = parser.parse_args(argv)
    try:
        if args.command == "catalog":
            return _cmd_catalog(args)
        if args.command in ("evaluate", "lowland"):
            return _cmd_efficiency(args)
        return _cmd_import(args)
    except (ValueError, OSError) as exc:
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        print(f"{parser.prog} {args.command}: error: {first}", file=sys.stderr)
        return 2
