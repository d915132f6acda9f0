"""End to end: the workspace store in a real browser — an editor's import survives a reload and
a server restart, and only an editor saves the 整治台账.

Uses the mock OIDC provider and the logged-in app of ``conftest.py`` (张三 is 经办 through the
roles file, 王五 查看). (a) 张三 uploads a small enterprise list on 数据导入 as 企业文件 and
clicks 导入并分析; the import must be saved to the workspace, shown by 亩均效益 after a reload,
and — after the server is stopped and a new one started on the same ``NINGBO_WORK_DIR`` — by
亩均效益 in a fresh browser that has not logged in, with 北仑区's 亩均税收 in the 区县 ranking.
(b) On 低效用地 → 整治台账 张三 adds a parcel and saves (已保存, his name in the audit log);
王五 sees the register 只读 and no 保存台账 button.

Skips, saying why, when Chromium, chromedriver, Selenium, Authlib or the mock provider is
missing; otherwise failures fail with the page text and the server's output.
"""

from __future__ import annotations

import re
import time
from pathlib import Path

import pandas as pd
import pytest

from geo.labels import ROLE_LABELS
from tests.support.browser import (
    EDITOR,
    VIEWER,
    StreamlitApp,
    log_in,
    log_out,
    page_text,
    sidebar_has,
    until,
)

try:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
except ImportError:  # the fixtures skip and say so
    pass

FILE_NAME = "北仑亩均评价.csv"
BANNER = f"用户导入：{FILE_NAME}"
#: 北仑区 in the 区县 ranking: (50 + 250) 万元 ÷ (10 + 30) 亩 = 7.5 万元/亩 (raw cell text).
BEILUN_RANK = re.compile(r"北仑区\s*7\.5")
ALERT = "[data-testid='stAlert']"
#: Entries of a multiselect's list that are no option of its own.
NOT_OPTIONS = ("Select all", "全选")


def _enterprise_list(folder: Path) -> Path:
    path = folder / FILE_NAME
    pd.DataFrame({"企业名称": ["甲公司", "乙公司"],
                  "乡镇（街道）": ["北仑区小港街道", "北仑区大碶街道"],
                  "用地面积（亩）": [10, 30], "税收（万元）": [50, 250]}).to_csv(path, index=False)
    return path


def _click_until_started(driver, app) -> None:
    """Click 导入并分析 until the import visibly starts: a click that lands while the page is
    still rerunning after the upload is lost (the button is redrawn), so it is given again —
    never once the import has started (正在导入 / 已保存 shown)."""
    for _ in range(4):
        until(driver, _button("导入并分析"), "导入并分析 never appeared after the upload",
              app).click()
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            text = _all_text(driver)
            if "正在导入" in text or "已保存到工作区" in text:
                return
            time.sleep(0.5)
    pytest.fail("导入并分析 was clicked four times and the import never started" + app.tail())


def _all_text(drv, element=None) -> str:
    """Text in the DOM, shown or not (a collapsed status or expander, a data grid's cells)."""
    return drv.execute_script("return (arguments[0] || document.body).textContent", element) or ""


def _button(label: str):
    """A condition: the enabled button reading ``label``."""
    def found(drv):
        for button in drv.find_elements(By.XPATH, f"//button[normalize-space(.)='{label}']"):
            if button.is_displayed() and button.is_enabled():
                return button
        return False
    return found


def _widget(testid: str, label: str):
    """A condition: the Streamlit widget ``testid`` whose label contains ``label``."""
    def found(drv):
        for el in drv.find_elements(By.CSS_SELECTOR, f"[data-testid='{testid}']"):
            if label in el.text:
                return el
        return False
    return found


def _open_tab(driver, label: str, app: StreamlitApp) -> None:
    def found(drv):
        for tab in drv.find_elements(By.CSS_SELECTOR, "button[role=tab], [role=tab]"):
            if tab.text.strip() == label:
                return tab
        return False

    until(driver, found, f"the tab {label!r} never appeared", app).click()
    until(driver, lambda d: found(d).get_attribute("aria-selected") == "true",
          f"the tab {label!r} never opened", app)


def _choose(driver, testid: str, label: str, app: StreamlitApp, option: str | None = None) -> str:
    """Open the select ``label`` and click ``option`` (None: the first); return its text."""
    widget = until(driver, _widget(testid, label), f"no {label!r} on the page", app)
    opener = widget.find_elements(By.CSS_SELECTOR, "[role=combobox], div[data-baseweb=select]")
    (opener[0] if opener else widget).click()

    def pick(drv):
        options = [o for o in drv.find_elements(By.CSS_SELECTOR, "[role=option]")
                   if o.is_displayed() and o.text.strip() not in ("", *NOT_OPTIONS)]
        return next((o for o in options if option in (None, o.text.strip())), False)

    chosen = until(driver, pick, f"{label!r} never offered {option or 'an option'}", app)
    text = chosen.text.strip()
    chosen.click()
    return text


def _banners(drv) -> list[str]:
    return [a.text for a in drv.find_elements(By.CSS_SELECTOR, ALERT)]


def _shows_import(drv) -> bool:
    return any(BANNER in b for b in _banners(drv))


def _efficiency_shows_beilun(driver, app: StreamlitApp) -> None:
    """On 亩均效益: the imported banner (not 示例数据), and 北仑区's 亩均税收 by 区县."""
    driver.get(app.url + "/efficiency")
    until(driver, _shows_import, f"亩均效益 never showed {BANNER!r}", app)
    assert not any("示例数据" in b for b in _banners(driver)), _banners(driver)
    _choose(driver, "stSelectbox", "汇总层级", app, "区县（市）")

    def ranked(drv):
        return any(BEILUN_RANK.search(_all_text(drv, grid))
                   for grid in drv.find_elements(By.CSS_SELECTOR, "[data-testid='stDataFrame']"))

    until(driver, ranked, "the 区县 ranking never showed 北仑区 with 亩均税收 7.5", app)
    assert not driver.find_elements(By.CSS_SELECTOR, "[data-testid='stException']"), (
        page_text(driver)[-2000:] + app.tail())


def _logged_in_as(driver, user: dict, role: str, app: StreamlitApp) -> None:
    driver.get(app.url + "/")
    log_in(driver, user, app)
    shown = f"{user['name']} · {ROLE_LABELS[role]}"
    until(driver, sidebar_has(shown), f"the sidebar never showed {shown!r}", app)


@pytest.mark.e2e
def test_an_editors_import_survives_a_reload_and_a_restart(login_app: StreamlitApp, driver,
                                                            new_driver, tmp_path: Path):
    app, started = login_app, time.monotonic()
    _logged_in_as(driver, EDITOR, "editor", app)

    driver.get(app.url + "/data_import")
    uploaders = until(driver, lambda d: len(
        found := d.find_elements(By.CSS_SELECTOR, "input[type=file]")) >= 4 and found,
        "数据导入 never showed its four file uploaders", app)
    labels = [u.find_element(By.XPATH, "./ancestor::*[@data-testid='stFileUploader']")
              .text.split("\n")[0] for u in uploaders]
    assert labels[1] == "企业文件", f"the second uploader is not 企业文件: {labels}"
    uploaders[1].send_keys(str(_enterprise_list(tmp_path)))
    _click_until_started(driver, app)
    until(driver, lambda d: "已保存到工作区" in _all_text(d),
          "the import never said 已保存到工作区", app)

    _efficiency_shows_beilun(driver, app)  # a reload: a new session of the same browser
    reloaded = time.monotonic() - started

    app.restart()  # same port, same NINGBO_WORK_DIR
    fresh = new_driver()  # no login cookie: anyone may look
    _efficiency_shows_beilun(fresh, app)
    assert "退出" not in page_text(fresh), "the fresh browser should not be logged in"
    print(f"\ne2e workspace: imported and reloaded after {reloaded:.1f}s; "
          f"restart and fresh browser done after {time.monotonic() - started:.1f}s")


@pytest.mark.e2e
def test_only_an_editor_saves_the_register(login_app: StreamlitApp, provider: str, driver):
    app, started = login_app, time.monotonic()
    _logged_in_as(driver, EDITOR, "editor", app)
    driver.get(app.url + "/lowland")
    _open_tab(driver, "整治台账", app)
    parcel = _choose(driver, "stMultiSelect", "纳入台账的低效宗地", app)
    driver.switch_to.active_element.send_keys(Keys.ESCAPE)  # close the dropdown
    until(driver, _button("保存台账"), "保存台账 never appeared", app).click()
    until(driver, lambda d: any("已保存" in b for b in _banners(d)),
          "saving never said 已保存", app)

    who = f"{EDITOR['name']}（{EDITOR['email']}）"
    audit = until(driver, _widget("stExpander", "审计日志"), "no 审计日志 expander", app)
    audit.find_element(By.CSS_SELECTOR, "summary").click()

    def audited(drv):
        log = _widget("stExpander", "审计日志")(drv)
        return bool(log) and who in _all_text(drv, log) and parcel in _all_text(drv, log)

    until(driver, audited, f"the 审计日志 never named {who} and {parcel}", app)
    saved = time.monotonic() - started

    log_out(driver, provider, app)
    log_in(driver, VIEWER, app)
    viewer = f"{VIEWER['name']} · {ROLE_LABELS['viewer']}"
    until(driver, sidebar_has(viewer), f"the sidebar never showed {viewer!r}", app)
    driver.get(app.url + "/lowland")
    _open_tab(driver, "整治台账", app)
    until(driver, lambda d: "只读" in page_text(d), "整治台账 never said 只读 to 王五", app)
    assert not _button("保存台账")(driver), "王五 (查看) is offered 保存台账"
    assert not driver.find_elements(By.XPATH, "//button[normalize-space(.)='保存台账']")
    until(driver, _widget("stExpander", "审计日志"), "no 审计日志 expander for 王五", app
          ).find_element(By.CSS_SELECTOR, "summary").click()
    until(driver, audited, f"王五's 审计日志 never named {who} and {parcel}", app)
    print(f"\ne2e register: 张三 saved {parcel} after {saved:.1f}s; "
          f"王五 read-only after {time.monotonic() - started:.1f}s")
