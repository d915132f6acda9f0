"""End to end: log in through a real OIDC flow and see one's name and role in the sidebar.

Starts ``oidc-provider-mock`` (a real OpenID Connect provider for tests) on a free loopback port
with two predefined users, writes a ``secrets.toml`` with an ``[auth]`` section for it and a
roles file making 张三 经办 (王五 is in no file and has no role claim, so 查看) into a temporary
folder, and starts ``streamlit run streamlit_app.py --secrets.files <that secrets.toml>`` on
another free port. Headless Chromium clicks 登录, picks the user on the provider's form, comes
back through ``/oauth2callback`` and must show "张三 · 经办" in the sidebar; it logs out (退出,
confirming the provider's end-session form) and logs in as 王五, who must show "王五 · 查看".

Skips, saying why, when Chromium, chromedriver, Selenium, Authlib or the mock provider is
missing or the provider does not start; otherwise failures fail.
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
from collections.abc import Iterator
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
except ImportError as exc:  # the test skips and says so
    webdriver = None
    SELENIUM_ERROR = str(exc)

STARTUP_TIMEOUT_S = 60
STEP_TIMEOUT_S = 60
EDITOR = {"sub": "zhang@example.org", "email": "zhang@example.org", "name": "张三"}
VIEWER = {"sub": "wang@example.org", "email": "wang@example.org", "name": "王五"}
SIDEBAR = "[data-testid='stSidebar']"


def _find(name: str) -> str | None:
    found = shutil.which(name)
    if found:
        return found
    path = Path("/usr/bin") / name
    return str(path) if path.is_file() and os.access(path, os.X_OK) else None


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _tail(log: Path, lines: int = 40) -> str:
    text = log.read_text(encoding="utf-8", errors="replace") if log.exists() else ""
    body = "\n".join(text.splitlines()[-lines:]) or "(no output)"
    return f"\n--- {log.name} (last {lines} lines, {log}) ---\n{body}"


def _start(cmd: list[str], log: Path, env: dict[str, str]) -> subprocess.Popen:
    with log.open("wb") as out:
        return subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL, start_new_session=True)


def _wait_for(url: str, proc: subprocess.Popen, timeout: float = STARTUP_TIMEOUT_S) -> str | None:
    """None once ``url`` answers 200, else why not (exited early, or timed out)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            return f"exited with code {proc.returncode}"
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                if r.status == 200:
                    return None
        except OSError:
            pass  # not listening yet
        time.sleep(0.25)
    return f"no answer from {url} after {timeout:.0f}s"


def _stop(proc: subprocess.Popen) -> None:
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


@pytest.fixture
def browser_paths() -> tuple[str, str]:
    """(chromium, chromedriver), or skip with the reason."""
    if webdriver is None:
        pytest.skip(f"selenium is not importable ({SELENIUM_ERROR}); "
                    "install it with .venv/bin/pip install -r requirements.txt")
    chromium = _find("chromium") or _find("chromium-browser")
    driver = _find("chromedriver")
    missing = [n for n, p in (("chromium", chromium), ("chromedriver", driver)) if not p]
    if missing:
        pytest.skip(f"{' and '.join(missing)} not found on PATH or in /usr/bin; "
                    "install the Debian packages chromium and chromium-driver (.ci/run does)")
    for module, package in (("authlib", "Authlib"), ("oidc_provider_mock", "oidc-provider-mock")):
        if importlib.util.find_spec(module) is None:
            pytest.skip(f"{package} is not installed; .venv/bin/pip install -r requirements.txt")
    return chromium, driver


@pytest.fixture
def provider(browser_paths, tmp_path: Path) -> Iterator[str]:  # noqa: ARG001 - skip first
    """The mock OIDC provider's base URL; skips with its output when it does not start."""
    port = _free_port()
    log = tmp_path / "oidc-provider-mock.log"
    cmd = [sys.executable, "-m", "oidc_provider_mock", "--host", "127.0.0.1", "--port", str(port)]
    for user in (EDITOR, VIEWER):
        cmd += ["--user-claims", json.dumps(user, ensure_ascii=False)]
    proc = _start(cmd, log, dict(os.environ))
    base = f"http://127.0.0.1:{port}"
    try:
        why = _wait_for(f"{base}/.well-known/openid-configuration", proc)
        if why:
            pytest.skip(f"the mock OIDC provider (oidc-provider-mock) did not start: {why}"
                        + _tail(log))
        yield base
    finally:
        _stop(proc)


@pytest.fixture
def app(provider: str, tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """(URL, log) of the app logged in through ``provider``, with a roles file of its own."""
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    secrets = tmp_path / "secrets.toml"
    secrets.write_text(
        "[auth]\n"
        f'redirect_uri = "{url}/oauth2callback"\n'
        'cookie_secret = "an-end-to-end-test-cookie-secret-0123456789"\n'
        'client_id = "ningbo-planner"\n'
        'client_secret = "not-a-secret"\n'
        f'server_metadata_url = "{provider}/.well-known/openid-configuration"\n',
        encoding="utf-8")
    roles = tmp_path / "roles.toml"
    roles.write_text(f'[users]\n"{EDITOR["email"]}" = "{ROLE_LABELS["editor"]}"\n',
                     encoding="utf-8")
    unset = ("NINGBO_PARKS_DIR", "NINGBO_ROLE_CLAIM", "NINGBO_DATABASE_URL")
    env = {k: v for k, v in os.environ.items() if k not in unset}
    env.update(NINGBO_ROLES_FILE=str(roles), NINGBO_WORK_DIR=str(tmp_path / "work"),
               AUTHLIB_INSECURE_TRANSPORT="1")  # the mock provider speaks plain http
    log = tmp_path / "streamlit.log"
    proc = _start([sys.executable, "-m", "streamlit", "run", "streamlit_app.py",
                   "--server.port", str(port), "--server.address", "127.0.0.1",
                   "--server.headless", "true", "--secrets.files", str(secrets)], log, env)
    try:
        why = _wait_for(f"{url}/_stcore/health", proc)
        if why:
            pytest.fail(f"streamlit did not become healthy: {why}" + _tail(log))
        yield url, log
    finally:
        _stop(proc)


@pytest.fixture
def driver(browser_paths, monkeypatch):
    """Headless Chromium through the local chromedriver (Selenium Manager stays offline)."""
    chromium, chromedriver = browser_paths
    monkeypatch.setenv("SE_OFFLINE", "true")
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--window-size=1600,1200"):
        options.add_argument(arg)
    drv = webdriver.Chrome(options=options, service=Service(executable_path=chromedriver))
    try:
        yield drv
    finally:
        drv.quit()


def _until(driver, condition, what: str, log: Path):
    """Poll ``condition(driver)`` until truthy; fail with ``what``, the page and the app log."""
    try:
        return WebDriverWait(
            driver, STEP_TIMEOUT_S, poll_frequency=0.5,
            ignored_exceptions=(NoSuchElementException, StaleElementReferenceException),
        ).until(condition)
    except TimeoutException:
        body = driver.find_element(By.TAG_NAME, "body").text[-2000:]
        pytest.fail(f"{what} within {STEP_TIMEOUT_S}s; at {driver.current_url}\n"
                    f"--- page text ---\n{body}" + _tail(log))


def _sidebar_button(label: str):
    def find(drv):
        for button in drv.find_elements(By.CSS_SELECTOR, f"{SIDEBAR} button"):
            if button.text.strip() == label and button.is_enabled():
                return button
        return False
    return find


def _sidebar_has(text: str):
    def find(drv):
        return any(text in el.text for el in drv.find_elements(By.CSS_SELECTOR, SIDEBAR))
    return find


def _log_in(driver, user: dict, log: Path) -> None:
    _until(driver, _sidebar_button("登录"), "the sidebar never showed 登录", log).click()
    sub = user["sub"]
    pick = _until(driver, lambda d: d.find_element(
        By.CSS_SELECTOR, f"button[name='sub'][value='{sub}']"),
        f"the provider's form never offered {sub}", log)
    pick.click()


def _log_out(driver, provider: str, log: Path) -> None:
    _until(driver, _sidebar_button("退出"), "the sidebar never showed 退出", log).click()

    def back_or_confirm(drv):
        if drv.current_url.startswith(provider):  # the provider's end-session form
            buttons = drv.find_elements(By.CSS_SELECTOR, "form button[type='submit'], form button")
            if buttons:
                buttons[0].click()
            return False
        return _sidebar_button("登录")(drv)

    _until(driver, back_or_confirm, "logging out never came back to 登录", log)


@pytest.mark.e2e
def test_login_shows_name_and_role(app, provider: str, driver):
    url, log = app
    started = time.monotonic()
    try:
        driver.get(url + "/")
    except WebDriverException as exc:
        pytest.fail(f"Chromium could not open {url}: {exc}" + _tail(log))

    _log_in(driver, EDITOR, log)
    editor = f"{EDITOR['name']} · {ROLE_LABELS['editor']}"
    _until(driver, _sidebar_has(editor), f"the sidebar never showed {editor!r}", log)
    assert driver.current_url.startswith(url), driver.current_url
    logged_in = time.monotonic() - started

    _log_out(driver, provider, log)
    _log_in(driver, VIEWER, log)
    viewer = f"{VIEWER['name']} · {ROLE_LABELS['viewer']}"
    _until(driver, _sidebar_has(viewer), f"the sidebar never showed {viewer!r}", log)
    assert not _sidebar_has(editor)(driver), "the editor's name is still shown after logout"
    assert not driver.find_elements(By.CSS_SELECTOR, "[data-testid='stException']"), _tail(log)
    print(f"\ne2e login: 张三 logged in {logged_in:.1f}s after navigation; "
          f"logout and 王五's login done after {time.monotonic() - started:.1f}s")
