"""Exceptions that name the fault and the fix.

Every error raised for bad data says *where* (file, feature or row, field) and *what to do*.
They subclass :class:`ValueError`, so callers that only know "bad value" still catch them.
"""

from __future__ import annotations

import re

__all__ = ["CatalogValidationError", "BoundaryImportError", "ExportError", "DataImportError",
           "RegisterError", "ProfileError", "StoreError", "user_message"]


#: How the English names of a record read in Chinese ("row 3" → "第 3 行", "parcel P1" → "宗地 P1").
_FEATURE_ZH = ((re.compile(r"^row (\d+)"), r"第 \1 行"), (re.compile(r"^parcel "), "宗地 "))


def _feature_zh(feature: str) -> str:
    """Return ``feature`` with its English record words in Chinese (names and ids kept)."""
    for pattern, repl in _FEATURE_ZH:
        feature = pattern.sub(repl, feature)
    return feature


def _record_zh(feature: str) -> str:
    """Return where a record is, in Chinese: "第 3 行" for a row, "记录 X" otherwise."""
    said = _feature_zh(feature)
    return said if said.startswith("第 ") else f"记录 {said}"


class _LocatedError(ValueError):
    """A ValueError carrying the file, the feature, the field and the fix."""

    def __init__(
        self,
        problem: str,
        *,
        file: str | None = None,
        feature: str | None = None,
        field: str | None = None,
        fix: str,
        zh: tuple[str, str] | None = None,
    ) -> None:
        self.problem = problem
        self.file = file
        self.feature = feature
        self.field = field
        self.fix = fix
        #: The Chinese (problem, fix) shown by ``describe("zh")``; the English texts otherwise.
        self.zh = zh
        super().__init__(_LocatedError.describe(self, "en"))  # not a subclass's describe

    def describe(self, lang: str = "zh") -> str:
        """Return the one-line message with its frame in ``lang``.

        ``str(err)`` stays the English form. The Chinese form uses the Chinese problem and
        fix given as ``zh=(problem, fix)`` where the error was raised (every error an official
        can meet carries them; ``tests/test_errors_chinese.py`` checks each raise site).

        Parameters
        ----------
        lang : {"zh", "en"}
            "zh": ``文件 X，记录 Y，字段“Z”：problem。处理办法：fix``;
            "en": ``file X, feature Y, field 'Z': problem. Fix: fix``.

        Returns
        -------
        str
        """
        if lang == "en":
            where = [f"file {self.file}" if self.file else "",
                     f"feature {self.feature}" if self.feature else "",
                     f"field '{self.field}'" if self.field else ""]
            prefix = ", ".join(w for w in where if w)
            return f"{prefix + ': ' if prefix else ''}{self.problem}. Fix: {self.fix}"
        where = [f"文件 {self.file}" if self.file else "",
                 _record_zh(self.feature) if self.feature else "",
                 f"字段“{self.field}”" if self.field else ""]
        prefix = "，".join(w for w in where if w)
        problem, fix = self.zh or (self.problem, self.fix)
        return f"{prefix + '：' if prefix else ''}{problem.rstrip('。')}。处理办法：{fix}"


class CatalogValidationError(_LocatedError):
    """A catalogue layer does not meet the data model (see ``data/parks/README.md``)."""


class BoundaryImportError(_LocatedError):
    """A replacement-boundary file cannot be used."""


class ExportError(_LocatedError):
    """An export was asked for in a form we cannot write."""


class DataImportError(_LocatedError):
    """A parcel or enterprise file cannot be imported (unreadable, unsafe or without key fields)."""


class RegisterError(_LocatedError):
    """The clearance register (整治台账) or its audit log cannot be read or saved as asked."""


class StoreError(_LocatedError):
    """The workspace store cannot be opened or cannot hold what was asked."""


class ProfileError(_LocatedError):
    """A scoring profile (评分方案, TOML) does not meet its schema."""


def user_message(err: BaseException, lang: str = "zh") -> str:
    """Return what an official reads for ``err``: its located form in ``lang``, else its text.

    Pages and the CLI show errors only through this (never a traceback).
    """
    describe = getattr(err, "describe", None)
    if isinstance(err, _LocatedError) or callable(describe):
        try:
            return str(describe(lang))  # type: ignore[misc]
        except TypeError:  # a describe() that takes other arguments
            pass
    return str(err)
