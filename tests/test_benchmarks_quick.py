"""The benchmark harness's pure helpers (benchmarks/): sizes, percentiles, tables, settling.

Fast and untimed: performance itself is measured by scripts/benchmark.py, never in tests.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from benchmarks import (
    ChildRun,
    app_steps,
    fmt_mb,
    fmt_s,
    md_table,
    parse_size,
    parse_sizes,
    parse_time_v,
    per_100k,
    percentile,
    ratio,
)
from benchmarks.load import LoadResult, load_table
from benchmarks.scale import (
    ScaleRow,
    growth_lines,
    max_size_args,
    ours_cmd,
    refused,
    scale_table,
)


@pytest.mark.parametrize(("text", "expected"), [
    ("100000", 100_000), ("100_000", 100_000), ("100k", 100_000), ("100K", 100_000),
    ("1M", 1_000_000), ("2.5k", 2_500), (" 300k ", 300_000), ("1", 1),
])
def test_parse_size(text, expected):
    assert parse_size(text) == expected


@pytest.mark.parametrize("text", ["", "0", "-5", "1.5", "abc", "10 k k", "1e5", "1G"])
def test_parse_size_refuses(text):
    with pytest.raises(ValueError, match="size"):
        parse_size(text)


def test_parse_sizes_keeps_order_and_drops_duplicates():
    assert parse_sizes("100000,300000") == [100_000, 300_000]
    assert parse_sizes("300k, 100k,300000,1M,") == [300_000, 100_000, 1_000_000]
    with pytest.raises(ValueError, match="no sizes"):
        parse_sizes(" , ")


@pytest.mark.parametrize("values", [[1.0], [3.0, 1.0], [5, 1, 4, 2, 3], list(range(10)),
                                    [0.2, 13.6, 31.0, 5.3, 7.7, 9.1, 2.2]])
@pytest.mark.parametrize("q", [0, 5, 25, 50, 90, 95, 100])
def test_percentile_matches_numpy_linear(values, q):
    assert percentile(values, q) == pytest.approx(float(np.percentile(values, q)))


def test_percentile_edges():
    assert math.isnan(percentile([], 50))
    assert percentile([1, 2, 3, 4], 50) == 2.5
    assert percentile([10, 20], 95) == pytest.approx(19.5)
    with pytest.raises(ValueError, match="outside"):
        percentile([1], 101)


def test_md_table():
    text = md_table(["a", "b"], [[1, None], ["x|y", "two\nlines"]], ["l", "r"])
    assert text.splitlines() == ["| a | b |", "|---|---:|", "| 1 | — |",
                                 "| x\\|y | two lines |"]
    with pytest.raises(ValueError, match="row of 1"):
        md_table(["a", "b"], [[1]])
    with pytest.raises(ValueError, match="alignment"):
        md_table(["a"], [], ["l", "r"])


def test_formatting():
    assert fmt_s(1.234) == "1.23"
    assert fmt_s(None) == fmt_s(math.nan) == "—"
    assert fmt_mb(3 * 2**20) == "3"
    assert fmt_mb(None) == "—"
    assert ratio(6.0, 2.0) == "3.00×"
    assert ratio(1.0, 0) == ratio(None, 1.0) == ratio(1.0, math.nan) == "—"
    assert per_100k(55.0, 100_000) == "55.00"
    assert per_100k(202.0, 300_000) == "67.33"
    assert per_100k(None, 10) == "—"


def test_parse_time_v():
    out = ("\tCommand being timed: \"python x.py\"\n"
           "\tMaximum resident set size (kbytes): 123456\n\tExit status: 0\n")
    assert parse_time_v(out) == 123456 * 1024
    assert parse_time_v("nothing here") is None


def child(seconds: float, rss: int | None, code: int = 0, stderr: str = "") -> ChildRun:
    return ChildRun(seconds, rss, code, "", stderr)


def test_scale_table_and_growth():
    mb = 2**20
    bare1, bare3 = child(5.0, 470 * mb), child(15.0, 1000 * mb)
    rows = [ScaleRow(100_000, 300_000, "evaluate", child(10.0, 940 * mb), bare1),
            ScaleRow(300_000, 900_000, "evaluate", child(30.0, 1500 * mb), bare3),
            ScaleRow(1_000_000, 3_000_000, "evaluate",
                     child(1.0, None, 2, "错误：文件超过 200 MB 上限"), bare3,
                     note="refused: over the 200 MB limit")]
    lines = scale_table(rows).splitlines()
    assert lines[2].split(" | ")[1:10] == ["`evaluate`", "10.0", "940", "5.0", "470", "2.00×",
                                           "2.00×", "10.00", "5.00"]
    assert "refused" in lines[4]
    assert "| — |" in lines[4]
    assert growth_lines(rows) == ["- `evaluate` 100,000 → 300,000 parcels (3× the data): ours "
                                  "3.0× the time, bare 3.0× (linear growth = 3×)"]


def test_refusal_and_limit_arguments():
    assert refused(child(1.0, None, 2, "python -m geo: 文件大小超过 200 MB 上限"))
    assert not refused(child(1.0, None, 1, "Traceback"))
    assert not refused(child(1.0, None, 0))
    assert max_size_args(None, 10**9) == []
    assert max_size_args(("--max-size", "MB"), 335 * 2**20) == ["--max-size", "1024"]
    assert max_size_args(("--max-size", "MB"), 900 * 2**20) == ["--max-size", "1800"]
    assert max_size_args(("--max-size", "bytes"), 10) == ["--max-size", str(1024 * 2**20)]


def test_ours_cmd(tmp_path):
    cmd = ours_cmd("evaluate", tmp_path / "p.gpkg", tmp_path / "e.csv", tmp_path / "o.csv", [])
    assert cmd[1:4] == ["-m", "geo", "evaluate"]
    assert cmd[cmd.index("--level") + 1] == "subzone"
    assert "--level" not in ours_cmd("lowland", tmp_path / "p", tmp_path / "e", tmp_path / "o",
                                     ["--max-size", "9"])


def test_load_table_percentiles():
    step = app_steps.STEP_NAMES[0]
    sessions = [app_steps.SessionResult({step: float(t)}) for t in (1, 2, 3, 4)]
    failed = app_steps.SessionResult(error="step deadline", failed_step=step)
    ours = LoadResult("ours", 5, [*sessions, failed], 10.0, 5.0, 20.0, 100, 200)
    bare = LoadResult("bare", 5, sessions[:2] * 2 + [sessions[0]], 5.0, 1.0, 9.0, 50, 60)
    row = load_table(ours, bare).splitlines()[2].rstrip(" |").split(" | ")
    assert row[1:8] == ["2.50", "3.85", "4/5", "1.00", "2.00", "5/5", "2.50×"]
    assert ours.errors == 1
    assert ours.error_summary() == f"1× {step}: step deadline"


class FakeDriver:
    """Answers :data:`app_steps.STATE_JS` with scripted page states, one per poll."""

    def __init__(self, states):
        self.states = list(states)

    def execute_script(self, script):
        assert script == app_steps.STATE_JS
        return self.states.pop(0) if len(self.states) > 1 else self.states[0]


def state(busy="", title="亩均效益", page="new"):
    return {"busy": busy, "title": title, "print": page, "error": ""}


def test_settling_waits_for_the_rerun(monkeypatch):
    clock = iter(float(i) for i in range(1000))
    monkeypatch.setattr(app_steps.time, "monotonic", lambda: next(clock))
    monkeypatch.setattr(app_steps.time, "sleep", lambda _s: None)
    monkeypatch.setattr(app_steps, "GRACE_S", 100.0)
    # idle at first (the rerun has not started), then busy, then the new page twice
    driver = FakeDriver([state(page="old"), state(page="old"), state("running"),
                         state("running,spinner"), state(page="new"), state(page="new")])
    settled, why = app_steps.wait_settled(driver, "亩均效益", None, deadline=500, started=0.0)
    assert why == ""
    assert settled == 4.0  # the first poll of the final idle, unchanged streak


def test_settling_without_seeing_busy_uses_the_grace(monkeypatch):
    clock = iter(float(i) for i in range(1000))
    monkeypatch.setattr(app_steps.time, "monotonic", lambda: next(clock))
    monkeypatch.setattr(app_steps.time, "sleep", lambda _s: None)
    monkeypatch.setattr(app_steps, "GRACE_S", 4.0)
    driver = FakeDriver([state(title="地图总览", page="old"), state(page="fast")])
    settled, why = app_steps.wait_settled(driver, "亩均效益", None, deadline=500, started=0.0)
    assert why == ""
    assert settled == 1.0  # idle and unchanged from then on; accepted once the grace passed


def test_settling_needs_a_changed_page_and_stops_at_the_deadline(monkeypatch):
    clock = iter(float(i) for i in range(1000))
    monkeypatch.setattr(app_steps.time, "monotonic", lambda: next(clock))
    monkeypatch.setattr(app_steps.time, "sleep", lambda _s: None)
    driver = FakeDriver([state(page="same")])
    settled, why = app_steps.wait_settled(driver, "亩均效益", "same", deadline=5, started=0.0)
    assert why.startswith("step deadline")
    error = FakeDriver([{**state(), "error": "exception: 页面出错\n请稍后重试"}])
    assert app_steps.wait_settled(error, "亩均效益", None, 5, 0.0)[1] == (
        "exception: 页面出错 请稍后重试")
