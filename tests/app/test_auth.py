"""Login and roles (issue 11): role rules as plain functions, and the sidebar through AppTest."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from app_pages.auth import (
    NOT_CONFIGURED_NOTE,
    ROLES_FILE_ENV,
    User,
    can_edit,
    is_admin,
    user_from_claims,
)
from geo.labels import ROLE_LABELS
from geo.roles import (
    MAX_ROLES_FILE_BYTES,
    parse_roles,
    read_roles_file,
    resolve_role,
    role_from_claims,
    role_from_value,
)
from tests.support.paths import APP

AUTH = {"redirect_uri": "http://localhost:8501/oauth2callback",
        "cookie_secret": "a-test-cookie-secret-of-enough-length",
        "client_id": "ningbo-planner", "client_secret": "not-a-secret",
        "server_metadata_url": "http://127.0.0.1:9/.well-known/openid-configuration"}

#: A page that shows the account box and keeps current_user() where the test can read it.
PROBE = """\
import streamlit as st
from app_pages.auth import current_user, sidebar_account

sidebar_account()
st.session_state["probe_user"] = current_user()
"""


# --- role rules --------------------------------------------------------------------------------

@pytest.mark.parametrize(("value", "role"), [
    ("viewer", "viewer"), ("Editor", "editor"), (" ADMIN ", "admin"),
    ("查看", "viewer"), ("经办", "editor"), ("管理", "admin"),
    (["offline_access", "editor"], "editor"), (["经办", "管理"], "admin"),
    ("viewer, editor", "editor"), ("经办，管理", "admin"),
    ("boss", None), ("", None), (None, None), (3, None), ([], None), ({"role": "admin"}, None),
])
def test_role_from_value(value, role):
    assert role_from_value(value) == role


def test_role_from_claims_default_and_configured_claim():
    assert role_from_claims({"roles": ["经办"]}) == "editor"
    assert role_from_claims({"role": "admin"}) == "admin"
    assert role_from_claims({"roles": ["uma_authorization"], "role": "管理"}) == "admin"
    assert role_from_claims({"email": "a@example.org", "email_verified": True}) is None
    claims = {"roles": "admin", "ningbo_role": "查看"}
    assert role_from_claims(claims, "ningbo_role") == "viewer"
    assert role_from_claims({"roles": "admin"}, "ningbo_role") is None


def test_user_from_claims_prefers_roles_file_then_claim_then_viewer():
    claims = {"sub": "u-1", "email": "Alice@Example.org", "email_verified": True, "name": "张三",
              "roles": ["管理"]}
    assert user_from_claims(claims, {}) == User("Alice@Example.org", "张三", "admin")
    assert user_from_claims(claims, {"alice@example.org": "editor"}).role == "editor"
    assert user_from_claims({"sub": "u-2"}, {"u-2": "admin"}) == User("u-2", "u-2", "admin")
    nobody = user_from_claims({"sub": "u-3", "preferred_username": "lisi"}, {})
    assert nobody == User("u-3", "lisi", "viewer")


def test_resolve_role_matches_ids_case_insensitively():
    roles = {"alice@example.org": "admin"}
    assert resolve_role(["Alice@Example.ORG", "u-1"], {}, roles) == "admin"
    assert resolve_role(["u-1"], {"role": "经办"}, roles) == "editor"
    assert resolve_role([], {}, {}) == "viewer"


def test_oversized_roles_file_is_refused(tmp_path: Path):
    path = tmp_path / "roles.toml"
    path.write_bytes(b"#" * (MAX_ROLES_FILE_BYTES + 1))
    assert "过大" in read_roles_file(path).problem


def test_user_role_is_checked():
    with pytest.raises(ValueError, match="unknown role"):
        User("a", "a", "boss")


def test_permissions():
    viewer, editor, admin = (User("x", "x", r) for r in ("viewer", "editor", "admin"))
    assert [can_edit(u) for u in (None, viewer, editor, admin)] == [False, False, True, True]
    assert [is_admin(u) for u in (None, viewer, editor, admin)] == [False, False, False, True]


def test_roles_file_is_read(tmp_path: Path):
    path = tmp_path / "roles.toml"
    path.write_text('[users]\n"Alice@example.org" = "经办"\n"bob" = "admin"\n'
                    '"carol" = "查看"\n', encoding="utf-8")
    read = read_roles_file(path)
    assert read.roles == {"Alice@example.org": "editor", "bob": "admin", "carol": "viewer"}
    assert read.problem is None
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())  # Excel/Notepad BOM
    assert read_roles_file(path).roles == read.roles


def test_missing_roles_file_lists_nobody(tmp_path: Path):
    read = read_roles_file(tmp_path / "absent.toml")
    assert read.roles == {}
    assert read.problem is None


@pytest.mark.parametrize("text", ['[users\n"a" = "经办"\n', 'users = "经办"\n',
                                  '[users]\n"a" = \n'])
def test_malformed_roles_file_says_why_in_chinese(text):
    read = parse_roles(text, "roles.toml")
    assert read.roles == {}
    assert "角色文件 roles.toml" in read.problem
    assert f"按“{ROLE_LABELS['viewer']}”处理" in read.problem


def test_unknown_role_in_file_is_named_and_others_kept():
    read = parse_roles('[users]\n"a" = "经办"\n"b" = "boss"\n"c" = 1\n')
    assert read.roles == {"a": "editor", "b": "viewer", "c": "viewer"}  # never the claim
    assert "b、c 的角色无法识别" in read.problem


def test_unreadable_roles_file(tmp_path: Path):
    path = tmp_path / "roles.toml"
    path.write_bytes(b'[users]\n"a" = "\xb2\xe9\xbf\xb4"\n')  # GBK, not UTF-8
    assert "不是 UTF-8" in read_roles_file(path).problem
    assert "无法读取角色文件" in read_roles_file(tmp_path).problem  # a folder


# --- the sidebar through AppTest ----------------------------------------------------------------

def _probe(tmp_path: Path, user: dict, secrets: dict) -> AppTest:
    script = tmp_path / "probe_auth.py"
    script.write_text(PROBE, encoding="utf-8")
    at = AppTest.from_file(str(script), default_timeout=30)
    at.secrets = secrets
    at.user = user
    at.run()
    assert not at.exception, at.exception
    return at


ROLE_CASES = [  # (claims, roles-file line or None, role)
    ({"sub": "v-1", "email": "wang@example.org", "email_verified": True,
      "name": "王五"}, None, "viewer"),
    ({"sub": "e-1", "email": "zhang@example.org", "email_verified": True, "name": "张三"},
     '"zhang@example.org" = "经办"', "editor"),
    ({"sub": "a-1", "email": "li@example.org", "email_verified": True,
      "name": "李四", "roles": ["管理"]}, None, "admin"),
]


@pytest.mark.parametrize(("claims", "line", "role"), ROLE_CASES,
                         ids=[c[2] for c in ROLE_CASES])
def test_current_user_has_the_role(work, tmp_path, claims, line, role):
    work.mkdir(parents=True, exist_ok=True)
    if line:
        (work / "roles.toml").write_text(f"[users]\n{line}\n", encoding="utf-8")
    at = _probe(tmp_path, {"is_logged_in": True, **claims}, {"auth": AUTH})
    user = at.session_state["probe_user"]
    assert user == User(claims["email"], claims["name"], role)
    shown = [t.value for t in at.sidebar.text]
    assert f"{claims['name']} · {ROLE_LABELS[role]}" in shown
    assert [b.label for b in at.sidebar.button] == ["退出"]


@pytest.mark.usefixtures("work")
def test_roles_file_from_env_and_malformed_file_warns(tmp_path, monkeypatch):
    bad = tmp_path / "elsewhere.toml"
    bad.write_text("[users\n", encoding="utf-8")
    monkeypatch.setenv(ROLES_FILE_ENV, str(bad))
    claims = {"is_logged_in": True, "sub": "x", "email": "x@example.org", "email_verified": True,
              "name": "赵六"}
    at = _probe(tmp_path, claims, {"auth": AUTH})
    assert at.session_state["probe_user"].role == "viewer"
    assert any("格式有误" in w.value for w in at.sidebar.warning)


@pytest.mark.usefixtures("work")
def test_logged_out_user_sees_login_button(tmp_path):
    at = _probe(tmp_path, {"is_logged_in": False}, {"auth": AUTH})
    assert at.session_state["probe_user"] is None
    assert [b.label for b in at.sidebar.button] == ["登录"]


@pytest.mark.usefixtures("work")
def test_without_auth_secrets_current_user_is_none(tmp_path):
    at = _probe(tmp_path, {"is_logged_in": True, "sub": "x", "email": "x@example.org",
                           "email_verified": True},
                {"tianditu_key": ""})
    assert at.session_state["probe_user"] is None
    assert NOT_CONFIGURED_NOTE in [c.value for c in at.sidebar.caption]
    assert not at.sidebar.button


def _app(user: dict, secrets: dict) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    at.secrets = secrets
    at.user = user
    at.run()
    assert not at.exception, at.exception
    return at


@pytest.mark.usefixtures("work")
def test_every_page_shows_the_account_of_an_editor(monkeypatch, tmp_path):
    roles = tmp_path / "roles.toml"
    roles.write_text('[users]\n"zhang@example.org" = "经办"\n', encoding="utf-8")
    monkeypatch.setenv(ROLES_FILE_ENV, str(roles))
    at = _app({"is_logged_in": True, "sub": "e-1", "email": "zhang@example.org",
               "email_verified": True,
               "name": "张三"},
              {"auth": AUTH})
    for page in (None, "app_pages/lowland.py"):
        if page:
            at.switch_page(page).run()
            assert not at.exception, at.exception
        assert f"张三 · {ROLE_LABELS['editor']}" in [t.value for t in at.sidebar.text]
        assert "退出" in [b.label for b in at.sidebar.button]


@pytest.mark.usefixtures("work")
def test_app_without_login_says_changes_are_read_only():
    at = _app({"is_logged_in": True, "sub": "x"}, {"tianditu_key": ""})
    assert NOT_CONFIGURED_NOTE in [c.value for c in at.sidebar.caption]
    assert "登录" not in [b.label for b in at.sidebar.button]


@pytest.mark.usefixtures("work")
def test_role_claim_is_configured_in_secrets(tmp_path, monkeypatch):
    monkeypatch.delenv("NINGBO_ROLE_CLAIM", raising=False)
    claims = {"is_logged_in": True, "sub": "s-1", "name": "钱七", "roles": ["admin"],
              "ningbo_role": ROLE_LABELS["editor"]}
    at = _probe(tmp_path, claims, {"auth": AUTH, "role_claim": "ningbo_role"})
    assert at.session_state["probe_user"] == User("s-1", "钱七", "editor")


# --- fail closed (review of issue 11) -------------------------------------------------------

def test_a_broken_roles_file_never_restores_a_claimed_role():
    read = parse_roles('[users]\n"eve@x.org" = "查看"\nbroken = ')
    assert read.locked
    claims = {"sub": "eve", "email": "eve@x.org", "email_verified": True, "roles": ["管理"]}
    assert user_from_claims(claims, read.roles, locked=read.locked).role == "viewer"


def test_a_typo_in_a_role_keeps_the_user_a_viewer_not_their_claim():
    read = parse_roles('[users]\n"eve@x.org" = "viewer-only"\n')
    claims = {"sub": "eve", "email": "eve@x.org", "email_verified": True, "roles": ["管理"]}
    assert user_from_claims(claims, read.roles).role == "viewer"


def test_an_unverified_email_does_not_identify_the_user():
    claims = {"email": "boss@example.org", "email_verified": False, "sub": "attacker"}
    user = user_from_claims(claims, {"boss@example.org": "admin"})
    assert (user.id, user.role) == ("attacker", "viewer")


def test_sub_is_compared_exactly():
    assert resolve_role(["U-1"], {}, {"u-1": "admin"}) == "viewer"
