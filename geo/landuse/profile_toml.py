"""Reading the TOML profiles (enterprise scoring, parks) safely, and the refusals they share.

One way to open the file, name a TOML value's kind, read a syntax error in Chinese, and check
cumulative class bands.
"""

from __future__ import annotations

import math
import re
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from geo._errors import DataImportError, ProfileError
from geo.io.safefile import open_safely

__all__ = ["CLASSES", "PROFILE_MAX_BYTES", "fault", "toml_kind", "is_number",
           "toml_problem_zh", "read_profile_toml", "class_bands"]

#: The 亩均论英雄 classes, best first.
CLASSES = ("A", "B", "C", "D")
#: A profile is a short text file; anything larger is refused unread.
PROFILE_MAX_BYTES = 1024 * 1024
#: What a TOML value is, in the words of a message.
_TOML_KINDS = ((bool, "是/否值"), (int, "数字"), (float, "数字"), (str, "文本"), (list, "数组"),
               (dict, "表"))


def fault(path: str, where: str, problem: str, fix: str, *,
                  zh: tuple[str, str] | None) -> ProfileError:
    """Return the refusal of a profile entry; ``zh`` is its Chinese (problem, fix)."""
    return ProfileError(problem, file=path, field=where, fix=fix, zh=zh)


def toml_kind(value: object) -> str:
    """Name the kind of a TOML value in Chinese ("文本", "数字", "数组" …)."""
    return next((label for t, label in _TOML_KINDS if isinstance(value, t)), "日期或时间")


def is_number(value: object) -> bool:
    """Tell whether a TOML value is a finite number (not a bool, nan or inf)."""
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def toml_problem_zh(err: tomllib.TOMLDecodeError) -> str:
    """Return where the TOML syntax error is, in Chinese (tomllib words it in English)."""
    at = re.search(r"at line (\d+), column (\d+)", str(err))
    if at is None:
        return "不是有效的 TOML，有语法错误"
    return f"不是有效的 TOML：第 {at.group(1)} 行第 {at.group(2)} 列附近有语法错误"


def read_profile_toml(path: Path, *, what: str, example: str) -> dict[str, Any]:
    """Read a profile through the guarded reader (a TOML text file of at most 1 MB).

    Parameters
    ----------
    path : Path
    what : str, keyword-only
        What the file is, in Chinese ("评分方案", "园区评价方案"), for the messages.
    example : str, keyword-only
        The bundled profile to compare with ("data/profiles/default.toml").

    Raises
    ------
    ProfileError
        Too large, not a text file, not UTF-8, not valid TOML, nested hundreds deep, or not
        readable — each with the fix, in Chinese too.
    """
    file = str(path)
    try:
        with open_safely(path, formats=("toml",), max_bytes=PROFILE_MAX_BYTES) as src:
            return tomllib.loads(src.path.read_bytes().decode("utf-8"))
    except DataImportError as err:
        raise fault(file, "(file)", err.problem, err.fix, zh=err.zh) from err
    except UnicodeDecodeError as err:
        raise fault(file, "(file)", "is not UTF-8 text",
                            "save the profile as UTF-8 (e.g. with a plain-text editor)",
                            zh=("不是 UTF-8 编码的文本",
                                f"请把{what}另存为 UTF-8 编码（如用纯文本编辑器）")) from err
    except tomllib.TOMLDecodeError as err:
        raise fault(file, "(file)", f"not valid TOML: {err}",
                            f"fix the syntax; compare with {example}",
                            zh=(toml_problem_zh(err), f"请改正语法错误，可对照 {example}")) from err
    except RecursionError as err:
        problem = f"数组或表嵌套层数过深（数百层），无法读取，不是{what}"
        fix = f"按 {example} 的格式重写方案（各小节只有一两层）"
        raise fault(file, "(file)", problem, fix, zh=(problem, fix)) from err
    except OSError as err:
        raise fault(file, "(file)", f"cannot read: {err.strerror}",
                            "give the path of an existing profile file",
                            zh=(f"无法读取（{err.strerror}）", f"请给出一个存在的{what}文件的路径")
                            ) from err


def class_bands(bands: Mapping[str, Any], file: str) -> dict[str, float]:
    """Check the cumulative shares of A–D (rising, D = 1) and return them as numbers.

    Raises
    ------
    ProfileError
        A share missing or not a number, not rising, not ending at D = 1.0, or A ≤ 0.
    """
    values: list[Any] = [bands.get(c) for c in CLASSES]
    numbers = [float(v) for v in values if is_number(v)]
    if (len(numbers) != len(CLASSES)
            or any(b <= a for a, b in zip(numbers, numbers[1:], strict=False))
            or not math.isclose(numbers[-1], 1.0) or numbers[0] <= 0):
        raise fault(file, "classes", f"bands {values} must rise to D = 1.0",
                            "write cumulative shares, e.g. A = 0.20, B = 0.80, C = 0.95, D = 1.00",
                            zh=(f"分类比例 {values} 应逐级递增，且 D = 1.0",
                                "请写累计比例，如 A = 0.20, B = 0.80, C = 0.95, D = 1.00"))
    return dict(zip(CLASSES, numbers, strict=True))
