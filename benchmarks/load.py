# ruff: noqa: D205, D401 - docstring wording as in scripts/ (exempt there from D)
"""Session load: N concurrent sessions through the app steps, ours and bare.

By default every session is a websocket client of :mod:`benchmarks.ws_load`, speaking
Streamlit's protocol without a browser: the sessions connect first (untimed), then all start
together and run :data:`benchmarks.app_steps.STEPS`, each step bounded by a per-step deadline
and the whole run by a total time cap. With ``client="browser"`` every session is its own
headless Chromium instead (started first, in parallel, untimed). The server's CPU seconds and
peak RSS (psutil, the server process and its children) are measured apart from the client's
(the harness, and with browsers chromedriver and Chromium), so the figures are not the
clients'.
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from benchmarks import ROOT, fmt_mb, fmt_s, md_table, percentile, ratio
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

#: The session clients: a websocket client (the default) or headless Chromium.
CLIENTS = ("websocket", "browser")


@dataclass
class LoadResult:
    """What one app did under ``sessions`` concurrent sessions.

    ``end_rss`` is the server's RSS when the run ended (sessions still connected, idle),
    ``after_rss`` :data:`benchmarks.ws_load.AFTER_CLOSE_S` after they were closed (None when
    not measured, as with browsers).
    """

    kind: str
    sessions: int
    results: list[SessionResult]
    wall_s: float
    server_cpu_s: float
    client_cpu_s: float
    idle_rss: int
    peak_rss: int
    start_errors: int = 0
    client: str = "browser"
    end_rss: int | None = None
    after_rss: int | None = None
    start_error_text: str = ""

    def step_times(self, step: str) -> list[float]:
        """Seconds of ``step`` in the sessions that settled it."""
        return [r.times[step] for r in self.results if step in r.times]

    def step_bytes(self, step: str) -> list[int]:
        """Bytes received in ``step`` by the sessions that settled it (websocket client)."""
        counts = (getattr(r, "nbytes", {}) for r in self.results)
        return [c[step] for c in counts if step in c]

    @property
    def errors(self) -> int:
        """Sessions that failed a step or never started."""
        return sum(1 for r in self.results if r.error) + self.start_errors

    def error_summary(self) -> str:
        """Failures by step and reason, most frequent first."""
        counts = Counter(f"{r.failed_step}: {r.error}" for r in self.results if r.error)
        if self.start_errors:
            what = "did not connect" if self.client == "websocket" else "browser did not start"
            counts[f"{what}{': ' if self.start_error_text else ''}"
                   f"{self.start_error_text}"] += self.start_errors
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


def run_ws(server: Server, sessions: int, *, step_deadline: float, total_cap: float,
           log: Callable[[str], None] = print) -> LoadResult:
    """``sessions`` websocket sessions at once on ``server`` (after one untimed warm-up)."""
    from benchmarks.ws_load import run_ws_load

    raw = run_ws_load(server, sessions, step_deadline=step_deadline, total_cap=total_cap,
                      log=log)
    return LoadResult(server.kind, sessions, list(raw.results), raw.wall_s, raw.server_cpu_s,
                      raw.client_cpu_s, raw.idle_rss, raw.peak_rss,
                      start_errors=len(raw.connect_errors), client="websocket",
                      end_rss=raw.end_rss, after_rss=raw.after_rss,
                      start_error_text=raw.connect_errors[0] if raw.connect_errors else "")


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


def fmt_kb(nbytes: float) -> str:
    """Bytes as whole KB (KiB), or an em dash for NaN."""
    return fmt_s(nbytes / 1024, 0) if nbytes == nbytes else "—"


def bytes_table(ours: LoadResult, bare: LoadResult) -> str:
    """Median KB the server sent one session per step, both apps."""
    rows = []
    for step in STEP_NAMES:
        o, b = ours.step_bytes(step), bare.step_bytes(step)
        rows.append([step, fmt_kb(percentile(o, 50)), fmt_kb(percentile(b, 50)),
                     ratio(percentile(o, 50), percentile(b, 50))])
    return md_table(["step", "ours KB", "bare KB", "ratio"], rows, ["l", "r", "r", "r"])


def per_session_mb(res: LoadResult, rss: int | None) -> str:
    """``(rss − RSS before the sessions) ÷ sessions`` in MB, or an em dash."""
    if rss is None:
        return "—"
    return f"{(rss - res.idle_rss) / max(res.sessions, 1) / 2**20:,.1f}"


def client_label(res: LoadResult) -> str:
    """What the client CPU covers."""
    if res.client == "websocket":
        return "harness process: websocket client, protobuf parsing, meter"
    return "harness + chromedriver + Chromium"


def summary_lines(res: LoadResult) -> list[str]:
    """Errors, wall time, server and client CPU, server memory for one app."""
    memory = (f"server RSS {fmt_mb(res.idle_rss)} MB before the sessions, peak "
              f"{fmt_mb(res.peak_rss)} MB (≈ {per_session_mb(res, res.peak_rss)} MB per "
              "session)")
    if res.end_rss is not None:
        memory += (f", {fmt_mb(res.end_rss)} MB at the end with the sessions still connected "
                   f"(≈ {per_session_mb(res, res.end_rss)} MB held per session)")
    if res.after_rss is not None:
        from benchmarks.ws_load import AFTER_CLOSE_S

        memory += (f", {fmt_mb(res.after_rss)} MB {AFTER_CLOSE_S:.0f} s after they "
                   f"disconnected (≈ {per_session_mb(res, res.after_rss)} MB per session)")
    return [f"- {res.kind}: {res.errors} of {res.sessions} sessions failed ({res.error_summary()});"
            f" wall {res.wall_s:.1f} s; server CPU {res.server_cpu_s:.1f} s, client CPU "
            f"({client_label(res)}) {res.client_cpu_s:.1f} s; {memory}"]


BROWSER_TEXT = (
    "{n} headless Chromium sessions, started first (untimed), then all at once through the "
    "steps of section 11, on the server section 11 has just used (warm: its catalogue loaded, "
    "its caches filled by those runs); each step bounded by {deadline:.0f} s, the run by "
    "{cap:.0f} s. p50/p95 over the sessions that settled the step (linear interpolation). "
    "Client and server share the machine's cores, so the browsers' CPU slows the server too: "
    "compare the ratio, and the server CPU apart from the client's. Per-session memory = "
    "(peak − RSS before the sessions) ÷ sessions.")
WEBSOCKET_TEXT = (
    "{n} sessions of `benchmarks/ws_load.py`, a client of Streamlit's own websocket protocol "
    "(`/_stcore/stream`, protobuf `BackMsg` / `ForwardMsg`) with no browser, on one asyncio "
    "event loop in the harness process. They connect first (untimed), then all at once send "
    "the steps of section 11 as the frontend sends them: `rerun_script` of the default page, "
    "the same with the widget state of the 产业原文 box set to 膜材料, then `rerun_script` "
    "with the page script hash of each page from the server's `navigation` message. A step "
    "runs from sending its message until that run's `script_finished` arrives (an "
    "`exception` element, `page_not_found` or the deadline fails it); each step bounded by "
    "{deadline:.0f} s, the run by {cap:.0f} s. This is the server's work, script runs and "
    "sending their messages: nothing is drawn and no component reports a value back (the "
    "maps' `st_folium` state), so a step here is shorter than the same step in a browser — "
    "browser drawing is section 11. The server is warm: one untimed websocket session ran "
    "the steps first (after the browser runs of section 11, when they ran). p50/p95 over the "
    "sessions that settled the step (linear interpolation). Memory: what is shared is the "
    "RSS before the sessions (the process, the catalogue and the caches, "
    "`st.cache_resource` / `st.cache_data`, filled by the warm-up); each session costs "
    "(RSS − RSS before) ÷ sessions, at the peak and at the end with the sessions connected "
    "and idle (their session state and last messages). A closed session is kept for "
    "reconnection for `server.disconnectedSessionTTL` (120 s by default) and dropped lazily "
    "after that, so the RSS {after:.0f} s after closing still holds it; freed Python memory "
    "is also not always given back to the system.")


def load_section(ours: LoadResult, bare: LoadResult, *, step_deadline: float,
                 total_cap: float, server_notes: Sequence[str] = ()) -> str:
    """The Markdown section of the session load."""
    from benchmarks.ws_load import AFTER_CLOSE_S

    websocket = ours.client == "websocket"
    text = (WEBSOCKET_TEXT if websocket else BROWSER_TEXT).format(
        n=ours.sessions, deadline=step_deadline, cap=total_cap, after=AFTER_CLOSE_S)
    received = (["", "KB the server sent one session per step (median; messages as received, "
                 "after permessage-deflate is undone):", "", bytes_table(ours, bare)]
                if websocket else [])
    return "\n".join([
        load_title(ours.sessions, ours.client), "", text, "",
        load_table(ours, bare), *received, "", *summary_lines(ours), *summary_lines(bare),
        server_settings(), *server_notes])


def server_settings() -> str:
    """The Streamlit settings both servers ran with (they start in the project folder, so its
    ``.streamlit/config.toml`` applies to ours and the bare app alike; the environment wins)."""
    import tomllib

    config = ROOT / ".streamlit" / "config.toml"
    doc = tomllib.loads(config.read_text(encoding="utf-8")) if config.is_file() else {}
    watcher = os.environ.get("STREAMLIT_SERVER_FILE_WATCHER_TYPE") or doc.get(
        "server", {}).get("fileWatcherType", "auto")
    gc_after = os.environ.get("STREAMLIT_RUNNER_POST_SCRIPT_GC") or doc.get(
        "runner", {}).get("postScriptGC", True)
    return (f"- both servers (started in the project folder, `.streamlit/config.toml`): "
            f"`server.fileWatcherType` = {watcher}, `runner.postScriptGC` = "
            f"{str(gc_after).lower()}")


def load_title(sessions: int, client: str = "websocket") -> str:
    """Title of the session-load section."""
    how = ("Streamlit websocket client" if client == "websocket" else "headless Chromium")
    return f"## 12. {sessions} concurrent sessions ({how}, loopback)"


def missing(load_client: str | None, app_steps: bool) -> tuple[str | None, str | None]:
    """Why the app steps and why the load cannot run: "" when they can, None when not asked."""
    base = ("psutil is missing (.venv/bin/pip install psutil)"
            if importlib.util.find_spec("psutil") is None else "")
    browser = base or ("Selenium, chromium or chromedriver is missing"
                       if browser_paths() is None else "")
    if load_client == "websocket":
        load_why: str | None = base or ("websockets is missing (a dependency of streamlit)"
                                        if importlib.util.find_spec("websockets") is None
                                        else "")
    else:
        load_why = None if load_client is None else browser
    return (browser if app_steps else None), load_why


def not_run(title: str, why: str) -> str:
    """A section that could not run, and why."""
    return f"{title}\n\nnot run: {why}."


def run_one_server(kind: str, logs: Path, runs: int, sessions: int, *, load_client: str | None,
                   app_steps: bool, step_deadline: float, total_cap: float,
                   log: Callable[[str], None]) -> tuple[list[SessionResult], LoadResult | None,
                                                        list[str]]:
    """On one server of ``kind``: the single-session browser runs (``app_steps``) and the
    load (``load_client``, None for none); (single runs, load, notes of exceptions in the
    server's log).
    """
    from benchmarks.app_steps import server_errors, single_runs

    server = Server(kind, logs).start()
    single: list[SessionResult] = []
    load = None
    try:
        paths = browser_paths()
        if app_steps and paths is not None:
            single = single_runs(server, paths, runs, step_deadline, log)
        if load_client == "websocket":
            load = run_ws(server, sessions, step_deadline=step_deadline, total_cap=total_cap,
                          log=log)
        elif load_client == "browser" and paths is not None:
            load = run_load(server, paths, sessions, step_deadline=step_deadline,
                            total_cap=total_cap, log=log)
    finally:
        server.stop()
    notes = [f"- {kind} server log: exception `{line}`" for line in server_errors(server)]
    return single, load, notes


def app_sections(runs: int, sessions: int, *, step_deadline: float, total_cap: float,
                 load_client: str | None = "websocket", app_steps: bool = True,
                 log: Callable[[str], None] = print) -> dict[str, str]:
    """Section 11 (with ``app_steps``) and section 12 (``load_client`` "websocket" or
    "browser"; None leaves it out) as marker key → Markdown: per app one server, the
    single-session browser runs on it, then the load.
    """
    from benchmarks.app_steps import APP_TITLE, app_steps_section

    steps_why, load_why = missing(load_client, app_steps)
    runs_steps, runs_load = steps_why == "", load_why == ""
    single: dict[str, list[SessionResult]] = {"ours": [], "bare": []}
    loads: dict[str, LoadResult | None] = {"ours": None, "bare": None}
    notes: list[str] = []
    if runs_steps or runs_load:
        logs = Path(tempfile.mkdtemp(prefix="bench_logs_"))
        for kind in ("ours", "bare"):
            single[kind], loads[kind], found = run_one_server(
                kind, logs, runs, sessions, load_client=load_client if runs_load else None,
                app_steps=runs_steps, step_deadline=step_deadline, total_cap=total_cap,
                log=log)
            notes += found
        log(f"server logs kept in {logs}")
    blocks: dict[str, str] = {}
    if steps_why is not None:
        blocks["app-steps"] = (not_run(APP_TITLE, steps_why) if steps_why else
                               app_steps_section(single["ours"], single["bare"], notes))
    ours, bare = loads["ours"], loads["bare"]
    if load_why is not None and load_client is not None:
        blocks["session-load"] = (
            load_section(ours, bare, step_deadline=step_deadline, total_cap=total_cap,
                         server_notes=notes) if ours and bare
            else not_run(load_title(sessions, load_client), load_why or "no result"))
    return blocks


def browser_sections(runs: int, sessions: int, *, step_deadline: float, total_cap: float,
                     log: Callable[[str], None] = print, load_client: str = "websocket"
                     ) -> tuple[str, str]:
    """Sections 11 and 12 (see :func:`app_sections`) as (app steps, session load)."""
    blocks = app_sections(runs, sessions, step_deadline=step_deadline, total_cap=total_cap,
                          load_client=load_client, log=log)
    return blocks["app-steps"], blocks["session-load"]
