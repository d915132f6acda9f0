"""Fixtures of the browser tests: Chromium (or a skip saying why), the mock OIDC provider and
the app logged in through it. The helpers behind them are in :mod:`tests.support.browser`."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.support import browser


@pytest.fixture
def browser_paths() -> tuple[str, str]:
    """(chromium, chromedriver), or skip with the reason."""
    return browser.need_browser()


@pytest.fixture
def new_driver(browser_paths, monkeypatch) -> Iterator[Callable]:
    """A factory of fresh headless Chromium sessions (each quit afterwards)."""
    chromium, chromedriver = browser_paths
    monkeypatch.setenv("SE_OFFLINE", "true")
    made = []

    def make():
        made.append(browser.chrome(chromium, chromedriver))
        return made[-1]

    try:
        yield make
    finally:
        for drv in made:
            drv.quit()


@pytest.fixture
def driver(new_driver):
    """Headless Chromium through the local chromedriver (Selenium Manager stays offline)."""
    return new_driver()


@pytest.fixture
def provider(browser_paths, tmp_path: Path) -> Iterator[str]:  # noqa: ARG001 - skip first
    """The mock OIDC provider's base URL; skips with its output when it does not start."""
    browser.need_oidc_mock()
    proc, base, why = browser.start_provider(tmp_path / "oidc-provider-mock.log")
    try:
        if why:
            pytest.skip(f"the mock OIDC provider (oidc-provider-mock) did not start: {why}")
        yield base
    finally:
        browser.stop(proc)


@pytest.fixture
def login_app(provider: str, tmp_path: Path) -> Iterator[browser.StreamlitApp]:
    """The app logged in through ``provider``, with a roles file of its own (张三 经办) and a
    work folder of its own (``tmp_path / "work"``)."""
    port = browser.free_port()
    secrets, roles = browser.write_auth(tmp_path, f"http://127.0.0.1:{port}", provider)
    env = browser.app_env(
        ("NINGBO_PARKS_DIR", "NINGBO_ROLE_CLAIM", "NINGBO_DATABASE_URL"),
        NINGBO_ROLES_FILE=str(roles), NINGBO_WORK_DIR=str(tmp_path / "work"),
        AUTHLIB_INSECURE_TRANSPORT="1")  # the mock provider speaks plain http
    app = browser.StreamlitApp(port, tmp_path / "streamlit.log", env,
                               ["--secrets.files", str(secrets)])
    try:
        yield app.start()
    finally:
        app.stop()
