# ruff: noqa: D205, D401 - docstring wording as in scripts/ (exempt there from D)
"""The app's pages in headless Chromium, step by step, against the bare Streamlit app.

A session opens 地图总览, types 膜材料 into the sidebar's 产业原文 filter, then follows the
sidebar's links to 亩均效益, 低效用地 and back to 亩均效益 (a revisit). Each step is timed from
the action until the page has settled: the page's title is shown, no ``stStatusWidget`` says it
is running, no spinner, skeleton or stale element is left, every map iframe holds a drawn
Leaflet map, and the main area is unchanged over two polls (the time is that of the first of
them). Servers run as ``streamlit run`` child processes on free loopback ports, ours with
``NINGBO_WORK_DIR`` a temporary folder; the bare app is ``benchmarks/bare_app.py``.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import statistics
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from benchmarks import PYTHON, ROOT, fmt_s, md_table, ratio, which

if TYPE_CHECKING:
    import psutil
    from selenium.webdriver.remote.webdriver import WebDriver

PHRASE_LABEL = "产业原文（如 膜材料、智能电器）"
PHRASE = "膜材料"
#: (step name, page title shown when settled, action kind, argument).
STEPS: tuple[tuple[str, str, str, str], ...] = (
    ("open 地图总览", "地图总览", "open", "/"),
    (f"filter 产业原文 = {PHRASE}", "地图总览", "type", PHRASE),
    ("open 亩均效益", "亩均效益", "nav", "亩均效益"),
    ("open 低效用地", "低效用地", "nav", "低效用地"),
    ("revisit 亩均效益", "亩均效益", "nav", "亩均效益"),
)
STEP_NAMES = tuple(s[0] for s in STEPS)
POLL_S = 0.2
#: How long an action that never showed the app busy waits before its page counts as settled.
GRACE_S = 1.0
STARTUP_S = 90
CHROME_ARGS = ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
               "--window-size=1600,1200", "--disable-extensions", "--no-first-run")

#: One poll of the page: busy or not, the first title, and a fingerprint of the main area.
STATE_JS = """
const main = document.querySelector('[data-testid="stMain"]')
  || document.querySelector('[data-testid="stAppViewContainer"]') || document.body;
const status = document.querySelector('[data-testid="stStatusWidget"]');
const busy = [];
if (status && /Running|Stop|运行|停止/.test(status.innerText || '')) busy.push('running');
if (document.querySelector('[data-testid="stSpinner"]')) busy.push('spinner');
if (document.querySelector('[data-testid="stSkeleton"]')) busy.push('skeleton');
if (main.querySelector('[data-stale="true"]')) busy.push('stale');
let paths = 0;
for (const f of main.querySelectorAll('iframe')) {
  let doc = null;
  try { doc = f.contentDocument; } catch (e) { doc = null; }
  if (!doc) continue;
  if (doc.readyState !== 'complete') { busy.push('iframe loading'); continue; }
  const w = f.contentWindow;
  if (doc.querySelector('.folium-map') && !(w.L && doc.querySelector('.leaflet-pane'))) {
    busy.push('map drawing'); continue;
  }
  paths += doc.querySelectorAll('.leaflet-overlay-pane path').length;
}
const h1 = main.querySelector('h1');
const text = main.innerText || '';
let hash = 0;
for (let i = 0; i < text.length; i++) { hash = (hash * 31 + text.charCodeAt(i)) | 0; }
const exc = main.querySelector('[data-testid="stException"]');
const error = exc ? ('exception: ' + (exc.innerText || '').slice(0, 120)) : '';
return {busy: busy.join(','), title: h1 ? h1.innerText.trim() : '',
        print: text.length + ':' + hash + ':' + paths, error: error};
"""


def browser_paths() -> tuple[str, str] | None:
    """(chromium, chromedriver) when both and Selenium are available, else None."""
    try:
        import selenium  # noqa: F401
    except ImportError:
        return None
    chromium = which("chromium") or which("chromium-browser")
    driver = which("chromedriver")
    return (chromium, driver) if chromium and driver else None


def new_driver(paths: tuple[str, str]) -> WebDriver:
    """A headless Chromium session through the local chromedriver (never downloads)."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    os.environ.setdefault("SE_OFFLINE", "true")
    options = webdriver.ChromeOptions()
    options.binary_location = paths[0]
    for arg in CHROME_ARGS:
        options.add_argument(arg)
    driver = webdriver.Chrome(options=options, service=Service(executable_path=paths[1]))
    driver.set_page_load_timeout(120)
    return driver


# --------------------------------------------------------------------------- servers


class Server:
    """``streamlit run`` of ours or the bare app on a free port, in its own process group."""

    def __init__(self, kind: str, log_dir: Path) -> None:
        self.kind, self.log = kind, log_dir / f"{kind}.log"
        self.tmp = Path(tempfile.mkdtemp(prefix=f"bench_{kind}_"))
        self.proc = None
        self.port = 0

    @property
    def url(self) -> str:
        """The server's base URL."""
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> Server:
        """Start and wait for ``/_stcore/health``; raise RuntimeError with the log's tail."""
        from tests.support.browser import free_port, start, tail, wait_for

        env = {k: v for k, v in os.environ.items() if k != "NINGBO_PARKS_DIR"}
        if self.kind == "ours":
            script = "streamlit_app.py"
            env["NINGBO_WORK_DIR"] = str(self.tmp / "work")
        else:  # bare: a copy beside a link to static/, so Leaflet is served locally too
            shutil.copy(ROOT / "benchmarks" / "bare_app.py", self.tmp / "bare_app.py")
            (self.tmp / "static").symlink_to(ROOT / "static")
            script = str(self.tmp / "bare_app.py")
            env["BENCH_ROOT"] = str(ROOT)
        self.port = free_port()
        self.proc = start([PYTHON, "-m", "streamlit", "run", script, "--server.port",
                           str(self.port), "--server.address", "127.0.0.1",
                           "--server.headless", "true", "--server.enableStaticServing", "true",
                           "--browser.gatherUsageStats", "false"], self.log, env)
        why = wait_for(f"{self.url}/_stcore/health", self.proc, timeout=STARTUP_S, body="ok")
        if why:
            self.stop()
            raise RuntimeError(f"{self.kind} server did not start: {why}{tail(self.log)}")
        return self

    def stop(self) -> None:
        """Stop the server's process group and remove its temporary folder."""
        from tests.support.browser import stop

        if self.proc is not None:
            stop(self.proc)
            self.proc = None
        shutil.rmtree(self.tmp, ignore_errors=True)


class ServerMeter:
    """CPU seconds (user + system, the server and its children) and peak RSS of a server,
    polled every 0.2 s while running; psutil (a dependency of the benchmarks).
    """

    def __init__(self, pid: int) -> None:
        import psutil

        self.proc = psutil.Process(pid)
        self.idle_rss = self._rss()
        self.peak_rss = self.idle_rss
        self._cpu0 = self._cpu()
        self.cpu_s = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._poll, daemon=True)

    def _procs(self) -> list[psutil.Process]:
        import psutil

        try:
            return [self.proc, *self.proc.children(recursive=True)]
        except psutil.Error:
            return []

    def _rss(self) -> int:
        import psutil

        total = 0
        for p in self._procs():
            with contextlib.suppress(psutil.Error):
                total += p.memory_info().rss
        return total

    def _cpu(self) -> float:
        import psutil

        total = 0.0
        for p in self._procs():
            try:
                t = p.cpu_times()
                total += t.user + t.system
            except psutil.Error:
                pass
        return total

    def _poll(self) -> None:
        while not self._stop.wait(0.2):
            self.peak_rss = max(self.peak_rss, self._rss())

    def __enter__(self) -> ServerMeter:
        self._cpu0 = self._cpu()
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak_rss = max(self.peak_rss, self._rss())
        self.cpu_s = self._cpu() - self._cpu0


def client_cpu(exclude_pid: int | None = None) -> float:
    """CPU seconds so far of this process's live children (chromedriver, Chromium), the
    server's tree excluded, plus this process's own.
    """
    import psutil

    me = psutil.Process()
    skip: set[int] = set()
    if exclude_pid:
        try:
            server = psutil.Process(exclude_pid)
            skip = {exclude_pid, *(c.pid for c in server.children(recursive=True))}
        except psutil.Error:
            pass
    total = sum(os.times()[:2])
    for child in me.children(recursive=True):
        if child.pid in skip:
            continue
        try:
            t = child.cpu_times()
            total += t.user + t.system
        except psutil.Error:
            pass
    return total


# --------------------------------------------------------------------------- a session


@dataclass
class SessionResult:
    """Seconds per step name (settled steps only) and the error of the first failing step."""

    times: dict[str, float] = field(default_factory=dict)
    error: str = ""
    failed_step: str = ""


def page_state(driver: WebDriver) -> dict:
    """One poll of :data:`STATE_JS` (busy, title, print, error); busy when unreadable."""
    from selenium.common.exceptions import WebDriverException

    try:
        state = driver.execute_script(STATE_JS)
    except WebDriverException as exc:
        return {"busy": f"unreadable: {type(exc).__name__}", "title": "", "print": "",
                "error": ""}
    return state or {"busy": "no state", "title": "", "print": "", "error": ""}


def wait_settled(driver: WebDriver, title: str, before: str | None, deadline: float, started: float
                 ) -> tuple[float, str]:
    """Poll until the page has settled on ``title`` (and, with ``before``, its main area
    differs from ``before``); (monotonic time it settled, "" or why not).

    Settled: idle and unchanged over two polls, after the rerun was seen busy or, when it never
    was (faster than a poll), :data:`GRACE_S` after ``started`` — so the old page, still idle
    just after the action, is not taken for the new one. The time is the first poll of the
    final idle, unchanged streak.
    """
    last, streak_start, streak, seen_busy = None, 0.0, 0, False
    while True:
        now = time.monotonic()
        state = page_state(driver)
        if state.get("error"):
            return now, " ".join(str(state["error"]).split())
        seen_busy = seen_busy or bool(state["busy"])
        idle = (not state["busy"] and title in state["title"]
                and (before is None or state["print"] != before))
        if not idle:
            last, streak = None, 0
        elif state["print"] != last:
            last, streak_start, streak = state["print"], now, 1
        else:
            streak += 1
        if streak >= 2 and (seen_busy or now - started >= GRACE_S):
            return streak_start, ""
        if now > deadline:
            return now, (f"step deadline: busy={state['busy'] or '-'}, title="
                         f"{state['title'] or '-'!r}")
        time.sleep(POLL_S)


def act(driver: WebDriver, base_url: str, kind: str, arg: str, deadline: float) -> None:
    """Perform one step's action (open a URL, type into the filter, follow a sidebar link)."""
    from selenium.common.exceptions import WebDriverException
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    if kind == "open":
        driver.get(base_url + arg)
        return
    while True:
        try:
            if kind == "type":
                box = driver.find_element(By.CSS_SELECTOR, f'input[aria-label="{PHRASE_LABEL}"]')
                box.clear()
                box.send_keys(arg + Keys.ENTER)
                return
            for link in driver.find_elements(By.CSS_SELECTOR,
                                             '[data-testid="stSidebarNav"] a'):
                if arg in link.text:
                    link.click()
                    return
        except WebDriverException:
            pass
        if time.monotonic() > deadline:
            raise TimeoutError(f"no {'filter box' if kind == 'type' else 'link ' + arg}")
        time.sleep(POLL_S)


def run_session(driver: WebDriver, base_url: str, *, step_deadline: float, stop_at: float
                ) -> SessionResult:
    """Drive one browser through :data:`STEPS`; stop at the first failure or at ``stop_at``
    (monotonic, the total cap).
    """
    result = SessionResult()
    for name, title, kind, arg in STEPS:
        if time.monotonic() >= stop_at:
            result.error, result.failed_step = "total time cap", name
            break
        deadline = min(time.monotonic() + step_deadline, stop_at)
        before = page_state(driver)["print"] if kind == "type" else None
        start = time.monotonic()
        try:
            act(driver, base_url, kind, arg, deadline)
        except Exception as exc:  # noqa: BLE001 - a failed step is a result, not a crash
            result.error, result.failed_step = f"{type(exc).__name__}: {exc}"[:160], name
            break
        settled, why = wait_settled(driver, title, before, deadline, start)
        if why:
            result.error, result.failed_step = why, name
            break
        result.times[name] = settled - start
    return result


# --------------------------------------------------------------------------- the section


def single_runs(server: Server, paths: tuple[str, str], runs: int, step_deadline: float,
                log: Callable[[str], None]) -> list[SessionResult]:
    """``runs`` sessions one after another (a fresh browser each) on a running server; the
    first meets a freshly started server.
    """
    results = []
    for i in range(runs):
        driver = new_driver(paths)
        try:
            res = run_session(driver, server.url, step_deadline=step_deadline,
                              stop_at=time.monotonic() + step_deadline * len(STEPS))
        finally:
            driver.quit()
        log(f"app steps {server.kind} run {i + 1}: "
            + ", ".join(f"{k} {v:.2f}s" for k, v in res.times.items())
            + (f"; error at {res.failed_step}: {res.error}" if res.error else ""))
        results.append(res)
    return results


def server_errors(server: Server, limit: int = 3) -> list[str]:
    """The last distinct exception lines of the server's log (tracebacks' final lines)."""
    if not server.log.exists():
        return []
    lines = server.log.read_text(encoding="utf-8", errors="replace").splitlines()
    found: list[str] = []
    for i, line in enumerate(lines):
        if line.startswith("Traceback"):
            end = next((j for j in range(i + 1, len(lines))
                        if lines[j] and not lines[j].startswith((" ", "\t"))), None)
            if end is not None and lines[end] not in found:
                found.append(lines[end][:200])
    return found[-limit:]


def step_median(results: list[SessionResult], step: str) -> float | None:
    """Median seconds of ``step`` over the sessions that settled it."""
    got = [r.times[step] for r in results if step in r.times]
    return statistics.median(got) if got else None


APP_TITLE = "## 11. App steps in headless Chromium (示例数据)"


def app_steps_section(ours: list[SessionResult], bare: list[SessionResult],
                      server_notes: list[str] = ()) -> str:
    """The Markdown section of the app steps, ours and bare."""
    title, runs = APP_TITLE, len(ours)
    rows = []
    for step in STEP_NAMES:
        o, b = step_median(ours, step), step_median(bare, step)
        rows.append([step, fmt_s(o), fmt_s(b), ratio(o, b),
                     "OK" if o is not None and o < 3 else ("—" if o is None else "OVER")])
    errors = [f"- {kind} run {i + 1}: failed at {r.failed_step}: {r.error}"
              for kind, res in (("ours", ours), ("bare", bare))
              for i, r in enumerate(res) if r.error]
    return "\n".join([
        title, "",
        f"One session at a time, {runs} fresh browser session(s) per app (the first on a "
        "freshly started server, so its 地图总览 includes the catalogue load), median seconds "
        "from the action (URL opened, filter typed + Enter, sidebar link clicked) until the "
        "page settled: its title shown, not running, no spinner or stale element, every map "
        "iframe drawn, the main area unchanged over two polls "
        f"({POLL_S:.1f} s apart, so ±{POLL_S:.1f} s; the time is the first of them), after the "
        f"rerun was seen running (or {GRACE_S:.0f} s without it). Budget from the issue: under "
        "3 s per page. Bare app: `benchmarks/bare_app.py` (geopandas reads cached per "
        "process, folium map via `st_folium`, a dataframe).", "",
        md_table(["step", "ours s", "bare s", "ratio", "< 3 s"], rows,
                 ["l", "r", "r", "r", "l"]),
        *([""] + errors if errors else []), *server_notes])
