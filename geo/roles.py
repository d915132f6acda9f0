"""Roles of the app's users (issue 11): claim values and the roles file, without Streamlit.

A role is ``viewer`` (查看: reads), ``editor`` (经办: also edits the 整治台账) or ``admin``
(管理: also deletes datasets and changes the active scoring profile). It is written in English
or with the labels of :data:`geo.labels.ROLE_LABELS`, in an identity-provider claim or in a
roles file (TOML, ``[users]`` of ``"alice@example.org" = "经办"``). ``app_pages.auth`` asks this
module and shows the result; an unreadable roles file is reported in Chinese, listing nobody.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from geo.labels import ROLE_LABELS

__all__ = ["ROLES", "DEFAULT_ROLE_CLAIMS", "MAX_ROLES_FILE_BYTES", "RolesFile", "role_from_value",
           "role_from_claims", "parse_roles", "read_roles_file", "resolve_role"]

#: Roles from the least to the most allowed.
ROLES = ("viewer", "editor", "admin")
#: Claims read for the role when none is configured, in order.
DEFAULT_ROLE_CLAIMS = ("roles", "role")
#: A roles file is a short list of users; a larger file is refused unread.
MAX_ROLES_FILE_BYTES = 1024 * 1024


@dataclass(frozen=True)
class RolesFile:
    """A roles file as read.

    Attributes
    ----------
    roles : dict
        User id (email, compared case-insensitively, or ``sub``, compared exactly) → role.
        An entry with an unknown role is kept as ``viewer``: a typo never falls back to
        the identity provider's claim.
    problem : str or None
        Why (some of) the file could not be used, in Chinese; None when all was read.
    locked : bool
        The file exists but cannot be used (bad TOML, not UTF-8, too large …): everybody is
        a viewer and no claim is consulted, so a mistyped file never restores a role it took
        away (fail closed).
    """

    roles: dict[str, str] = field(default_factory=dict)
    problem: str | None = None
    locked: bool = False


def role_from_value(value: object) -> str | None:
    """Return the role a claim value or roles-file entry names, or None.

    Parameters
    ----------
    value : object
        ``"editor"``, ``"经办"`` (any case, spaces ignored), a comma-separated text, or a list
        such as ``["offline_access", "editor"]``; from several roles the highest wins.

    Returns
    -------
    str or None
        One of :data:`ROLES`; None when ``value`` names none.
    """
    if isinstance(value, str):
        items: list[object] = list(value.replace("，", ",").split(","))
    elif isinstance(value, list | tuple | set | frozenset):
        items = list(value)
    else:
        return None
    by_word = {**{r: r for r in ROLES}, **{label: r for r, label in ROLE_LABELS.items()}}
    found = [by_word[v.strip().lower()] for v in items
             if isinstance(v, str) and v.strip().lower() in by_word]
    return max(found, key=ROLES.index) if found else None


def role_from_claims(claims: Mapping[str, object], claim: str | None = None) -> str | None:
    """Return the role in identity ``claims``: the configured ``claim``, else ``roles``/``role``."""
    for name in (claim,) if claim else DEFAULT_ROLE_CLAIMS:
        role = role_from_value(claims.get(name))
        if role:
            return role
    return None


def _unusable(reason: str) -> RolesFile:
    return RolesFile(problem=f"{reason}，所有用户按“{ROLE_LABELS['viewer']}”处理。", locked=True)


def parse_roles(text: str, source: str = "roles.toml") -> RolesFile:
    """Read the TOML text of a roles file.

    Parameters
    ----------
    text : str
        ``[users]`` with ``"user id" = "经办"`` entries.
    source : str
        The file's name, for the messages.

    Returns
    -------
    RolesFile
        Bad TOML or a ``users`` that is not a table lists nobody; an entry with an unknown
        role is left out and named in ``problem``.
    """
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        return _unusable(f"角色文件 {source} 格式有误（{exc}）")
    users = data.get("users", {})
    if not isinstance(users, dict):
        return _unusable(f"角色文件 {source} 的 [users] 不是一张表")
    roles = {k.strip(): role_from_value(v) or "viewer" for k, v in users.items()}
    unknown = [k for k, v in users.items() if not role_from_value(v)]
    problem = None
    if unknown:
        allowed = "、".join(ROLE_LABELS.values())
        problem = (f"角色文件 {source} 中 {'、'.join(unknown)} 的角色无法识别（应为 {allowed} "
                   f"或 {'/'.join(ROLES)}），按“{ROLE_LABELS['viewer']}”处理。")
    return RolesFile(roles=roles, problem=problem)


def read_roles_file(path: Path) -> RolesFile:
    """Read the roles file at ``path`` (UTF-8, a BOM allowed, at most 1 MB).

    Parameters
    ----------
    path : Path

    Returns
    -------
    RolesFile
        A missing file lists nobody without a problem; an unreadable one says why.
    """
    try:
        if path.stat().st_size > MAX_ROLES_FILE_BYTES:
            return _unusable(f"角色文件 {path} 过大（超过 1 MB）")
        text = path.read_bytes().decode("utf-8-sig")
    except FileNotFoundError:
        return RolesFile()
    except UnicodeDecodeError:
        return _unusable(f"角色文件 {path} 不是 UTF-8 文本")
    except OSError as exc:
        return _unusable(f"无法读取角色文件 {path}（{exc.strerror or exc}）")
    return parse_roles(text, str(path))


def _listed(roles: Mapping[str, str], user_id: str) -> str | None:
    """Return the role listed for ``user_id``: an exact key, or an email key in any case."""
    if user_id in roles:
        return roles[user_id]
    if "@" in user_id:
        lower = user_id.lower()
        return next((r for k, r in roles.items() if "@" in k and k.lower() == lower), None)
    return None


def resolve_role(ids: list[str], claims: Mapping[str, object], roles: Mapping[str, str],
                 claim: str | None = None, *, locked: bool = False) -> str:
    """Return a user's role: the roles file (by any of ``ids``), then the claim, then viewer.

    Parameters
    ----------
    ids : list of str
        The user's ids (email, ``sub``), matched case-insensitively against ``roles``.
    claims : mapping
        The identity provider's claims.
    roles : mapping
        :attr:`RolesFile.roles`.
    claim : str, optional
        The claim carrying the role (default ``roles`` then ``role``).
    locked : bool, keyword-only
        :attr:`RolesFile.locked`: everybody is a viewer.

    Returns
    -------
    str
        One of :data:`ROLES`.
    """
    if locked:
        return "viewer"
    listed = next((r for i in ids if (r := _listed(roles, i))), None)
    return listed or role_from_claims(claims, claim) or "viewer"
