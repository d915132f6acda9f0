# ruff: noqa: D205, D401 - docstring wording as in scripts/ (exempt there from D)
"""Scale table (``evaluate --level subzone`` and ``lowland`` by size) and the Excel export.

Each size gets synthetic files (``write_city_files`` of ``scripts/benchmark.py``: square parcels
inside the real sub-zones, three enterprises per parcel, the project's own headers), then three
child processes, one run each: ``python -m geo evaluate --level subzone``, ``python -m geo
lowland`` and the bare script ``benchmarks/bare_evaluate.py`` (pyogrio read, read_csv, sjoin to
the sub-zones, merge on 宗地编号, group-by sub-zone, CSV). Each child's wall time and peak RSS are
its own (:func:`benchmarks.run_child`), so the figures are not the harness's.
"""

from __future__ import annotations

import math
import re
import statistics
import subprocess
import tempfile
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from benchmarks import (
    PYTHON,
    ROOT,
    ChildRun,
    fmt_mb,
    fmt_s,
    md_table,
    per_100k,
    ratio,
    run_child,
)

BARE_SCRIPT = ROOT / "benchmarks" / "bare_evaluate.py"
#: The web server's upload limit the CLI applied before ``--max-size`` (issue 16).
UPLOAD_LIMIT_MB = 200
COMMANDS = ("evaluate", "lowland")
Catalog = Mapping[str, gpd.GeoDataFrame]


def max_size_option(command: str = "evaluate") -> tuple[str, str] | None:
    """(option, unit) if ``python -m geo COMMAND --help`` offers ``--max-size``, else None.

    The unit is "MB" when the help text of the option says MB (or gives no unit), "bytes" when
    it says bytes.
    """
    try:
        out = subprocess.run([PYTHON, "-m", "geo", command, "--help"], cwd=ROOT, text=True,
                             capture_output=True, timeout=120).stdout
    except (OSError, subprocess.TimeoutExpired):
        return None
    match = re.search(r"--max-size\b(.*?)(?:\n\s*--|\Z)", out, flags=re.S)
    if not match:
        return None
    text = match.group(1)
    unit = "bytes" if re.search(r"\bbytes?\b|字节", text, flags=re.I) else "MB"
    return "--max-size", unit


def max_size_args(option: tuple[str, str] | None, total_bytes: int) -> list[str]:
    """Arguments lifting the CLI's size limit to well above ``total_bytes`` (none without the
    option).
    """
    if option is None:
        return []
    name, unit = option
    limit_mb = max(1024, math.ceil(total_bytes / 1024 / 1024) * 2)
    return [name, str(limit_mb * 1024 * 1024 if unit == "bytes" else limit_mb)]


@dataclass(frozen=True)
class ScaleRow:
    """One size × command: ours and the bare script (shared by both commands of a size)."""

    parcels: int
    enterprises: int
    command: str
    ours: ChildRun
    bare: ChildRun
    note: str = ""


def refused(run: ChildRun) -> bool:
    """Whether the CLI refused the file for its size (exit 2 naming a size limit)."""
    text = run.stderr + run.stdout
    return run.returncode == 2 and bool(re.search(r"MB|上限|过大|too large|limit|大小", text))


def ours_cmd(command: str, parcels: Path, enterprises: Path, out: Path, extra: list[str]
             ) -> list[str]:
    """The CLI call for ``command`` on the two files."""
    cmd = [PYTHON, "-m", "geo", command, "--parcels", str(parcels), "--enterprises",
           str(enterprises)]
    if command == "evaluate":
        cmd += ["--level", "subzone"]
    return [*cmd, "--out", str(out), *extra]


def bench_scale(catalog: Catalog, sizes: list[int], write_files: Callable, *, timeout: float,
                log: Callable[[str], None] = print) -> tuple[list[ScaleRow], list[str]]:
    """Run every size; return the rows and Markdown notes (files, generation, limit)."""
    from geo.zones.catalog import DATA_DIR, LEVEL_FILES

    subzones = DATA_DIR / LEVEL_FILES["subzone"]
    option = max_size_option()
    rows: list[ScaleRow] = []
    limit = ("`--max-size` passed (limit lifted above the files)" if option else
             "no `--max-size` option in `python -m geo evaluate --help`: files over the "
             f"{UPLOAD_LIMIT_MB} MB limit are reported as refused")
    notes = [f"- CLI size limit: {limit}"]
    for n in sizes:
        with tempfile.TemporaryDirectory(prefix=f"bench_scale_{n}_") as tmp:
            folder = Path(tmp)
            t0 = time.perf_counter()
            ppath, epath = write_files(catalog, n, folder)
            gen = time.perf_counter() - t0
            total = ppath.stat().st_size + epath.stat().st_size
            n_ent = sum(1 for _ in epath.open(encoding="utf-8-sig")) - 1
            notes.append(f"- {n:,} parcels: parcels.gpkg {ppath.stat().st_size / 2**20:.1f} MB, "
                         f"enterprises.csv {epath.stat().st_size / 2**20:.1f} MB "
                         f"({n_ent:,} rows), generated in {gen:.1f} s")
            log(f"scale {n:,}: files written in {gen:.1f} s; bare script …")
            bare = run_child([PYTHON, str(BARE_SCRIPT), str(ppath), str(epath), str(subzones),
                              str(folder / "bare.csv")], timeout=timeout)
            if not bare.ok:
                notes.append(f"- {n:,}: bare script failed ({bare.returncode}): "
                             f"{bare.last_line()}")
            for command in COMMANDS:
                log(f"scale {n:,}: {command} …")
                ours = run_child(ours_cmd(command, ppath, epath, folder / f"{command}.csv",
                                          max_size_args(option, total)), timeout=timeout)
                note = ""
                if ours.returncode == -9:
                    note = f"killed after the {timeout:.0f} s cap"
                elif refused(ours):
                    note = f"refused: over the {UPLOAD_LIMIT_MB} MB limit ({ours.last_line()})"
                elif not ours.ok:
                    note = f"failed ({ours.returncode}): {ours.last_line()}"
                rows.append(ScaleRow(n, n_ent, command, ours, bare, note))
                log(f"  {command}: {ours.seconds:.1f} s, code {ours.returncode}")
    return rows, notes


def scale_table(rows: list[ScaleRow]) -> str:
    """The scale rows as a Markdown table (time, peak memory, ratios, s per 100k parcels)."""
    body = []
    for r in rows:
        ok = r.ours.ok
        ours_s = r.ours.seconds if ok else None
        bare_s = r.bare.seconds if r.bare.ok else None
        body.append([f"{r.parcels:,} / {r.enterprises:,}", f"`{r.command}`", fmt_s(ours_s, 1),
                     fmt_mb(r.ours.peak_rss if ok else None), fmt_s(bare_s, 1),
                     fmt_mb(r.bare.peak_rss if r.bare.ok else None), ratio(ours_s, bare_s),
                     ratio(r.ours.peak_rss if ok else None, r.bare.peak_rss),
                     per_100k(ours_s, r.parcels), per_100k(bare_s, r.parcels), r.note])
    return md_table(["parcels / enterprises", "command", "ours s", "ours peak MB", "bare s",
                     "bare peak MB", "time ratio", "memory ratio", "ours s per 100k",
                     "bare s per 100k", "note"], body,
                    ["l", "l", "r", "r", "r", "r", "r", "r", "r", "r", "l"])


def growth_lines(rows: list[ScaleRow]) -> list[str]:
    """How time grows from the smallest to the largest size, per command (linear = 1.0)."""
    lines = []
    for command in COMMANDS:
        # a failed or killed run on either side has no time to compare
        done = [r for r in rows if r.command == command and r.ours.ok and r.bare.ok]
        if len(done) < 2:
            continue
        a, b = done[0], done[-1]
        factor = b.parcels / a.parcels
        lines.append(f"- `{command}` {a.parcels:,} → {b.parcels:,} parcels ({factor:.0f}× the "
                     f"data): ours {b.ours.seconds / a.ours.seconds:.1f}× the time, bare "
                     f"{b.bare.seconds / a.bare.seconds:.1f}× (linear growth = "
                     f"{factor:.0f}×)")
    return lines


def scale_section(catalog: Catalog, sizes: list[int], write_files: Callable, *, timeout: float,
                  log: Callable[[str], None] = print) -> str:
    """The whole Markdown section of the scale table."""
    rows, notes = bench_scale(catalog, sizes, write_files, timeout=timeout, log=log)
    return "\n".join([
        "## 9. evaluate and lowland by size, against a bare script", "",
        "Each cell is one run of a child process (`python -m geo evaluate --level subzone` / "
        "`python -m geo lowland`, and `benchmarks/bare_evaluate.py`: pyogrio read, "
        "`read_csv`, `sjoin` of parcel points to the sub-zones, merge on 宗地编号, group-by "
        "sub-zone of 税收 and 亩, CSV); time and peak RSS are the child's own (GNU "
        "`/usr/bin/time -v`, else psutil polling), interpreter start-up and imports included "
        "on both sides. The bare script is the same for both commands of a size. "
        "\"s per 100k\" stays constant when growth is linear.", "",
        scale_table(rows), "", *notes, *growth_lines(rows)])


# --------------------------------------------------------------------------- Excel


def excel_frame(n: int, *, seed: int = 16) -> pd.DataFrame:
    """``n`` rows shaped like the evaluation list: ids, names, classes and figures."""
    rng = np.random.default_rng(seed)
    tax = rng.gamma(2.0, 100.0, n).round(2)
    mu = rng.gamma(2.0, 10.0, n).round(2) + 0.5
    return pd.DataFrame({
        "统一社会信用代码": [f"91330206MA{i:08d}" for i in range(n)],
        "企业名称": [f"基准合成企业{i:06d}有限公司" for i in range(n)],
        "宗地编号": [f"330206{i:07d}" for i in range(n)],
        "分片": rng.choice([f"Z{z:02d}-{s}" for z in range(1, 21) for s in "abc"], n),
        "规模": rng.choice(["规上", "规下"], n),
        "税收（万元）": tax,
        "工业增加值（万元）": (tax * rng.uniform(3, 8, n)).round(2),
        "用地面积（亩）": mu,
        "亩均税收（万元/亩）": (tax / mu).round(2),
        "综合得分": rng.uniform(40, 100, n).round(1),
        "等级": rng.choice(list("ABCD"), n),
        "年度": 2024,
    })


def bench_excel(n: int, repeat: int) -> tuple[list[list[str]], list[str]]:
    """Ours (:func:`geo.export.table_bytes`, 说明 sheet, formula guard) vs bare
    ``DataFrame.to_excel(engine="xlsxwriter")`` with ``constant_memory``; median of runs.
    """
    from geo.export import ExportNotes, table_bytes

    df = excel_frame(n)
    notes = ExportNotes(nature="基准合成数据", units="万元、亩", sources="scripts/benchmark.py")

    def ours() -> bytes:
        return table_bytes(df, "xlsx", notes=notes)

    def bare() -> bytes:
        # row by row: pandas' to_excel writes column by column, which constant_memory
        # (rows flushed in order) silently truncates to the first column
        import xlsxwriter

        with tempfile.TemporaryDirectory(prefix="bench_xlsx_") as tmp:
            path = Path(tmp) / "bare.xlsx"
            book = xlsxwriter.Workbook(str(path), {"constant_memory": True})
            sheet = book.add_worksheet()
            sheet.write_row(0, 0, list(df.columns))
            for i, row in enumerate(df.itertuples(index=False, name=None), start=1):
                sheet.write_row(i, 0, row)
            book.close()
            return path.read_bytes()

    def timed(run: Callable[[], bytes]) -> tuple[float, int]:
        runs, size = [], 0
        for _ in range(repeat):
            start = time.perf_counter()
            size = len(run())
            runs.append(time.perf_counter() - start)
        return statistics.median(runs), size

    ours_s, ours_b = timed(ours)
    bare_s, bare_b = timed(bare)
    row = [f"{n:,} rows × {df.shape[1]} columns", fmt_s(ours_s), f"{ours_b / 2**20:.1f}",
           fmt_s(bare_s), f"{bare_b / 2**20:.1f}", ratio(ours_s, bare_s), str(repeat)]
    return [row], []


def excel_section(sizes: list[int], repeat: int) -> str:
    """The Markdown section of the Excel export."""
    rows: list[list[str]] = []
    for n in sizes:
        got, _ = bench_excel(n, repeat if n <= 20_000 else 1)
        rows += got
    return "\n".join([
        "## 10. Excel export", "",
        "`geo.export.table_bytes(df, \"xlsx\", notes=…)` (frozen header, widths, 说明 sheet, "
        "formula guard) against bare xlsxwriter in `constant_memory` mode, one `write_row` "
        "per row, on a synthetic evaluation list; in-process, median of the runs. (Not "
        "`df.to_excel(engine=\"xlsxwriter\")` with `constant_memory`: pandas writes column by "
        "column and constant_memory keeps only the first column of each row.)", "",
        md_table(["rows", "ours s", "ours MB", "bare s", "bare MB", "ratio", "runs"], rows,
                 ["l", "r", "r", "r", "r", "r", "r"])])
