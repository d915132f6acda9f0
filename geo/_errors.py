"""Exceptions that name the fault and the fix.

Every error raised for bad data says *where* (file, feature or row, field) and *what to do*.
They subclass :class:`ValueError`, so callers that only know "bad value" still catch them.
"""

from __future__ import annotations

__all__ = ["CatalogValidationError", "BoundaryImportError", "ExportError", "DataImportError",
           "RegisterError", "ProfileError"]


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
    ) -> None:
        self.problem = problem
        self.file = file
        self.feature = feature
        self.field = field
        self.fix = fix
        super().__init__(_LocatedError.describe(self, "en"))  # not a subclass's describe

    def describe(self, lang: str = "zh") -> str:
        """Return the one-line message with its frame in ``lang``.

        ``str(err)`` stays the English form. Only the frame (where, and the word before the
        fix) is translated; the problem and fix texts are given as raised.

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
                 f"记录 {self.feature}" if self.feature else "",
                 f"字段“{self.field}”" if self.field else ""]
        prefix = "，".join(w for w in where if w)
        problem = self.problem.rstrip("。")
        return f"{prefix + '：' if prefix else ''}{problem}。处理办法：{self.fix}"


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


class ProfileError(_LocatedError):
    """A scoring profile (评分方案, TOML) does not meet its schema."""
