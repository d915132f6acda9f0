# ruff: noqa: D205, D401 - docstring wording as in scripts/ (exempt there from D)
"""Session load through Streamlit's own websocket protocol: no browser, so the figures are the
server's.

Each session is a websocket to ``ws://127.0.0.1:PORT/_stcore/stream`` (subprotocol
``streamlit``, no ``Origin`` header, no cookies: the server accepts such a client and only
needs the XSRF token for the login cookie, which these sessions do not have). It sends the
``BackMsg``s the frontend would send for :data:`benchmarks.app_steps.STEPS` — ``rerun_script``
of the default page; the same with the widget state of the sidebar text input labelled
:data:`~benchmarks.app_steps.PHRASE_LABEL` (its id read from the ``text_input`` element the
server sent) set to :data:`~benchmarks.app_steps.PHRASE`; then ``rerun_script`` with the
``page_script_hash`` of 亩均效益, 低效用地 and 亩均效益 again (from the ``navigation`` message's
``app_pages``), the phrase kept as the frontend keeps it. A step is timed from sending its
``BackMsg`` until ``script_finished`` (``FINISHED_SUCCESSFULLY``) of that run arrives; it fails
on an ``exception`` element, on ``page_not_found``, on a compile error or at its deadline. The
client reports no cached message hashes, so the server sends every message in full (never a
``ref_hash``) and the bytes counted per step are all it sent.

What this measures is the server's work: script runs and sending their messages. Nothing is
drawn, no component iframe runs, so the values that come back from the browser (``st_folium``'s
map state, for one) are never sent — exactly as a browser whose maps had not yet reported.
Drawing in a browser is section 11 (headless Chromium, one session at a time).

Sessions connect first (untimed), then all start together on one asyncio event loop in this
process; its own CPU time is the client CPU, reported apart from the server's. When they are
done they are closed and the server's RSS is read again :data:`AFTER_CLOSE_S` later: Streamlit
1.67 keeps a disconnected session for reconnection for ``server.disconnectedSessionTTL``
(120 s by default, in a ``TTLCache`` that drops expired entries only when next touched), so
that figure still holds the sessions.

Run on a quiet checkout: an edit to a project module during a run makes Streamlit's file
watcher (``server.fileWatcherType`` "auto") evict the project's modules from ``sys.modules``
at the start of the next script run, while other sessions' runs are importing them
(``KeyError: 'geo'`` and the like in the server log). ``STREAMLIT_SERVER_FILE_WATCHER_TYPE=none``
in the environment turns the watcher off for the servers the harness starts.
"""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from benchmarks.app_steps import PHRASE_LABEL, STEPS, Server, ServerMeter, SessionResult

if TYPE_CHECKING:
    from streamlit.proto.AppPage_pb2 import AppPage
    from streamlit.proto.BackMsg_pb2 import BackMsg
    from streamlit.proto.Exception_pb2 import Exception as ExceptionProto
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
    from websockets.asyncio.client import ClientConnection

STREAM_PATH = "/_stcore/stream"
#: Largest message accepted (the server's default ``server.maxMessageSize`` is 200 MB).
MAX_MESSAGE = 256 * 2**20
CONNECT_S = 30.0
#: Seconds after closing the sessions before the server's RSS is read again.
AFTER_CLOSE_S = 10.0


@dataclass
class WsSessionResult(SessionResult):
    """A websocket session: seconds and bytes received per settled step, the first error."""

    nbytes: dict[str, int] = field(default_factory=dict)


@dataclass
class Run:
    """What one script run sent: bytes, exception and heading texts, whether it finished, and
    why not.
    """

    nbytes: int = 0
    exceptions: list[str] = field(default_factory=list)
    headings: list[str] = field(default_factory=list)
    error: str = ""
    finished: bool = False


class StreamlitSession:
    """One websocket session speaking the frontend's side of the protocol."""

    def __init__(self, ws: ClientConnection) -> None:
        self.ws = ws
        self.pages: dict[str, str] = {}
        self.page_hash = ""
        self.widget_ids: dict[str, str] = {}
        self.widget_states: dict[str, str] = {}
        self.query_string = ""

    async def run(self, back: BackMsg, deadline: float) -> Run:
        """Send ``back`` and read until its script run finishes or ``deadline`` (monotonic)."""
        await self.ws.send(back.SerializeToString())
        run = Run()
        while not run.finished and not run.error:
            left = deadline - time.monotonic()
            if left <= 0:
                run.error = "step deadline"
                break
            try:
                data = await asyncio.wait_for(self.ws.recv(decode=False), left)
            except TimeoutError:
                run.error = "step deadline"
                break
            run.nbytes += len(data)
            self.read(data, run)
        if run.exceptions and not run.error:
            run.error = run.exceptions[0]
        return run

    def read(self, data: bytes, run: Run) -> None:
        """Take in one ForwardMsg: pages, widget ids, exceptions and the end of the run."""
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

        msg = ForwardMsg()
        msg.ParseFromString(data)
        kind = msg.WhichOneof("type")
        if kind == "new_session":
            self.page_hash = msg.new_session.page_script_hash
            self.add_pages(msg.new_session.app_pages)
        elif kind == "navigation":
            self.page_hash = msg.navigation.page_script_hash or self.page_hash
            self.add_pages(msg.navigation.app_pages)
        elif kind == "delta":
            self.read_delta(msg, run)
        elif kind == "page_info_changed":
            self.query_string = msg.page_info_changed.query_string
        elif kind == "page_not_found":
            run.error = f"page not found: {msg.page_not_found.page_name!r}"
        elif kind == "script_finished":
            self.finish(msg, run)

    def add_pages(self, pages: Iterable[AppPage]) -> None:
        """Remember page titles and URL paths → page script hash."""
        for page in pages:
            self.pages[page.page_name] = page.page_script_hash
            if page.url_pathname:
                self.pages.setdefault(page.url_pathname, page.page_script_hash)

    def read_delta(self, msg: ForwardMsg, run: Run) -> None:
        """Widget ids by label, the texts of headings and of exception elements."""
        if msg.delta.WhichOneof("type") != "new_element":
            return
        element = msg.delta.new_element
        which = element.WhichOneof("type")
        if which == "text_input":
            self.widget_ids[element.text_input.label] = element.text_input.id
        elif which == "heading":
            run.headings.append(element.heading.body)
        elif which == "exception":
            run.exceptions.append(exception_text(element.exception))

    def finish(self, msg: ForwardMsg, run: Run) -> None:
        """Mark ``run`` finished, or failed on a compile error (an early stop is not the end)."""
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

        status = msg.script_finished
        if status == ForwardMsg.FINISHED_SUCCESSFULLY:
            run.finished = True
        elif status == ForwardMsg.FINISHED_WITH_COMPILE_ERROR:
            run.error = "script compile error"

    def rerun(self, page: str | None = None) -> BackMsg:
        """A ``rerun_script`` BackMsg of ``page`` (a title or URL path; None: the current page,
        its query string kept) with the widget states set so far.
        """
        from streamlit.proto.BackMsg_pb2 import BackMsg

        back = BackMsg()
        state = back.rerun_script
        if page is not None:
            if page not in self.pages:
                raise LookupError(f"no page {page!r} in navigation")
            self.page_hash, self.query_string = self.pages[page], ""
        state.page_script_hash = self.page_hash
        state.query_string = self.query_string
        for wid, value in self.widget_states.items():
            widget = state.widget_states.widgets.add()
            widget.id = wid
            widget.string_value = value
        return back

    def type_into(self, label: str, text: str) -> BackMsg:
        """The rerun after typing ``text`` into the text input labelled ``label``."""
        if label not in self.widget_ids:
            raise LookupError(f"no text input {label!r}")
        self.widget_states[self.widget_ids[label]] = text
        return self.rerun()


def exception_text(exc: ExceptionProto) -> str:
    """An exception element in short: kind, type and message (a redacted one, with
    ``client.showErrorDetails = "none"``, as such: its text is in the server's log).
    """
    what = "warning" if exc.is_warning else "exception"
    if not exc.type:
        return f"{what} (redacted in the client; see the server log)"
    return f"{what}: {exc.type}: {exc.message}"[:160]


def first_rerun() -> BackMsg:
    """The BackMsg the frontend sends on opening the app at ``/``: rerun of the default page."""
    from streamlit.proto.BackMsg_pb2 import BackMsg

    back = BackMsg()
    back.rerun_script.query_string = ""
    back.rerun_script.page_script_hash = ""
    return back


async def connect(port: int) -> ClientConnection:
    """A websocket to the server's stream endpoint, as the frontend opens it."""
    from websockets.asyncio.client import connect as ws_connect
    from websockets.typing import Subprotocol

    return await ws_connect(f"ws://127.0.0.1:{port}{STREAM_PATH}",
                            subprotocols=[Subprotocol("streamlit")],
                            max_size=MAX_MESSAGE, proxy=None, open_timeout=CONNECT_S)


def step_message(session: StreamlitSession, kind: str, arg: str) -> BackMsg:
    """The BackMsg of one step of :data:`STEPS` (open, type or nav)."""
    if kind == "open":
        return first_rerun()
    if kind == "type":
        return session.type_into(PHRASE_LABEL, arg)
    return session.rerun(arg)


async def run_steps(session: StreamlitSession, *, step_deadline: float, stop_at: float
                    ) -> WsSessionResult:
    """Drive one connected session through :data:`STEPS`; stop at the first failure or at
    ``stop_at`` (monotonic, the total cap).
    """
    result = WsSessionResult()
    for name, title, kind, arg in STEPS:
        if time.monotonic() >= stop_at:
            result.error, result.failed_step = "total time cap", name
            break
        try:
            back = step_message(session, kind, arg)
        except LookupError as exc:
            result.error, result.failed_step = str(exc).strip("'\""), name
            break
        start = time.monotonic()
        try:
            run = await session.run(back, min(start + step_deadline, stop_at))
        except Exception as exc:  # noqa: BLE001 - a failed step is a result, not a crash
            result.error, result.failed_step = f"{type(exc).__name__}: {exc}"[:160], name
            break
        if not run.error and not any(title in h for h in run.headings):
            run.error = f"no heading {title!r} (headings: {', '.join(run.headings)[:80]})"
        if run.error:
            result.error, result.failed_step = run.error, name
            break
        result.times[name] = time.monotonic() - start
        result.nbytes[name] = run.nbytes
    return result


@dataclass
class WsLoad:
    """The raw figures of one websocket load run."""

    results: list[WsSessionResult]
    connect_errors: list[str]
    wall_s: float
    server_cpu_s: float
    client_cpu_s: float
    idle_rss: int
    peak_rss: int
    end_rss: int
    after_rss: int


def own_cpu() -> float:
    """User + system CPU seconds of this process so far."""
    times = os.times()
    return times.user + times.system


async def open_sessions(port: int, n: int) -> tuple[list[StreamlitSession], list[str]]:
    """Connect ``n`` sessions at once; (sessions, errors of those that did not connect)."""
    got = await asyncio.gather(*(connect(port) for _ in range(n)), return_exceptions=True)
    sessions = [StreamlitSession(ws) for ws in got if not isinstance(ws, BaseException)]
    errors = [f"{type(e).__name__}: {e}"[:160] for e in got if isinstance(e, BaseException)]
    return sessions, errors


async def close_all(sessions: list[StreamlitSession]) -> None:
    """Close every session's websocket."""
    await asyncio.gather(*(s.ws.close() for s in sessions), return_exceptions=True)


async def load_async(server: Server, n: int, *, step_deadline: float, total_cap: float
                     ) -> WsLoad:
    """Connect ``n`` sessions, run them together, close them; measure server and client."""
    assert server.proc is not None
    sessions, connect_errors = await open_sessions(server.port, n)
    try:
        cpu0 = own_cpu()
        with ServerMeter(server.proc.pid) as meter:
            t0 = time.monotonic()
            stop_at = t0 + total_cap
            results = await asyncio.gather(*(run_steps(s, step_deadline=step_deadline,
                                                       stop_at=stop_at) for s in sessions))
            wall = time.monotonic() - t0
        client = own_cpu() - cpu0
        end_rss = ServerMeter(server.proc.pid).idle_rss
    finally:
        await close_all(sessions)
    await asyncio.sleep(AFTER_CLOSE_S)
    return WsLoad(list(results), connect_errors, wall, meter.cpu_s, client, meter.idle_rss,
                  meter.peak_rss, end_rss, ServerMeter(server.proc.pid).idle_rss)


async def warm_async(server: Server, step_deadline: float) -> WsSessionResult:
    """One session through the steps, then closed (the untimed warm-up)."""
    sessions, errors = await open_sessions(server.port, 1)
    if errors:
        return WsSessionResult(error=errors[0], failed_step="connect")
    try:
        return await run_steps(sessions[0], step_deadline=step_deadline,
                               stop_at=time.monotonic() + step_deadline * len(STEPS))
    finally:
        await close_all(sessions)


def run_ws_load(server: Server, sessions: int, *, step_deadline: float, total_cap: float,
                log: Callable[[str], None] = print) -> WsLoad:
    """Warm ``server`` with one untimed session, then run ``sessions`` at once on it."""
    warm = asyncio.run(warm_async(server, step_deadline))
    log(f"ws load {server.kind}: warm-up " + ", ".join(f"{k} {v:.2f}s"
                                                        for k, v in warm.times.items())
        + (f"; error at {warm.failed_step}: {warm.error}" if warm.error else ""))
    log(f"ws load {server.kind}: running {sessions} sessions …")
    return asyncio.run(load_async(server, sessions, step_deadline=step_deadline,
                                  total_cap=total_cap))
