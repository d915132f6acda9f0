"""End to end: log in through a real OIDC flow and see one's name and role in the sidebar.

Starts ``oidc-provider-mock`` (a real OpenID Connect provider for tests) on a free loopback port
with two predefined users, writes a ``secrets.toml`` with an ``[auth]`` section for it and a
roles file making 张三 经办 (王五 is in no file and has no role claim, so 查看) into a temporary
folder, and starts ``streamlit run streamlit_app.py --secrets.files <that secrets.toml>`` on
another free port. Headless Chromium clicks 登录, picks the user on the provider's form, comes
back through ``/oauth2callback`` and must show "张三 · 经办" in the sidebar; it logs out (退出,
confirming the provider's end-session form) and logs in as 王五, who must show "王五 · 查看".

Skips, saying why, when Chromium, chromedriver, Selenium, Authlib or the mock provider is
missing or the provider does not start; otherwise failures fail. The fixtures are in
``conftest.py``, the helpers in :mod:`tests.support.browser`.
"""

from __future__ import annotations

import time

import pytest

from geo.labels import ROLE_LABELS
from tests.support.browser import (
    EDITOR,
    VIEWER,
    StreamlitApp,
    log_in,
    log_out,
    sidebar_has,
    until,
)

try:
    from selenium.common.exceptions import WebDriverException
    from selenium.webdriver.common.by import By
except ImportError:  # the fixtures skip and say so
    pass


@pytest.mark.e2e
def test_login_shows_name_and_role(login_app: StreamlitApp, provider: str, driver):
    app = login_app
    started = time.monotonic()
    try:
        driver.get(app.url + "/")
    except WebDriverException as exc:
        pytest.fail(f"Chromium could not open {app.url}: {exc}" + app.tail())

    log_in(driver, EDITOR, app)
    editor = f"{EDITOR['name']} · {ROLE_LABELS['editor']}"
    until(driver, sidebar_has(editor), f"the sidebar never showed {editor!r}", app)
    assert driver.current_url.startswith(app.url), driver.current_url
    logged_in = time.monotonic() - started

    log_out(driver, provider, app)
    log_in(driver, VIEWER, app)
    viewer = f"{VIEWER['name']} · {ROLE_LABELS['viewer']}"
    until(driver, sidebar_has(viewer), f"the sidebar never showed {viewer!r}", app)
    assert not sidebar_has(editor)(driver), "the editor's name is still shown after logout"
    assert not driver.find_elements(By.CSS_SELECTOR, "[data-testid='stException']"), app.tail()
    print(f"\ne2e login: 张三 logged in {logged_in:.1f}s after navigation; "
          f"logout and 王五's login done after {time.monotonic() - started:.1f}s")
