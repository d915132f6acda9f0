"""The city-pages benchmark harness (benchmarks/city_pages.py) at a tiny size: it imports the
synthetic files into a workspace, opens every page in a child process and returns one row per
page. No timing is asserted: performance is measured by the benchmark, never in tests."""

from __future__ import annotations

from benchmarks.city_pages import HEADERS, PAGES, city_pages_rows, replace_section


def test_the_harness_opens_every_page_with_the_imported_dataset():
    result = city_pages_rows(300, repeat=1, log=lambda _line: None)
    assert [r[0] for r in result.rows] == [title for title, _ in PAGES]
    assert all(len(r) == len(HEADERS) for r in result.rows)
    for title, _ in PAGES:
        for round_ in ("first", "revisit"):
            run = result.children[0][round_][title]
            assert not run["exception"], (title, round_, run["exception"])
            assert run["dataset"] is not False, (title, round_)  # never the 示例数据 instead
    first, revisit = result.children[0]["first"], result.children[0]["revisit"]
    # the import kept its analysis: the pages read it once (in the background from the first
    # run, or by a page) and never compute it
    assert any("load_analysis" in run["spent"] for run in first.values())
    assert not any("analyse" in run["spent"] for run in (*first.values(), *revisit.values()))
    assert not any("load_analysis" in run["spent"] for run in revisit.values())
    assert any("300 parcels" in line for line in result.lines)
    assert any("no analysis kept" in line and "of which `analyse`" in line
               for line in result.lines)


def test_a_new_section_goes_before_how_to_read_and_an_old_one_is_replaced():
    text = "# B\n\n## 1. x\n\n## How to read this\n\nend\n"
    once = replace_section(text, "## 13. new")
    assert once.index("## 13. new") < once.index("## How to read this")
    twice = replace_section(once, "## 13. newer")
    assert "## 13. new\n" not in twice
    assert twice.count("<!-- section: city-pages -->") == 1
    assert twice.endswith("## How to read this\n\nend\n")
