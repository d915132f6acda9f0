"""Imported datasets persist in the workspace store (issue 11): an editor's import survives a
new session (a reload or a restart starts one), a viewer's stays in its session, and only an
admin deletes datasets or changes the active profile."""

from __future__ import annotations

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from geo.store import open_workspace
from tests.app.test_app_register import AUTH
from tests.support.paths import APP, ROOT

EDITOR = {"email": "li@example.org", "email_verified": True, "name": "李经办", "roles": ["经办"]}
ADMIN = {"email": "boss@example.org", "email_verified": True, "name": "王管理", "roles": ["管理"]}
VIEWER = {"email": "kan@example.org", "email_verified": True, "name": "看客", "roles": ["查看"]}


def _session(user: dict | None, page: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    if user is not None:
        at.secrets["auth"] = AUTH
        at.user = {"is_logged_in": True, **user}
    at.run()
    at.switch_page(page).run()
    assert not at.exception, at.exception
    return at


def _enterprise_list(tmp_path) -> tuple[str, bytes]:
    path = tmp_path / "北仑亩均评价.csv"
    pd.DataFrame({"企业名称": ["甲公司", "乙公司"],
                  "乡镇（街道）": ["北仑区小港街道", "北仑区大碶街道"],
                  "用地面积（亩）": [10, 30], "税收（万元）": [50, 250]}).to_csv(path, index=False)
    return path.name, path.read_bytes()


def _import(user: dict | None, tmp_path) -> AppTest:
    at = _session(user, "app_pages/data_import.py")
    name, data = _enterprise_list(tmp_path)
    at.file_uploader(key="up_enterprises").set_value((name, data, "text/csv"))
    at.run()
    at.text_input(key="up_name").set_value("北仑 2024 评价").run()
    at.button(key="up_go").click().run()
    assert not at.exception, at.exception
    return at


def _banner(at: AppTest) -> str:
    return " ".join(x.value for x in [*at.info, *at.warning])


def test_an_editors_import_is_still_there_in_a_new_session(work, tmp_path):
    _import(EDITOR, tmp_path)
    stored = open_workspace(work).datasets()
    assert [(d.name, d.imported_by, d.enterprises) for d in stored] == [
        ("北仑 2024 评价", "李经办（li@example.org）", 2)]
    later = _session(VIEWER, "app_pages/efficiency.py")  # a reload: a new session
    assert "用户导入：北仑亩均评价.csv" in _banner(later)
    again = _session(None, "app_pages/efficiency.py")  # anyone may look
    assert "用户导入：北仑亩均评价.csv" in _banner(again)


def test_a_viewers_import_stays_in_its_session(work, tmp_path):
    at = _import(VIEWER, tmp_path)
    assert open_workspace(work).datasets() == []
    assert any("未保存到工作区" in m.value for m in at.info)
    at.switch_page("app_pages/efficiency.py").run()
    assert "用户导入：北仑亩均评价.csv" in _banner(at)
    later = _session(VIEWER, "app_pages/efficiency.py")
    assert "示例数据" in _banner(later)


def test_only_an_admin_deletes_a_dataset(work, tmp_path):
    _import(EDITOR, tmp_path)
    page = _session(EDITOR, "app_pages/workspace.py")
    assert not [s for s in page.selectbox if s.key == "ws_delete"]
    admin = _session(ADMIN, "app_pages/workspace.py")
    ds_id = open_workspace(work).datasets()[0].id
    admin.selectbox(key="ws_delete").set_value(ds_id).run()
    admin.checkbox(key="ws_delete_ok").check().run()
    admin.button(key="ws_delete_go").click().run()
    assert not admin.exception, admin.exception
    assert open_workspace(work).datasets() == []


def test_an_admin_sets_the_profile_in_use(work):
    admin = _session(ADMIN, "app_pages/workspace.py")
    text = (ROOT / "data" / "profiles" / "default.toml").read_bytes()
    admin.get("file_uploader")[0].set_value(("北仑方案.toml", text, "text/plain"))
    admin.run()
    admin.button(key="ws_profile_go").click().run()
    assert not admin.exception, admin.exception
    active = open_workspace(work).active_profile()
    assert active is not None
    assert active[2] == "王管理（boss@example.org）"


@pytest.mark.usefixtures("work")
def test_a_bad_profile_is_refused_in_chinese_without_a_traceback():
    admin = _session(ADMIN, "app_pages/workspace.py")
    admin.get("file_uploader")[0].set_value(("坏.toml", b"[tracks]\ntracks = 1\n[[[", "text/plain"))
    admin.run()
    admin.button(key="ws_profile_go").click().run()
    assert not admin.exception, admin.exception
    said = " ".join(e.value for e in admin.error)
    assert "方案未采用" in said
    assert "Traceback" not in said


@pytest.mark.usefixtures("work")
def test_a_list_placed_by_township_says_to_choose_the_district_level(tmp_path):
    at = _import(EDITOR, tmp_path)
    at.switch_page("app_pages/efficiency.py").run()
    assert not at.exception, at.exception
    said = " ".join(i.value for i in at.info)
    assert "在「分片」层级没有可计算的「亩均税收」" in said
    assert "区县（市）" in said
    at.switch_page("app_pages/lowland.py").run()
    assert not at.exception, at.exception
    assert "nan" not in " ".join(str(m.value) for m in at.metric)
