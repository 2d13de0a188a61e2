"""bench/goals.py: the issues' goals read from a run's rows, and the page that
holds them (docs/performance.md) says which run and commit they come from."""

import re
from pathlib import Path

from bench import goals
from bench.run import row

PAGE = Path(__file__).resolve().parent.parent / "docs" / "performance.md"
META = {"date": "2026-12-01 05:00 UTC", "load": 1.5}


def _rows(adcli_start=0.08, autograd_n1000=0.3):
    startup = "worked example, cold process (11 runs)"
    return [row(startup, adcli_start, "python -c pass", 0.025),
            row(startup, adcli_start, "autograd", 0.16),
            row(startup, adcli_start, "sympy", 0.43),
            row("cheap gradient n=10,000 (79,991 steps), in-process", 0.0144,
                "one evaluation, same tape", 0.0042, kind="kernel"),
            row("Rosenbrock n=1,000 (30,647 chars), value+gradient (5 runs)", 0.09,
                "autograd", autograd_n1000)]


def test_each_goal_is_judged_from_its_rows():
    text = goals.table(_rows(), META, "abc1234")
    assert "at abc1234 (2026-12-01 05:00 UTC, load 1.5)" in text
    assert ("| cold `adcli grad … --format json` ≤ 7 × `python -c pass` | "
            "80.0 ms / 25.0 ms = 3.2× | met |") in text
    assert "= 3.43 | **missed** |" in text  # the cheap gradient, 14.4 / 4.2 ms
    assert "**partly**: autograd starts 2.0× slower only" in text
    assert "90.0 ms vs 300.0 ms = 3.3× | met |" in text


def test_a_goal_without_its_rows_is_left_out_and_a_slow_run_misses():
    text = goals.table(_rows(adcli_start=0.2, autograd_n1000=0.1), META, "abc1234")
    assert "= 8.0× | **missed** |" in text
    assert "1.1× | **missed** |" in text
    assert "10⁷" not in text and "Taylor" not in text and "n = 10,000, text" not in text


def test_the_page_holds_a_goals_table_that_names_its_commit():
    page = PAGE.read_text(encoding="utf-8")
    inside = page[page.index(goals.BEGIN):page.index(goals.END)]
    assert re.search(r"at [0-9a-f]{7,}", inside), inside[:300]
    assert goals.with_goals(page, "X").count(goals.END) == 1
    assert "\nX\n" + goals.END in goals.with_goals(page, "X")
