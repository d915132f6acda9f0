# ruff: noqa: D205, D401 - docstring wording as in scripts/ (exempt there from D)
"""Session load: N concurrent headless Chromium sessions through the app steps, ours and bare.

Every session is its own headless Chromium (started first, in parallel, untimed); when all are
up they start together and run :data:`benchmarks.app_steps.STEPS`, each step bounded by a
per-step deadline and the whole run by a total time cap. The server's CPU seconds and peak RSS
(psutil, the server process and its children) are measured apart from the client's (the
harness, chromedriver and Chromium), so the figures are not the browsers'.
"""

from __future__ import annotations

import contextlib
import importlib.util
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from benchmarks import fmt_mb, fmt_s, md_table, percentile, ratio
from benchmarks.app_steps import (
    STEP_NAMES,
    Server,
    ServerMeter,
    SessionResult,
    browser_paths,
    client_cpu,
    new_driver,
    run_session,
)


@dataclass
class LoadResult:
    """What one app did under ``sessions`` concurrent sessions."""

    kind: str
    sessions: int
    results: list[SessionResult]
    wall_s: float
    server_cpu_s: float
    client_cpu_s: float
    idle_rss: int
    peak_rss: int
    start_errors: int = 0

    def step_times(self, step: str) -> list[float]:
        """Seconds of ``step`` in the sessions that settled it."""
        return [r.times[step] for r in self.results if step in r.times]

    @property
    def errors(self) -> int:
        """Sessions that failed a step or never started."""
        return sum(1 for r in self.results if r.error) + self.start_errors

    def error_summary(self) -> str:
        """Failures by step and reason, most frequent first."""
        counts = Counter(f"{r.failed_step}: {r.error}" for r in self.results if r.error)
        if self.start_errors:
            counts["browser did not start"] += self.start_errors
        return "; ".join(f"{n}× {what}" for what, n in counts.most_common(4)) or "none"


def run_load(server: Server, paths: tuple[str, str], sessions: int, *, step_deadline: float,
             total_cap: float, log: Callable[[str], None] = print) -> LoadResult:
    """Start ``sessions`` browsers (untimed), then run them all at once on ``server``."""
    drivers: list = []
    try:
        start_errors = 0
        with ThreadPoolExecutor(max_workers=min(sessions, 8)) as pool:
            futures = [pool.submit(new_driver, paths) for _ in range(sessions)]
            for fut in futures:
                try:
                    drivers.append(fut.result(timeout=180))
                except Exception:  # noqa: BLE001 - counted as a failed session
                    start_errors += 1
        log(f"load {server.kind}: {len(drivers)} browsers up; running {sessions} sessions …")
        results: list[SessionResult] = [SessionResult() for _ in drivers]
        assert server.proc is not None
        cpu0 = client_cpu(server.proc.pid)
        with ServerMeter(server.proc.pid) as meter:
            t0 = time.monotonic()
            stop_at = t0 + total_cap

            def one(i: int) -> None:
                results[i] = run_session(drivers[i], server.url, step_deadline=step_deadline,
                                         stop_at=stop_at)

            threads = [threading.Thread(target=one, args=(i,)) for i in range(len(drivers))]
            for th in threads:
                th.start()
            for th in threads:
                th.join(timeout=max(1.0, stop_at + step_deadline - time.monotonic()))
            wall = time.monotonic() - t0
        client = client_cpu(server.proc.pid) - cpu0
        return LoadResult(server.kind, sessions, results, wall, meter.cpu_s, client,
                          meter.idle_rss, meter.peak_rss, start_errors)
    finally:
        for drv in drivers:
            with contextlib.suppress(Exception):  # a browser that died is already gone
                drv.quit()


def load_table(ours: LoadResult, bare: LoadResult) -> str:
    """p50 / p95 per step for both apps, the p50 ratio and how many sessions settled it."""
    rows = []
    for step in STEP_NAMES:
        o, b = ours.step_times(step), bare.step_times(step)
        o50, b50 = percentile(o, 50), percentile(b, 50)
        rows.append([step, fmt_s(o50), fmt_s(percentile(o, 95)), f"{len(o)}/{ours.sessions}",
                     fmt_s(b50), fmt_s(percentile(b, 95)), f"{len(b)}/{bare.sessions}",
                     ratio(o50, b50)])
    return md_table(["step", "ours p50 s", "ours p95 s", "ours settled", "bare p50 s",
                     "bare p95 s", "bare settled", "p50 ratio"], rows,
                    ["l", "r", "r", "r", "r", "r", "r", "r"])


def summary_lines(res: LoadResult) -> list[str]:
    """Errors, wall time, server and client CPU, server memory for one app."""
    per = (res.peak_rss - res.idle_rss) / max(res.sessions, 1)
    return [f"- {res.kind}: {res.errors} of {res.sessions} sessions failed ({res.error_summary()});"
            f" wall {res.wall_s:.1f} s; server CPU {res.server_cpu_s:.1f} s, client CPU "
            f"(harness + chromedriver + Chromium) {res.client_cpu_s:.1f} s; server RSS "
            f"{fmt_mb(res.idle_rss)} MB before the sessions, peak {fmt_mb(res.peak_rss)} MB "
            f"(≈ {per / 2**20:,.0f} MB per session)"]


def load_section(ours: LoadResult, bare: LoadResult, *, step_deadline: float,
                 total_cap: float, server_notes: list[str] = ()) -> str:
    """The Markdown section of the session load."""
    return "\n".join([
        load_title(ours.sessions), "",
        f"{ours.sessions} headless Chromium sessions, started first (untimed), then all at "
        "once through the steps of section 11, on the server section 11 has just used (warm: "
        "its catalogue loaded, its caches filled by those runs); each step bounded by "
        f"{step_deadline:.0f} s, the run by {total_cap:.0f} s. p50/p95 over the sessions that "
        "settled the step (linear interpolation). Client and server share the machine's "
        "cores, so the browsers' CPU slows the server too: compare the ratio, and the server "
        "CPU apart from the client's. Per-session memory = (peak − RSS before the sessions) ÷ "
        "sessions.", "",
        load_table(ours, bare), "", *summary_lines(ours), *summary_lines(bare),
        *server_notes])


def load_title(sessions: int) -> str:
    """Title of the session-load section."""
    return f"## 12. {sessions} concurrent sessions (headless Chromium, loopback)"


def browser_sections(runs: int, sessions: int, *, step_deadline: float, total_cap: float,
                     log: Callable[[str], None] = print) -> tuple[str, str]:
    """Sections 10 and 11: per app one server, the single-session runs, then the load.

    Returns
    -------
    (str, str)
        The app-step and session-load sections (or why they were not run).
    """
    from benchmarks.app_steps import APP_TITLE, app_steps_section, server_errors, single_runs

    paths = browser_paths()
    why = ("Selenium, chromium or chromedriver is missing" if paths is None else "")
    if not why and importlib.util.find_spec("psutil") is None:
        why = "psutil is missing (.venv/bin/pip install psutil)"
    if why:
        return (f"{APP_TITLE}\n\nnot run: {why}.", f"{load_title(sessions)}\n\nnot run: {why}.")
    assert paths is not None
    logs = Path(tempfile.mkdtemp(prefix="bench_logs_"))
    single: dict[str, list[SessionResult]] = {}
    loads: dict[str, LoadResult] = {}
    notes: list[str] = []
    for kind in ("ours", "bare"):
        server = Server(kind, logs).start()
        try:
            single[kind] = single_runs(server, paths, runs, step_deadline, log)
            loads[kind] = run_load(server, paths, sessions, step_deadline=step_deadline,
                                   total_cap=total_cap, log=log)
        finally:
            server.stop()
        notes += [f"- {kind} server log: exception `{line}`" for line in server_errors(server)]
    log(f"server logs kept in {logs}")
    return (app_steps_section(single["ours"], single["bare"], notes),
            load_section(loads["ours"], loads["bare"], step_deadline=step_deadline,
                         total_cap=total_cap, server_notes=notes))
