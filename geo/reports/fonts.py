"""The CJK font every report uses: Noto Sans CJK SC (Debian ``fonts-noto-cjk``).

Maps (matplotlib) and pages (WeasyPrint, through fontconfig) name the same family, so a map and
the page around it read alike. A missing font is a located error naming the package to install,
never boxes in place of characters.
"""

from __future__ import annotations

from functools import lru_cache

from geo._errors import ExportError

__all__ = ["CJK_FAMILY", "cjk_font_file", "require_cjk_font", "css_font_stack"]

#: The family reports are set in.
CJK_FAMILY = "Noto Sans CJK SC"
_INSTALL = "apt-get install fonts-noto-cjk"


@lru_cache(maxsize=1)
def cjk_font_file() -> str | None:
    """Return the file holding :data:`CJK_FAMILY` as matplotlib's font manager finds it, or None."""
    from matplotlib import font_manager

    for entry in font_manager.fontManager.ttflist:
        if entry.name == CJK_FAMILY:
            return str(entry.fname)
    try:  # a font installed after matplotlib built its cache
        path = font_manager.findfont(CJK_FAMILY, fallback_to_default=False, rebuild_if_missing=True)
    except ValueError:
        return None
    return str(path)


def require_cjk_font() -> str:
    """Return the CJK font file, or raise naming the package to install.

    Raises
    ------
    ExportError
        When no "Noto Sans CJK SC" is installed.
    """
    path = cjk_font_file()
    if not path:
        raise ExportError(
            f"the CJK font {CJK_FAMILY!r} is not installed", field="font",
            fix=f"install it with `{_INSTALL}` (Debian/Ubuntu) and restart",
            zh=(f"未安装中文字体“{CJK_FAMILY}”，无法生成 PDF 报告和地图",
                f"请执行 `{_INSTALL}`（Debian/Ubuntu）安装后重试"))
    return path


def css_font_stack() -> str:
    """Return the CSS ``font-family`` of report pages (after checking the font is there)."""
    require_cjk_font()
    return f'"{CJK_FAMILY}", "Noto Sans CJK", sans-serif'
