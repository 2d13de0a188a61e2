"""bench/lines.py, the line counts of docs/one-engine.md: every file in its
package's row, the generated parser apart, and a revision against itself
changes nothing."""

import shutil
import subprocess

import pytest

from bench.lines import line_counts, package, table


def test_each_file_is_counted_in_its_packages_row():
    assert package("adcli/api.py") == "adcli/ (top-level modules)"
    assert package("adcli/modes/sweeps.py") == "adcli/modes/"
    assert package("adcli/language/lalr_tables.py") == "adcli/language/ (generated parser)"
    assert package("tests/test_api.py") == "tests/ (Python)"


def _in_git():
    return shutil.which("git") is not None and subprocess.run(
        ["git", "rev-parse", "HEAD"], capture_output=True, timeout=600).returncode == 0


@pytest.mark.skipif(not _in_git(), reason="not a git checkout: nothing to count")
def test_a_revision_against_itself_changes_nothing():
    counts = line_counts("HEAD")
    assert counts["adcli/modes/"] > 1000 and counts["adcli/language/ (generated parser)"] > 0
    rows = [line.split("|") for line in table("HEAD", "HEAD").splitlines()[2:]]
    assert rows and all(cells[4].strip() == "+0" and cells[5].strip() == "0" for cells in rows)


def test_the_sweeps_and_generators_named_for_main_exist():
    """docs/one-engine.md's "main" column names files and functions: each
    file exists, and each name after it occurs in it (a renamed or removed
    sweep makes the count stale)."""
    import re
    from pathlib import Path

    from .docs_pages import ROOT, section

    checked = 0
    for heading in ("## Sweep implementations", "## Code generators"):
        for line in section("docs/one-engine.md", heading).splitlines():
            cells = line.split("|")
            if not line.startswith("| ") or len(cells) < 4 or "---" in line:
                continue
            current = None
            for token in re.findall(r"`([^`]+)`", cells[-2]):
                if token.endswith(".py"):
                    base = "" if token.startswith("tests/") else "adcli/"
                    current = Path(ROOT, base + token)
                    assert current.exists(), f"docs/one-engine.md: no {base + token}"
                elif current is not None and re.fullmatch(r"[\w.]+", token):
                    name = token.rsplit(".", 1)[-1]
                    assert re.search(rf"\b{name}\b", current.read_text(encoding="utf-8")), \
                        f"docs/one-engine.md: no {token} in {current}"
                    checked += 1
    assert checked > 20
