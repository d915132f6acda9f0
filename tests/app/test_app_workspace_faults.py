"""What the pages do when the workspace cannot help (review of issue 11): a store that cannot
be opened, a deleted dataset in the address, data that looks like Markdown, an upload kept in
the session only — a Chinese message, never a traceback, never another dataset silently."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from app_pages.workspace_state import DATASET_PARAM
from geo.store import DATABASE_URL_ENV, open_workspace
from tests.app.test_app_register import AUTH
from tests.support.paths import APP, ROOT

EDITOR = {"email": "li@example.org", "email_verified": True, "name": "李经办",
          "roles": ["经办"]}


def _open(page: str, *, user: dict | None = None, dataset: str | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    if user is not None:
        at.secrets["auth"] = AUTH
        at.user = {"is_logged_in": True, **user}
    if dataset is not None:
        at.query_params[DATASET_PARAM] = dataset
    at.run()
    at.switch_page(page).run()
    assert not at.exception, at.exception
    return at


def _said(at: AppTest) -> str:
    return " ".join(x.value for x in [*at.error, *at.warning, *at.info])


@pytest.mark.parametrize("page", ["app_pages/efficiency.py", "app_pages/lowland.py",
                                  "app_pages/workspace.py", "app_pages/data_import.py"])
@pytest.mark.usefixtures("work")
def test_an_unreachable_database_is_said_in_chinese(monkeypatch, page):
    monkeypatch.setenv(DATABASE_URL_ENV, "postgresql+psycopg://x:y@127.0.0.1:1/nothing")
    at = _open(page)
    assert "工作区数据库无法打开" in _said(at)


@pytest.mark.usefixtures("work")
def test_a_damaged_workspace_file_is_said_and_the_sample_still_shows(work):
    work.mkdir(parents=True, exist_ok=True)
    (work / "workspace.sqlite").write_bytes(b"not a database " * 100)
    at = _open("app_pages/efficiency.py")
    said = _said(at)
    assert "工作区数据库无法打开" in said
    assert "示例数据" in said


def test_a_deleted_dataset_in_the_address_is_never_replaced_silently(work):
    ws = open_workspace(work)
    from geo.landuse.pipeline import load_sample

    sample = load_sample()
    ws.add_dataset(name="另一个", parcels=sample.parcels, enterprises=sample.enterprises,
                   report=sample.report, data_label="用户导入：另一个.csv", year=2024,
                   choices="", who="张三")
    at = _open("app_pages/efficiency.py", dataset="0" * 32)
    said = _said(at)
    assert "所选的数据集已被删除" in said
    assert "用户导入：另一个.csv" not in said


@pytest.mark.usefixtures("work")
def test_a_profile_named_like_markdown_shows_as_text():
    text = (ROOT / "data" / "profiles" / "default.toml").read_text(encoding="utf-8")
    evil = text.replace('name = "', 'name = "[点击核验](http://evil.example)**', 1)
    assert evil != text
    at = AppTest.from_file(APP, default_timeout=120)
    at.secrets["auth"] = AUTH
    at.user = {"is_logged_in": True, "email": "boss@example.org", "email_verified": True,
               "name": "王管理", "roles": ["管理"]}
    at.run()
    at.switch_page("app_pages/workspace.py").run()
    at.get("file_uploader")[0].set_value(("方案.toml", evil.encode("utf-8"), "text/plain"))
    at.run()
    at.button(key="ws_profile_go").click().run()
    assert not at.exception, at.exception
    at.switch_page("app_pages/efficiency.py").run()
    shown = " ".join(c.value for c in at.caption)
    assert "evil.example" in shown
    assert "](http" not in shown.replace("\\](http", "")  # escaped, not a live link


def test_an_upload_kept_in_the_session_leaves_the_shared_register_read_only(work, tmp_path):
    at = _open("app_pages/data_import.py", user=EDITOR)
    path = tmp_path / "企业.csv"
    path.write_text("企业名称,乡镇（街道）,用地面积（亩）,税收（万元）\n甲,北仑区小港街道,10,50\n",
                    encoding="utf-8")
    profile = (ROOT / "data" / "profiles" / "default.toml").read_bytes()
    at.file_uploader(key="up_enterprises").set_value((path.name, path.read_bytes(), "text/csv"))
    at.file_uploader(key="up_profile").set_value(("方案.toml", profile, "text/plain"))
    at.run()
    at.button(key="up_go").click().run()
    assert not at.exception, at.exception
    assert open_workspace(work).datasets() == []  # own profile: kept in the session only
    at.switch_page("app_pages/lowland.py").run()
    assert not [b for b in at.button if b.key == "reg_save"]
    assert "只在本次会话中" in _said(at)
