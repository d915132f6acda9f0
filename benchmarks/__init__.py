# ruff: noqa: D205, D401 - docstring wording as in scripts/ (exempt there from D)
"""Scale, Excel, app-step and session-load benchmarks of issue 16 (run by scripts/benchmark.py).

The modules: :mod:`benchmarks.scale` (``evaluate`` / ``lowland`` at city and province size, and
the Excel export, against bare scripts), :mod:`benchmarks.app_steps` (the app's pages in
headless Chromium, against ``benchmarks/bare_app.py``) and :mod:`benchmarks.load` (concurrent
sessions). This module holds their pure helpers — size parsing, percentiles, Markdown tables —
and the child-process runner that measures a child's own wall time and peak memory.

Performance is measured here, never in timed tests.
"""

from __future__ import annotations

import contextlib
import math
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
TIME_BIN = "/usr/bin/time"

_SUFFIX = {"": 1, "k": 1_000, "m": 1_000_000}


def parse_size(text: str) -> int:
    """A count such as ``100000``, ``100_000``, ``100k``, ``2.5k`` or ``1M`` as an int.

    Raises
    ------
    ValueError
        For anything else, or a count that is not a whole number of at least 1.
    """
    match = re.fullmatch(r"(\d+(?:\.\d+)?)([kKmM]?)", text.strip().replace("_", ""))
    if not match:
        raise ValueError(f"not a size: {text!r} (write 100000, 100k or 1M)")
    value = float(match.group(1)) * _SUFFIX[match.group(2).lower()]
    if value < 1 or value != int(value):
        raise ValueError(f"not a whole positive size: {text!r}")
    return int(value)


def parse_sizes(text: str) -> list[int]:
    """A comma-separated list of sizes (``100000,300000`` or ``100k,300k,1M``), in order,
    duplicates dropped.

    Raises
    ------
    ValueError
        For an empty list or a bad item.
    """
    sizes: list[int] = []
    for item in (part for part in text.split(",") if part.strip()):
        size = parse_size(item)
        if size not in sizes:
            sizes.append(size)
    if not sizes:
        raise ValueError("no sizes given")
    return sizes


def percentile(values: Sequence[float], q: float) -> float:
    """The ``q``-th percentile (0–100) with linear interpolation between closest ranks
    (NumPy's default "linear" method); NaN for no values.

    Raises
    ------
    ValueError
        For ``q`` outside 0–100.
    """
    if not 0 <= q <= 100:
        raise ValueError(f"percentile {q} outside 0–100")
    data = sorted(values)
    if not data:
        return math.nan
    rank = (len(data) - 1) * q / 100
    low = math.floor(rank)
    high = min(low + 1, len(data) - 1)
    return data[low] + (data[high] - data[low]) * (rank - low)


def md_table(headers: Sequence[str], rows: Sequence[Sequence[object]],
             align: Sequence[str] | None = None) -> str:
    """A Markdown table; ``align`` per column is "l" or "r" (default: left). Cells are
    written with ``str`` (None as an em dash) and a ``|`` in a cell is escaped.
    """
    align = list(align or ["l"] * len(headers))
    if len(align) != len(headers):
        raise ValueError("one alignment per column")

    def cell(value: object) -> str:
        return "—" if value is None else str(value).replace("|", "\\|").replace("\n", " ")

    lines = ["| " + " | ".join(cell(h) for h in headers) + " |",
             "|" + "|".join("---:" if a == "r" else "---" for a in align) + "|"]
    for row in rows:
        if len(row) != len(headers):
            raise ValueError(f"row of {len(row)} cells under {len(headers)} headers")
        lines.append("| " + " | ".join(cell(v) for v in row) + " |")
    return "\n".join(lines)


def fmt_s(seconds: float | None, digits: int = 2) -> str:
    """Seconds with ``digits`` decimals, or an em dash for None / NaN."""
    if seconds is None or (isinstance(seconds, float) and math.isnan(seconds)):
        return "—"
    return f"{seconds:.{digits}f}"


def fmt_mb(nbytes: int | None) -> str:
    """Bytes as whole MB (MiB), or an em dash."""
    return "—" if nbytes is None else f"{nbytes / 1024 / 1024:,.0f}"


def ratio(ours: float | None, bare: float | None) -> str:
    """``ours / bare`` as ``1.23×``, or an em dash when either is missing or bare is 0."""
    if ours is None or bare is None or not bare or math.isnan(ours) or math.isnan(bare):
        return "—"
    return f"{ours / bare:.2f}×"


def per_100k(seconds: float | None, n: int) -> str:
    """Seconds per 100,000 items (the growth column: constant when growth is linear)."""
    if seconds is None or n <= 0:
        return "—"
    return f"{seconds * 100_000 / n:.2f}"


_MAXRSS = re.compile(r"Maximum resident set size \(kbytes\):\s*(\d+)")


def parse_time_v(text: str) -> int | None:
    """Peak RSS in bytes from the output of GNU ``/usr/bin/time -v``, or None."""
    found = _MAXRSS.findall(text)
    return int(found[-1]) * 1024 if found else None


@dataclass(frozen=True)
class ChildRun:
    """A finished child process: wall seconds, peak RSS bytes, exit code, output tails."""

    seconds: float
    peak_rss: int | None
    returncode: int
    stdout: str
    stderr: str

    @property
    def ok(self) -> bool:
        """Whether the child exited with code 0."""
        return self.returncode == 0

    def last_line(self) -> str:
        """The last non-empty line of stderr (else stdout), for a refusal or failure note."""
        for text in (self.stderr, self.stdout):
            lines = [ln for ln in text.splitlines() if ln.strip()
                     and not ln.lstrip().startswith(("Command ", "\t"))]
            if lines:
                return lines[-1].strip()
        return ""


def _tree_rss(pid: int) -> int:
    import psutil

    try:
        proc = psutil.Process(pid)
        procs = [proc, *proc.children(recursive=True)]
    except psutil.Error:
        return 0
    total = 0
    for p in procs:
        with contextlib.suppress(psutil.Error):
            total += p.memory_info().rss
    return total


def run_child(cmd: Sequence[str], *, timeout: float, cwd: Path = ROOT,
              env: dict[str, str] | None = None) -> ChildRun:
    """Run ``cmd``; its own wall time and peak RSS (GNU ``time -v`` when installed, else
    psutil polling of the process tree every 50 ms). Killed after ``timeout`` s (code -9).
    """
    use_time = os.access(TIME_BIN, os.X_OK)
    full = [TIME_BIN, "-v", *cmd] if use_time else list(cmd)
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(full, cwd=cwd, env=env, stdout=out, stderr=err,
                                stdin=subprocess.DEVNULL)
        peak = [0]
        stop = threading.Event()

        def poll() -> None:
            while not stop.wait(0.05):
                peak[0] = max(peak[0], _tree_rss(proc.pid))

        poller = None if use_time else threading.Thread(target=poll, daemon=True)
        if poller:
            poller.start()
        try:
            code = proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            code = proc.wait()
            code = -9
        seconds = time.perf_counter() - start
        stop.set()
        if poller:
            poller.join()
        out.seek(0)
        err.seek(0)
        stdout = out.read().decode("utf-8", "replace")
        stderr = err.read().decode("utf-8", "replace")
    rss = parse_time_v(stderr) if use_time else (peak[0] or None)
    return ChildRun(seconds, rss, code, stdout[-4000:], stderr[-4000:])


def library_versions(names: Sequence[str]) -> str:
    """``name version`` for each installed distribution, comma-separated."""
    from importlib import metadata

    parts = []
    for name in names:
        try:
            parts.append(f"{name} {metadata.version(name)}")
        except metadata.PackageNotFoundError:
            parts.append(f"{name} (not installed)")
    return ", ".join(parts)


def which(name: str) -> str | None:
    """``name`` on PATH or in /usr/bin, else None."""
    found = shutil.which(name)
    if found:
        return found
    path = Path("/usr/bin") / name
    return str(path) if path.is_file() and os.access(path, os.X_OK) else None
