"""Helpers of the browser tests (tests/browser): processes, ports, headless Chromium, waits.

A plain module (the fixtures built on it live in ``tests/browser/conftest.py``): finding
Chromium and chromedriver, free loopback ports, starting and stopping a process group with its
output in a log, waiting for a URL, ``streamlit run`` on a port (restartable on the same work
folder), the mock OIDC provider's users and the sidebar's 登录 / 退出 steps.
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterable
from pathlib import Path

import pytest

from geo.labels import ROLE_LABELS
from tests.support.paths import ROOT

try:
    from selenium import webdriver
    from selenium.common.exceptions import (
        NoSuchElementException,
        StaleElementReferenceException,
        TimeoutException,
        WebDriverException,
    )
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait
except ImportError as exc:  # the tests skip and say so
    webdriver = None
    SELENIUM_ERROR = str(exc)
else:
    SELENIUM_ERROR = ""

STARTUP_TIMEOUT_S = 60
STEP_TIMEOUT_S = 60
#: The users the mock OIDC provider offers; :func:`write_auth` makes EDITOR 经办.
EDITOR = {"sub": "zhang@example.org", "email": "zhang@example.org", "name": "张三"}
VIEWER = {"sub": "wang@example.org", "email": "wang@example.org", "name": "王五"}
SIDEBAR = "[data-testid='stSidebar']"
#: Chromium's message when an element was removed from the page while Selenium read it.
GONE_NODE = "does not belong to the document"
CHROME_ARGS = ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
               "--window-size=1600,1200")


def find(name: str) -> str | None:
    """``name`` on PATH, else in /usr/bin when executable there, else None."""
    found = shutil.which(name)
    if found:
        return found
    path = Path("/usr/bin") / name
    return str(path) if path.is_file() and os.access(path, os.X_OK) else None


def free_port() -> int:
    """A loopback TCP port nobody listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def tail(log: Path, lines: int = 40, title: str | None = None) -> str:
    """The last ``lines`` lines of ``log``, headed, for a failure message."""
    text = log.read_text(encoding="utf-8", errors="replace") if log.exists() else ""
    body = "\n".join(text.splitlines()[-lines:]) or "(no output)"
    return f"\n--- {title or log.name} (last {lines} lines, {log}) ---\n{body}"


def start(cmd: list[str], log: Path, env: dict[str, str], *, append: bool = False,
          ) -> subprocess.Popen:
    """Start ``cmd`` in the repository root, in a session of its own, output to ``log``."""
    with log.open("ab" if append else "wb") as out:
        return subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL, start_new_session=True)


def wait_for(url: str, proc: subprocess.Popen, timeout: float = STARTUP_TIMEOUT_S,
             body: str | None = None) -> str | None:
    """None once ``url`` answers 200 (with ``body``, stripped, when given), else why not
    (exited early, or timed out)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            return f"exited with code {proc.returncode}"
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                if r.status == 200 and (body is None or r.read().decode().strip() == body):
                    return None
        except OSError:
            pass  # not listening yet
        time.sleep(0.25)
    return f"no answer from {url} after {timeout:.0f}s"


def stop(proc: subprocess.Popen) -> None:
    """Terminate ``proc``'s whole process group (killed after 10 s)."""
    if proc.poll() is not None:
        return
    try:
        os.killpg(proc.pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)


def need_browser() -> tuple[str, str]:
    """(chromium, chromedriver), or skip with the reason."""
    if webdriver is None:
        pytest.skip(f"selenium is not importable ({SELENIUM_ERROR}); "
                    "install it with .venv/bin/pip install -r requirements.txt")
    chromium = find("chromium") or find("chromium-browser")
    driver = find("chromedriver")
    missing = [n for n, p in (("chromium", chromium), ("chromedriver", driver)) if not p]
    if missing:
        pytest.skip(f"{' and '.join(missing)} not found on PATH or in /usr/bin; "
                    "install the Debian packages chromium and chromium-driver (.ci/run does)")
    return chromium, driver


def need_oidc_mock() -> None:
    """Skip with the reason when Authlib or oidc-provider-mock is missing."""
    for module, package in (("authlib", "Authlib"), ("oidc_provider_mock", "oidc-provider-mock")):
        if importlib.util.find_spec(module) is None:
            pytest.skip(f"{package} is not installed; .venv/bin/pip install -r requirements.txt")


def chrome(chromium: str, chromedriver: str):
    """A new headless Chromium session through the local chromedriver (set ``SE_OFFLINE`` so
    Selenium Manager never downloads anything); the caller quits it."""
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for arg in CHROME_ARGS:
        options.add_argument(arg)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    return webdriver.Chrome(options=options, service=Service(executable_path=chromedriver))


def start_provider(log: Path, users: Iterable[dict] = (EDITOR, VIEWER)
                   ) -> tuple[subprocess.Popen, str, str | None]:
    """Start oidc-provider-mock offering ``users``: (process, base URL, why it did not start)."""
    port = free_port()
    cmd = [sys.executable, "-m", "oidc_provider_mock", "--host", "127.0.0.1", "--port", str(port)]
    for user in users:
        cmd += ["--user-claims", json.dumps(user, ensure_ascii=False)]
    proc = start(cmd, log, dict(os.environ))
    base = f"http://127.0.0.1:{port}"
    why = wait_for(f"{base}/.well-known/openid-configuration", proc)
    if why:
        why += tail(log)
    return proc, base, why


class StreamlitApp:
    """``streamlit run streamlit_app.py`` on ``port`` with ``env``, output appended to ``log``;
    :meth:`restart` starts a new server on the same port, environment and work folder."""

    def __init__(self, port: int, log: Path, env: dict[str, str], args: Iterable[str] = ()):
        self.port, self.log, self.env, self.args = port, log, env, list(args)
        self.url = f"http://127.0.0.1:{port}"
        self.proc: subprocess.Popen | None = None

    def tail(self, lines: int = 40) -> str:
        return tail(self.log, lines, title="streamlit output")

    def start(self) -> StreamlitApp:
        """Start the server and wait until it is healthy; fail with its output otherwise."""
        self.proc = start([sys.executable, "-m", "streamlit", "run", "streamlit_app.py",
                           "--server.port", str(self.port), "--server.address", "127.0.0.1",
                           "--server.headless", "true", *self.args], self.log, self.env,
                          append=self.log.exists())
        why = wait_for(f"{self.url}/_stcore/health", self.proc, body="ok")
        if why:
            pytest.fail(f"streamlit did not become healthy: {why}" + self.tail())
        return self

    def stop(self) -> None:
        if self.proc is not None:
            stop(self.proc)

    def restart(self) -> StreamlitApp:
        self.stop()
        return self.start()


def app_env(unset: Iterable[str] = ("NINGBO_PARKS_DIR",), **extra: str) -> dict[str, str]:
    """This process' environment without ``unset`` and with ``extra``."""
    skip = set(unset)
    env = {k: v for k, v in os.environ.items() if k not in skip}
    env.update(extra)
    return env


def write_auth(folder: Path, url: str, provider: str) -> tuple[Path, Path]:
    """(secrets.toml with an ``[auth]`` section for ``provider``, roles file making EDITOR 经办)
    written into ``folder`` for the app at ``url``."""
    secrets = folder / "secrets.toml"
    secrets.write_text(
        "[auth]\n"
        f'redirect_uri = "{url}/oauth2callback"\n'
        'cookie_secret = "an-end-to-end-test-cookie-secret-0123456789"\n'
        'client_id = "ningbo-planner"\n'
        'client_secret = "not-a-secret"\n'
        f'server_metadata_url = "{provider}/.well-known/openid-configuration"\n',
        encoding="utf-8")
    roles = folder / "roles.toml"
    roles.write_text(f'[users]\n"{EDITOR["email"]}" = "{ROLE_LABELS["editor"]}"\n',
                     encoding="utf-8")
    return secrets, roles


def page_text(driver) -> str:
    """The page's visible text (empty when the page cannot be read)."""
    try:
        return driver.find_element(By.TAG_NAME, "body").text
    except WebDriverException:  # a failure report must not fail itself
        return ""


def until(driver, condition: Callable, what: str, log: Path | StreamlitApp,
          timeout: float = STEP_TIMEOUT_S):
    """Poll ``condition(driver)`` until truthy; fail with ``what``, the page and the app log.

    An element that went away while being read (Streamlit redraws, the page navigates) counts
    as "not yet": Selenium's stale-element error, and Chromium's "Node with given id does not
    belong to the document", which it raises as a bare WebDriverException.
    """
    def polled(drv):
        try:
            return condition(drv)
        except WebDriverException as exc:
            if isinstance(exc, StaleElementReferenceException) or GONE_NODE in str(exc):
                return False
            raise

    try:
        return WebDriverWait(
            driver, timeout, poll_frequency=0.5,
            ignored_exceptions=(NoSuchElementException, StaleElementReferenceException),
        ).until(polled)
    except TimeoutException:
        body = page_text(driver)[-2000:]
        logged = log.tail() if isinstance(log, StreamlitApp) else tail(log)
        pytest.fail(f"{what} within {timeout:.0f}s; at {driver.current_url}\n"
                    f"--- page text ---\n{body}" + logged)


def sidebar_button(label: str) -> Callable:
    """A condition: the enabled sidebar button reading ``label``."""
    def found(drv):
        for button in drv.find_elements(By.CSS_SELECTOR, f"{SIDEBAR} button"):
            if button.text.strip() == label and button.is_enabled():
                return button
        return False
    return found


def sidebar_has(text: str) -> Callable:
    """A condition: the sidebar shows ``text``."""
    def found(drv):
        return any(text in el.text for el in drv.find_elements(By.CSS_SELECTOR, SIDEBAR))
    return found


def log_in(driver, user: dict, log: Path | StreamlitApp) -> None:
    """Click 登录 and pick ``user`` on the mock provider's form."""
    until(driver, sidebar_button("登录"), "the sidebar never showed 登录", log).click()
    sub = user["sub"]
    pick = until(driver, lambda d: d.find_element(
        By.CSS_SELECTOR, f"button[name='sub'][value='{sub}']"),
        f"the provider's form never offered {sub}", log)
    pick.click()


def log_out(driver, provider: str, log: Path | StreamlitApp) -> None:
    """Click 退出, confirm the provider's end-session form, and wait for 登录 again."""
    until(driver, sidebar_button("退出"), "the sidebar never showed 退出", log).click()

    def back_or_confirm(drv):
        if drv.current_url.startswith(provider):  # the provider's end-session form
            buttons = drv.find_elements(By.CSS_SELECTOR, "form button[type='submit'], form button")
            if buttons:
                buttons[0].click()
            return False
        return sidebar_button("登录")(drv)

    until(driver, back_or_confirm, "logging out never came back to 登录", log)
