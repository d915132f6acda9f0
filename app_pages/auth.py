"""Login and roles (issue 11): who is using the app and what they may change.

Login is Streamlit's OIDC flow (``st.login`` / ``st.user``), configured by ``[auth]`` in
``.streamlit/secrets.toml``. A user's role comes from the roles file (``NINGBO_ROLES_FILE`` or
``<NINGBO_WORK_DIR>/roles.toml``) when it lists them, else from a claim (``NINGBO_ROLE_CLAIM``,
``role_claim`` in secrets, default ``roles`` then ``role``), else viewer — the rules and the
reading of the roles file live in :mod:`geo.roles`; this module asks Streamlit who is logged in.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import streamlit as st
from streamlit.errors import StreamlitSecretNotFoundError

from app_pages.analysis_state import work_dir
from geo.labels import ROLE_LABELS
from geo.roles import ROLES, read_roles_file, resolve_role

#: Environment variable naming the roles file (default ``<NINGBO_WORK_DIR>/roles.toml``).
ROLES_FILE_ENV, ROLES_FILE_NAME = "NINGBO_ROLES_FILE", "roles.toml"
#: Environment variable naming the claim that carries the role (overrides ``role_claim``).
ROLE_CLAIM_ENV = "NINGBO_ROLE_CLAIM"
#: The note shown instead of the login button when no identity provider is configured.
NOT_CONFIGURED_NOTE = "未配置登录：所有修改数据的功能为只读（见 README“登录与角色”）"


@dataclass(frozen=True)
class User:
    """A logged-in user: ``id`` (email, else ``sub``), display ``name`` and ``role``."""

    id: str
    name: str
    role: str

    def __post_init__(self) -> None:
        if self.role not in ROLES:
            raise ValueError(f"unknown role {self.role!r}; expected one of {ROLES}")


def user_from_claims(claims: Mapping[str, object], roles: Mapping[str, str],
                     claim: str | None = None, *, locked: bool = False) -> User:
    """The :class:`User` of ``claims``: the roles file wins, then the claim, then viewer.

    The email identifies the user only when the provider says it is verified
    (``email_verified`` true) — anyone can type someone else's address into a self-service
    account; otherwise the ``sub`` does. ``locked`` (an unusable roles file): viewer.
    """
    email = str(claims.get("email") or "").strip() if claims.get("email_verified") is True \
        else ""
    ids = [i for i in (email, str(claims.get("sub") or "").strip()) if i]
    user_id = ids[0] if ids else ""
    role = resolve_role(ids, claims, roles, claim, locked=locked)
    name = next((str(claims[k]) for k in ("name", "preferred_username", "email", "sub")
                 if claims.get(k)), user_id)
    return User(id=user_id, name=name, role=role)


def can_edit(user: User | None) -> bool:
    """Whether ``user`` may change the 整治台账 (editor or admin)."""
    return user is not None and user.role in ("editor", "admin")


def is_admin(user: User | None) -> bool:
    """Whether ``user`` may also delete datasets and change the active scoring profile."""
    return user is not None and user.role == "admin"


def _secrets() -> Mapping[str, object]:
    try:
        return st.secrets.to_dict()
    except (StreamlitSecretNotFoundError, FileNotFoundError):
        return {}


def login_configured() -> bool:
    """Whether secrets have an ``[auth]`` section (an identity provider to log in with)."""
    return isinstance(_secrets().get("auth"), Mapping)


def roles_file() -> Path:
    """Where the roles file is read from."""
    return Path(os.environ.get(ROLES_FILE_ENV) or work_dir() / ROLES_FILE_NAME)


def role_claim() -> str | None:
    """The claim configured to carry the role, or None for ``roles`` / ``role``."""
    configured = os.environ.get(ROLE_CLAIM_ENV) or _secrets().get("role_claim")
    return str(configured).strip() or None if configured else None


def current_user() -> User | None:
    """The logged-in user, or None when no provider is configured or nobody is logged in."""
    if not login_configured():
        return None
    claims = st.user.to_dict()
    if not claims.get("is_logged_in"):
        return None
    rf = read_roles_file(roles_file())
    return user_from_claims(claims, rf.roles, role_claim(), locked=rf.locked)


def sidebar_account() -> User | None:
    """Draw the account box in the sidebar (登录, or name + role + 退出); return the user."""
    with st.sidebar:
        if not login_configured():
            st.caption(NOT_CONFIGURED_NOTE)
            return None
        user = current_user()
        if user is None:
            st.button("登录", key="auth_login", on_click=st.login, width="stretch")
            return None
        st.text(f"{user.name} · {ROLE_LABELS[user.role]}")
        problem = read_roles_file(roles_file()).problem
        if problem:
            st.warning(problem)
        st.button("退出", key="auth_logout", on_click=st.logout)
        return user
