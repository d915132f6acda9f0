"""The 整治台账 tab with the workspace store and roles (issue 11).

Only 经办 and 管理 may change the register; the 经办人 of each change is the logged-in identity;
a save based on rows someone else changed meanwhile is refused and names them.
"""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from app_pages.workspace_state import IMPORTED_SCOPE, SAMPLE_SCOPE
from geo.landuse.model import SAMPLE_LABEL
from geo.landuse.register import update_register
from geo.store import open_workspace
from tests.support.paths import APP

AUTH = {"redirect_uri": "http://127.0.0.1:8501/oauth2callback", "cookie_secret": "x" * 32,
        "client_id": "ningbo", "client_secret": "secret",
        "server_metadata_url": "http://127.0.0.1:9/.well-known/openid-configuration"}


def _page(user: dict | None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    if user is not None:
        at.secrets["auth"] = AUTH
        at.user = {"is_logged_in": True, **user}
    at.run()
    at.switch_page("app_pages/lowland.py").run()
    assert not at.exception, at.exception
    return at


def _add_first_candidate(at: AppTest) -> str:
    choice = at.multiselect(key="reg_add")
    pid = choice.options[0]
    choice.set_value([pid]).run()
    return pid


@pytest.mark.usefixtures("work")
def test_without_login_the_register_is_read_only():
    at = _page(None)
    assert not [b for b in at.button if b.key == "reg_save"]
    assert any("只读" in i.value for i in at.info)


@pytest.mark.usefixtures("work")
def test_a_viewer_cannot_save():
    at = _page({"email": "kan@example.org", "email_verified": True,
                "name": "看客", "roles": ["查看"]})
    assert not [b for b in at.button if b.key == "reg_save"]
    assert any("只读" in i.value for i in at.info)


def test_an_editor_saves_as_the_logged_in_identity(work):
    at = _page({"email": "li@example.org", "email_verified": True,
                "name": "李经办", "roles": ["经办"]})
    pid = _add_first_candidate(at)
    at.button(key="reg_save").click().run()
    assert not at.exception, at.exception
    assert any("已保存" in s.value for s in at.success)
    ws = open_workspace(work)
    row = ws.register(SAMPLE_SCOPE).set_index("parcel_id").loc[pid]
    assert row["updated_by"] == "李经办（li@example.org）"
    assert row["version"] == 1
    assert row["status"] == "待整治"
    assert row["data_label"] == SAMPLE_LABEL  # the sample's register stays labelled
    assert len(ws.register(IMPORTED_SCOPE)) == 0  # the real register is untouched
    log = ws.audit_log(SAMPLE_SCOPE)
    assert set(log.loc[log["parcel_id"] == pid, "who"]) == {"李经办（li@example.org）"}


def test_a_save_on_rows_changed_meanwhile_is_refused_and_names_them(work):
    at = _page({"email": "li@example.org", "email_verified": True,
                "name": "李经办", "roles": ["经办"]})
    pid = _add_first_candidate(at)
    ws = open_workspace(work)  # someone else, in another session, adds the same parcel first
    base = ws.register(SAMPLE_SCOPE)
    new, audit = update_register(base, [{"parcel_id": pid, "status": "整治中",
                                         "area_mu": 5.0}], who="王五")
    ws.save_register(SAMPLE_SCOPE, base, new, audit)
    at.button(key="reg_save").click().run()
    assert not at.exception, at.exception
    said = " ".join(e.value for e in at.error)
    assert f"{pid}（王五" in said
    assert "重新载入" in said
    assert ws.register(SAMPLE_SCOPE).set_index("parcel_id").at[pid, "status"] == "整治中"
