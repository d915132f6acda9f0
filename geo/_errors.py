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
        where = []
        if file:
            where.append(f"file {file}")
        if feature:
            where.append(f"feature {feature}")
        if field:
            where.append(f"field '{field}'")
        prefix = ", ".join(where)
        super().__init__(f"{prefix + ': ' if prefix else ''}{problem}. Fix: {fix}")


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
