# ruff: noqa: D205, D401 - docstring wording as in scripts/ (exempt there from D)
"""The app's pages at city size through Streamlit's AppTest, server side (issue 16, section 13).

"Pages that answer in under 3 s at city scale, 1 s when revisited": synthetic city files
(``scripts/benchmark.py``'s :func:`write_city_files`, 100,000 parcels and 300,000 enterprises
by default) are imported the way the 数据导入 page imports them for an official with the 经办
role — :func:`geo.landuse.pipeline.load_inputs`, :func:`~geo.landuse.pipeline.analyse`, then
:meth:`geo.store.Workspace.add_dataset` into the SQLite store under a temporary
``NINGBO_WORK_DIR`` — and the app then shows that dataset (the newest stored one) on every page.
That import is timed apart from the pages.

The pages then run in a fresh Python process (a child, ``--child``), so that every
``st.cache_*`` is empty, as after a restart: ``AppTest.from_file("streamlit_app.py")``, one
session, ``at.run()`` (the default page 地图总览), then each page by ``at.switch_page``; a second
round opens every page again (each after another page: a revisit). Each ``run`` is timed with
:func:`time.perf_counter`; ``at.exception`` is recorded. No browser draws anything and no
websocket carries the page: these are the script's server-side seconds only.

Run: ``.venv/bin/python -m benchmarks.city_pages [--sizes 100k] [--write]``.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import importlib.util
import json
import math
import os
import re
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from benchmarks import PYTHON, ROOT, fmt_mb, fmt_s, md_table, parse_sizes, run_child

#: Marker key of the section in BENCHMARKS.md, and its title.
SECTION_KEY = "city-pages"
TITLE = "## 13. Pages at city size (AppTest, server side)"
BENCHMARKS_MD = ROOT / "BENCHMARKS.md"
#: (title, page script) in the order they are opened; 地图总览 is the default page (``at.run()``).
PAGES: tuple[tuple[str, str], ...] = (
    ("地图总览", "app_pages/map_view.py"),
    ("亩均效益", "app_pages/efficiency.py"),
    ("低效用地", "app_pages/lowland.py"),
    ("多年度对比", "app_pages/years.py"),
    ("园区档案", "app_pages/profiles.py"),
    ("数据导入", "app_pages/data_import.py"),
)
#: The page whose first open waits for the analysis of the dataset.
EFFICIENCY_TITLE = PAGES[1][0]
FIRST_BUDGET_S, REVISIT_BUDGET_S = 3.0, 1.0
#: Seconds one AppTest run may take, and the whole child.
RUN_TIMEOUT_S, CHILD_TIMEOUT_S = 900.0, 3600.0
#: Fresh child processes per size (the median is reported: the machine may be shared).
DEFAULT_REPEAT = 3
#: Who the benchmark's dataset is imported by (as ``who_of`` names an official).
WHO = "基准测试（bench@example.org）"
HEADERS = ("page", "first open s", "revisit s", "< 3 s first", "< 1 s revisit", "note")


def _bench_script() -> object:
    """``scripts/benchmark.py`` as a module (it is a script, not a package member)."""
    if "bm" in sys.modules:
        return sys.modules["bm"]
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    spec = importlib.util.spec_from_file_location("bm", ROOT / "scripts" / "benchmark.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["bm"] = module
    spec.loader.exec_module(module)
    return module


# --------------------------------------------------------------------------- import (parent)


def import_dataset(parcels: Path, enterprises: Path, work: Path) -> dict[str, object]:
    """Import the files into the workspace at ``work`` as the 数据导入 page does for a 经办.

    ``load_inputs`` → ``analyse`` → ``add_dataset`` with the page's report (the import's and
    the analysis's lines), named by the data label, then ``save_analysis`` (the page keeps the
    analysis in the store on a background thread). This runs in the harness process, so the
    pages' fresh processes read the kept analysis from the store, as after a restart (the
    app's own import hands its analysis to the pages of its process).

    Returns
    -------
    dict
        Seconds of each step (``load_s``, ``analyse_s``, ``store_s``, ``keep_s``), the counts
        kept, the dataset id, its data year and the size of the SQLite file.
    """
    from dataclasses import replace

    import pandas as pd

    from app_pages.stored_analysis import kept_key
    from geo.crs import shared_projections
    from geo.landuse.pipeline import analyse, load_inputs
    from geo.landuse.scoring import load_profile
    from geo.store import open_workspace
    from geo.store.analyses import save_analysis
    from geo.zones.catalog import load_catalog

    t0 = time.perf_counter()
    with shared_projections():  # as the page imports
        inputs = load_inputs(parcels, enterprises)
        t1 = time.perf_counter()
        catalog = load_catalog()
        analysis = analyse(inputs.parcels, inputs.enterprises, catalog, load_profile(None),
                           data_label=inputs.data_label, year=inputs.year)
    t2 = time.perf_counter()
    report = pd.concat([r for r in (inputs.report, analysis.report) if r is not None and len(r)]
                       or [inputs.report], ignore_index=True)
    ws = open_workspace(work)
    try:
        ds_id = ws.add_dataset(name=inputs.data_label, parcels=inputs.parcels,
                               enterprises=inputs.enterprises, report=report,
                               data_label=inputs.data_label, year=inputs.year,
                               choices=inputs.choices, who=WHO)
        t3 = time.perf_counter()
        kept = save_analysis(ws, ds_id, kept_key("", ""),  # the key the app looks under
                             replace(analysis, import_choices=inputs.choices))
    finally:
        ws.dispose()
    t4 = time.perf_counter()
    db = work / "workspace.sqlite"
    return {"load_s": t1 - t0, "analyse_s": t2 - t1, "store_s": t3 - t2, "keep_s": t4 - t3,
            "kept": kept,
            "parcels": len(inputs.parcels), "enterprises": len(inputs.enterprises),
            "report_lines": len(report), "dataset": ds_id, "year": inputs.year,
            "db_bytes": db.stat().st_size if db.exists() else None}


# --------------------------------------------------------------------------- pages (child)


def _helper_modules() -> list[str]:
    """The app's modules that are not page scripts (importing them runs no page)."""
    pages = set(re.findall(r'st\.Page\("app_pages/(\w+)\.py"',
                           (ROOT / "streamlit_app.py").read_text(encoding="utf-8")))
    return [f"app_pages.{p.stem}" for p in sorted((ROOT / "app_pages").glob("*.py"))
            if p.stem not in pages and p.stem != "__init__"]


class _Spent:
    """Seconds spent in the store's ``load_dataset``, the pipeline's ``analyse`` and reading a
    kept analysis (``load_analysis``) during one run (the first page that needs the analysis
    of a stored dataset reads it from the store, or computes it when none is kept)."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}

    def wrap(self, owner: object, name: str) -> None:
        """Replace ``owner.name`` with a wrapper that adds its seconds under ``name``."""
        inner = getattr(owner, name)

        def timed(*args: object, **kwargs: object) -> object:
            t0 = time.perf_counter()
            try:
                return inner(*args, **kwargs)
            finally:
                self.seconds[name] = self.seconds.get(name, 0.0) + time.perf_counter() - t0

        setattr(owner, name, timed)

    def take(self) -> dict[str, float]:
        """The seconds since the last take, then reset."""
        out, self.seconds = self.seconds, {}
        return out


@contextlib.contextmanager
def _script_thread_hook(folder: Path | None, label: Callable[[], str],
                        script_s: list[float]) -> Iterator[None]:
    """Time each script run *in the script thread* (AppTest runs the script on a thread of its
    own, then parses the messages into its element tree — test work a server does not do) and
    append its seconds to ``script_s``. With ``folder``, each run is also profiled by
    pyinstrument in that thread and its text report kept as ``<label>.txt``; profiling slows
    runs down, so a profiled child's seconds are not reported.
    """
    from streamlit.testing.v1.local_script_runner import LocalScriptRunner

    original = LocalScriptRunner._run_script_thread

    def run_timed(self: object) -> None:
        profiler = None
        if folder is not None:
            from pyinstrument import Profiler

            profiler = Profiler(interval=0.002)
            profiler.start()
        t0 = time.perf_counter()
        try:
            original(self)
        finally:
            script_s.append(time.perf_counter() - t0)
            if profiler is not None:
                profiler.stop()
                (folder / f"{label()}.txt").write_text(
                    profiler.output_text(unicode=True, show_all=False), encoding="utf-8")

    LocalScriptRunner._run_script_thread = run_timed
    try:
        yield
    finally:
        LocalScriptRunner._run_script_thread = original


def _outcome(at: object, seconds: float, script_s: float, spent: dict[str, float],
             ds_id: str) -> dict:
    """What one run left: seconds (``at.run`` and the script thread's), exception text, error
    boxes, whether the dataset in use is the imported one (None: the page does not ask)."""
    return {"s": seconds, "script_s": script_s,
            "exception": " / ".join(e.message for e in at.exception)[:300],
            "errors": [e.value[:160] for e in at.error],
            "dataset": at.session_state["workspace_dataset"] == ds_id
            if "workspace_dataset" in at.session_state else None,
            "spent": spent}


def page_runs(work: Path, ds_id: str, *, profile_dir: Path | None = None) -> dict[str, object]:
    """Open every page of :data:`PAGES` twice in one AppTest session (this process, whose
    Streamlit caches are empty): round 1 the first opens, round 2 the revisits.

    Returns
    -------
    dict
        ``imports_s`` (importing the app's helper modules first, untimed in the table),
        ``first`` and ``revisit``: page title → :func:`_outcome`.
    """
    os.environ["NINGBO_WORK_DIR"] = str(work)
    t0 = time.perf_counter()
    for name in _helper_modules():
        importlib.import_module(name)
    imports_s = time.perf_counter() - t0
    from streamlit.testing.v1 import AppTest

    import app_pages.stored_analysis as stored
    import geo.landuse.pipeline as pipeline
    from geo.store import Workspace

    spent = _Spent()
    spent.wrap(pipeline, "analyse")
    spent.wrap(Workspace, "load_dataset")
    spent.wrap(stored, "load_analysis")  # the name the app calls it by
    current = {"label": "start"}
    out: dict[str, object] = {"imports_s": imports_s, "first": {}, "revisit": {}}
    script_s: list[float] = []
    with _script_thread_hook(profile_dir, lambda: current["label"], script_s):
        at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=RUN_TIMEOUT_S)
        for round_ in ("first", "revisit"):
            for i, (title, path) in enumerate(PAGES):
                current["label"] = f"{round_}_{i}_{Path(path).stem}"
                if round_ != "first" or i:  # the very first run shows the default page
                    at.switch_page(path)
                t = time.perf_counter()
                at.run(timeout=RUN_TIMEOUT_S)
                seconds = time.perf_counter() - t
                out[round_][title] = _outcome(at, seconds, sum(script_s), spent.take(), ds_id)
                script_s.clear()
    return out


# --------------------------------------------------------------------------- harness (parent)


@dataclass
class CityPages:
    """One size's result: the table rows and the lines that say how the data got in."""

    n_parcels: int
    rows: list[list[str]] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)
    #: Each child's output (``first`` / ``revisit``: page title → outcome), for callers that
    #: check more than the table.
    children: list[dict] = field(default_factory=list)


def _median(values: Sequence[float]) -> float:
    return statistics.median(values) if values else math.nan


def _note(firsts: list[dict], revisits: list[dict]) -> str:
    """The note of a page's row: the spread over children, what the first open computed,
    exceptions and error boxes."""
    parts = []
    if len(firsts) > 1:
        parts.append("runs: first " + "/".join(f"{r['s']:.2f}" for r in firsts)
                     + ", revisit " + "/".join(f"{r['s']:.2f}" for r in revisits))
    spent = sorted({k for r in firsts for k in r.get("spent") or {}})
    if spent:  # per run: a median would hide the one run that computed it
        parts.append("first open spent in " + ", ".join(
            f"`{k}` " + "/".join(f"{r['spent'].get(k, 0.0):.1f}" for r in firsts) + " s"
            for k in spent))
    if any(r.get("dataset") is False for r in (*firsts, *revisits)):
        parts.append("imported dataset NOT in use")
    for which, runs in (("first", firsts), ("revisit", revisits)):
        if exc := next((r["exception"] for r in runs if r.get("exception")), ""):
            parts.append(f"{which}: exception {exc[:160]}")
        if err := next((r["errors"][0] for r in runs if r.get("errors")), ""):
            parts.append(f"{which}: st.error {err[:100]}")
    return "; ".join(parts)


def _row(title: str, firsts: list[dict], revisits: list[dict]) -> list[str]:
    """A page's table row: median seconds over the children, verdicts, note."""
    ok = not any(r.get("exception") for r in (*firsts, *revisits))
    first, revisit = (_median([r["s"] for r in runs]) for runs in (firsts, revisits))

    def verdict(seconds: float, budget: float) -> str:
        return ("yes" if seconds < budget else "**no**") if ok else "error"

    return [title, fmt_s(first), fmt_s(revisit), verdict(first, FIRST_BUDGET_S),
            verdict(revisit, REVISIT_BUDGET_S), _note(firsts, revisits)]


def _files(n_parcels: int, folder: Path, files: tuple[Path, Path] | None,
           log: Callable[[str], object]) -> tuple[Path, Path, str]:
    """The parcel and enterprise files: ``files`` when given, else written into ``folder``."""
    if files is not None:
        return files[0], files[1], f"given files {files[0].name} and {files[1].name}"
    from geo.zones.catalog import load_catalog

    log(f"writing synthetic city files of {n_parcels:,} parcels …")
    t0 = time.perf_counter()
    ppath, epath = _bench_script().write_city_files(load_catalog(), n_parcels, folder)
    return ppath, epath, (f"synthetic files written by `write_city_files` (seed "
                          f"{_bench_script().CITY_SEED}) in {time.perf_counter() - t0:.1f} s")


def city_pages_rows(n_parcels: int, *, files: tuple[Path, Path] | None = None,
                    repeat: int = DEFAULT_REPEAT, profile_dir: Path | None = None,
                    log: Callable[[str], object] = print) -> CityPages:
    """Import ``n_parcels`` parcels (3 enterprises each) into a fresh workspace, then time each
    page's first open and revisit in ``repeat`` fresh child processes (median reported).

    Parameters
    ----------
    n_parcels : int
        Parcels of the synthetic files (ignored when ``files`` are given).
    files : (Path, Path), optional
        Existing parcel and enterprise files to use instead of writing new ones (read only).
    repeat : int
        Fresh children, each one session through every page twice.
    profile_dir : Path, optional
        Also run one more, profiled child that writes one pyinstrument report per page run
        here (its seconds are not used).
    log : callable
        Progress lines.
    """
    result = CityPages(n_parcels)
    with tempfile.TemporaryDirectory(prefix="bench_city_pages_") as tmp:
        folder = Path(tmp)
        ppath, epath, made = _files(n_parcels, folder, files, log)
        work = folder / "work"
        work.mkdir()
        log("importing into the workspace (load_inputs → analyse → add_dataset) …")
        imp = import_dataset(ppath, epath, work)
        log(f"import: load {imp['load_s']:.1f} s, analyse {imp['analyse_s']:.1f} s, "
            f"store {imp['store_s']:.1f} s, keep the analysis {imp['keep_s']:.1f} s")
        for k in range(max(1, repeat)):
            result.children.append(_child(work, str(imp["dataset"]), folder / f"pages{k}.json",
                                          log=log))
        _forget_kept(work)
        log("once more with no analysis kept (as after a change of code, catalogue or profile)")
        unkept = _child(work, str(imp["dataset"]), folder / "unkept.json", log=log)
        if profile_dir is not None:
            profile_dir.mkdir(parents=True, exist_ok=True)
            _child(work, str(imp["dataset"]), folder / "profiled.json", profile_dir=profile_dir,
                   log=log)
    done = [c for c in result.children if "first" in c]
    failed = next((c["failed"] for c in result.children if "failed" in c), "")
    for title, _ in PAGES:
        firsts = [c["first"][title] for c in done if title in c["first"]]
        revisits = [c["revisit"][title] for c in done if title in c["revisit"]]
        result.rows.append(_row(title, firsts, revisits) if firsts and revisits else
                           [title, "—", "—", "error", "error", failed])
    parse = [r["s"] - r["script_s"] for c in done for rnd in ("first", "revisit")
             for r in c[rnd].values()]
    nothing_kept = unkept.get("first", {}).get(EFFICIENCY_TITLE)
    result.lines = [
        f"- data: {imp['parcels']:,} parcels, {imp['enterprises']:,} enterprises, year "
        f"{imp['year']}; {made}",
        f"- import (untimed in the table; as the 数据导入 page for a 经办): load_inputs "
        f"{imp['load_s']:.1f} s, analyse {imp['analyse_s']:.1f} s, add_dataset "
        f"{imp['store_s']:.1f} s, `save_analysis` {imp['keep_s']:.1f} s "
        f"({'kept' if imp['kept'] else 'NOT kept'}; SQLite {fmt_mb(imp['db_bytes'])} MB with "
        f"the kept analysis); validation report {imp['report_lines']:,} lines",
        f"- with no analysis kept (one more fresh process after deleting the kept analysis: "
        f"the state after a change of code, catalogue or profile), {EFFICIENCY_TITLE}'s first "
        + ("open failed" if nothing_kept is None else
           f"open {nothing_kept['s']:.2f} s, of which `analyse` "
           f"{nothing_kept['spent'].get('analyse', 0.0):.1f} s"),
        f"- {len(done)} fresh child process(es) of {max(1, repeat)}, median in the table"
        + (f"; failed: {failed}" if failed else "") + "; importing the app's helper modules "
        f"before the first run {_median([c['imports_s'] for c in done]):.1f} s (not in the "
        f"table); peak RSS {fmt_mb(max((c.get('peak_rss') or 0 for c in done), default=None))}"
        f" MB",
        f"- of each `at.run()`, AppTest's own work after the script thread ends (parsing the "
        f"messages into its element tree; a server does not do it) is at most "
        f"{max(parse, default=math.nan):.2f} s",
    ]
    return result


def _forget_kept(work: Path) -> None:
    """Delete every kept analysis of the SQLite store at ``work`` (the datasets stay)."""
    import sqlite3

    with contextlib.closing(sqlite3.connect(work / "workspace.sqlite")) as db, db:
        db.execute("DELETE FROM analysis_frames")


def _child(work: Path, ds_id: str, out: Path, *, profile_dir: Path | None = None,
           log: Callable[[str], object] = print) -> dict:
    """Run :func:`page_runs` in a fresh Python process; its JSON (or why it failed)."""
    cmd = [PYTHON, "-m", "benchmarks.city_pages", "--child", str(work), "--dataset", ds_id,
           "--json", str(out)]
    if profile_dir is not None:
        cmd += ["--profile-dir", str(profile_dir)]
    log("opening the pages in a fresh process" + (" (profiled)" if profile_dir else "") + " …")
    env = {**os.environ, "NINGBO_WORK_DIR": str(work)}
    env.pop("NINGBO_DATABASE_URL", None)
    run = run_child(cmd, timeout=CHILD_TIMEOUT_S, env=env)
    if not run.ok or not out.exists():
        return {"failed": f"child exited {run.returncode}: {run.last_line()[:200]}"}
    data = json.loads(out.read_text(encoding="utf-8"))
    data["peak_rss"] = run.peak_rss
    return data


def city_pages_section(sizes: Sequence[int], log: Callable[[str], object] = print,
                       *, files: tuple[Path, Path] | None = None,
                       repeat: int = DEFAULT_REPEAT, profile_dir: Path | None = None) -> str:
    """Section 13 of BENCHMARKS.md as Markdown: the method, then one table per size.

    ``profile_dir``: also keep pyinstrument reports of every page run, under ``<n>/`` there.
    """
    parts = [TITLE, "",
             "Method: `streamlit.testing.v1.AppTest` runs `streamlit_app.py` server side — no "
             "browser draws the page and no websocket carries it, so these are the script's "
             "seconds only (`time.perf_counter` around each `at.run()`). The city files are "
             "first imported the way the 数据导入 page does it for a 经办 (`load_inputs` → "
             "`analyse` → `Workspace.add_dataset` into the SQLite store of a temporary "
             "`NINGBO_WORK_DIR`); the app then shows that dataset, the newest stored one. The "
             "pages run in fresh Python processes (every `st.cache_*` empty: the state after a "
             "restart, or on a server process other than the one that imported), one session "
             "each: `at.run()` opens the default page 地图总览, `at.switch_page` then opens "
             "each page in the order of the table (first open), then every page once more in "
             "the same order (revisit: each after another page); the median over the processes "
             "is shown. **Cache state: the import kept its analysis in the store "
             "(`geo.store.analyses`); the app's first run (地图总览) starts reading the newest "
             "stored dataset's analysis on a background thread; 亩均效益, opened right after, "
             "waits for what is left of it** (an official opening it seconds after a restart; "
             "the note gives the `load_analysis` seconds; a line under the table gives the "
             "first open when nothing is kept and the analysis is computed); later pages' first "
             "opens share that cached analysis but build their own tables. In the process that "
             "imported, the import hands its analysis over and nothing is computed again. "
             "地图总览's first open also loads "
             "the catalogue (first run of the process); the app's helper modules are imported "
             "before it (timed apart). 多年度对比 gets one stored year (it accepts it and shows "
             "that year's table; no second year to compare). "
             "Budgets: < 3 s first open, < 1 s revisit."]
    for n in sizes:
        result = city_pages_rows(n, files=files, repeat=repeat, log=log,
                                 profile_dir=None if profile_dir is None else profile_dir / str(n))
        parts += ["", f"### {n:,} parcels / {3 * n:,} enterprises", "",
                  md_table(HEADERS, result.rows, ["l", "r", "r", "l", "l", "l"]), "",
                  *result.lines]
    return "\n".join(parts)


def replace_section(text: str, body: str, key: str = SECTION_KEY) -> str:
    """``text`` with the marked section ``key`` replaced by ``body``: scripts/benchmark.py's
    :func:`replace_section` (inserted before "## How to read this" when it is not there yet)."""
    return _bench_script().replace_section(text, key, body)


def main(argv: Sequence[str] | None = None) -> int:
    """CLI: print section 13 (``--write``: also replace it in BENCHMARKS.md)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100k", help="parcel counts, e.g. 100k,300k")
    parser.add_argument("--files", nargs=2, type=Path, metavar=("PARCELS", "ENTERPRISES"),
                        help="use these files instead of writing synthetic ones (one size)")
    parser.add_argument("--write", action="store_true", help="replace the section in "
                                                             "BENCHMARKS.md")
    parser.add_argument("--repeat", type=int, default=DEFAULT_REPEAT,
                        help="fresh child processes per size (median reported)")
    parser.add_argument("--profile-dir", type=Path, help="also write pyinstrument reports here")
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--dataset", help=argparse.SUPPRESS)
    parser.add_argument("--json", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child is not None:  # the fresh process that opens the pages
        data = page_runs(args.child, args.dataset, profile_dir=args.profile_dir)
        args.json.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
        return 0
    log = lambda line: print(line, file=sys.stderr, flush=True)  # noqa: E731
    sizes = parse_sizes(args.sizes)
    files = tuple(args.files) if args.files else None
    section = city_pages_section(sizes, log, files=files, repeat=args.repeat,
                                 profile_dir=args.profile_dir)
    print(section)
    if args.write:
        text = BENCHMARKS_MD.read_text(encoding="utf-8")
        BENCHMARKS_MD.write_text(replace_section(text, section), encoding="utf-8")
        log(f"wrote {BENCHMARKS_MD}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
