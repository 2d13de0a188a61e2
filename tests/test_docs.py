"""The documentation is true: every relative link resolves, every console
session prints what the page says, every ``>>>`` example runs."""

import glob
import os
import re
import unicodedata

import pytest

from .docs_pages import PAGES, ROOT, console_sessions, read, run_console, run_doctests

LINK = re.compile(r"(?<!!)\[[^\]]*\]\(([^)\s]+)\)|!\[[^\]]*\]\(([^)\s]+)\)")


def _slug(heading):
    """GitHub's anchor for a heading: lower case, punctuation dropped
    (letters, digits, marks, `-` and `_` kept), spaces as hyphens."""
    text = heading.strip().lower()
    kept = "".join(c for c in text if c in " -_" or unicodedata.category(c)[0] in "LNM")
    return kept.replace(" ", "-")


def _anchors(page):
    text = re.sub(r"^```.*?^```", "", read(page), flags=re.S | re.M)
    return {_slug(h) for h in re.findall(r"^#+ (.*)$", text, re.M)}


def _links(page):
    text = re.sub(r"^```.*?^```", "", read(page), flags=re.S | re.M)
    for match in LINK.finditer(text):
        yield match.group(1) or match.group(2)


@pytest.mark.parametrize("page", PAGES)
def test_every_relative_link_resolves(page):
    for target in _links(page):
        if re.match(r"[a-z]+:", target):
            continue  # an absolute URL
        path, _, anchor = target.partition("#")
        resolved = os.path.normpath(os.path.join(ROOT, os.path.dirname(page), path)) \
            if path else os.path.join(ROOT, page)
        assert os.path.exists(resolved), f"{page}: broken link {target}"
        if anchor and resolved.endswith(".md"):
            linked = os.path.relpath(resolved, ROOT)
            assert anchor in _anchors(linked), f"{page}: no heading #{anchor} in {linked}"


def test_slug_matches_githubs_for_our_headings():
    assert _slug("`--digits N`: arbitrary precision") == "--digits-n-arbitrary-precision"
    assert _slug("Beyond: J·v, uᵀ·J, Hessians") == "beyond-jv-uᵀj-hessians"


def test_readme_is_short_and_links_every_docs_page():
    readme = read("README.md")
    assert len(readme.splitlines()) <= 160
    linked = set(_links("README.md"))
    for page in PAGES:
        if page.startswith("docs" + os.sep) or page == "CONTRIBUTING.md":
            assert page.replace(os.sep, "/") in linked, f"README.md does not link {page}"


def test_team_md_became_contributing_md():
    assert not os.path.exists(os.path.join(ROOT, "docs", "TEAM.md"))
    assert "Adding a primitive" in read("CONTRIBUTING.md")


SESSIONS = [(page, i, steps) for page in PAGES
            for i, steps in enumerate(console_sessions(read(page)))]


@pytest.mark.parametrize("page, index, steps", SESSIONS,
                         ids=[f"{p}#{i}" for p, i, _ in SESSIONS])
def test_console_sessions_print_what_the_page_shows(page, index, steps, tmp_path):
    for command, expected in steps:
        assert run_console(command, tmp_path) == expected, f"{page}: $ {command}"


@pytest.mark.parametrize("page", ["docs/api.md", "docs/internals.md"])
def test_python_examples_run_and_print_what_the_page_shows(page):
    run_doctests(page)


def test_every_python_example_is_a_doctest():
    """A ```python block would go unchecked: examples are ```pycon."""
    for page in PAGES:
        for body in re.findall(r"^```python\n(.*?)^```", read(page), re.S | re.M):
            assert ">>>" not in body, page
    assert ">>>" in read("docs/api.md") and ">>>" in read("docs/internals.md")


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_documented_shell_completion_scripts_exist(shell):
    """docs/cli.md's one-liners: click prints a completion script per shell."""
    assert f"_ADCLI_COMPLETE={shell}_source adcli" in read("docs/cli.md")
    out = run_console(f"_ADCLI_COMPLETE={shell}_source adcli", ROOT)
    assert "_adcli_completion" in out


def test_performance_page_holds_the_bench_output_between_its_markers():
    """docs/performance.md is written by `python -m bench --docs`."""
    from bench.run import with_results

    page = read("docs/performance.md")
    block = page[page.index("<!-- bench:begin"):page.index("<!-- bench:end -->")]
    assert "```text\nadcli benchmarks:" in block and "python -m bench --docs" in page
    rewritten = with_results(page, "adcli benchmarks: new run\nrow\n")
    assert "```text\nadcli benchmarks: new run\nrow\n```\n<!-- bench:end -->" in rewritten
    assert rewritten.split("<!-- bench:begin")[0] == page.split("<!-- bench:begin")[0]
    assert rewritten.split("<!-- bench:end -->")[1] == page.split("<!-- bench:end -->")[1]


def test_contributing_layout_names_every_module_and_only_real_ones():
    """CONTRIBUTING.md's layout table matches the code: every file, folder and
    bench entry point it names exists, and every package and top-level
    module of adcli has its place in it."""
    from .docs_pages import section

    layout = section("CONTRIBUTING.md", "## Layout, lowest layer first")
    named = set(re.findall(r"`([^`\s]+)`", layout))
    for token in named:
        if "/" in token and not token.startswith("adcli/grammar/"):
            assert os.path.exists(os.path.join(ROOT, token)), f"CONTRIBUTING.md: no {token}"
        elif token.startswith("bench."):
            assert os.path.exists(os.path.join(ROOT, "bench", token[6:] + ".py")), token
    rows = [line.split("|")[1:3] for line in layout.splitlines() if line.startswith("| `")]
    for where, what in rows:
        folders = re.findall(r"`([\w/]+/)`", where) + [
            os.path.dirname(path) for path in re.findall(r"`([\w/]+\.py)`", where)]
        for name in re.findall(r"`(\w+\.py)`", what):
            assert any(os.path.exists(os.path.join(ROOT, d, name)) for d in folders), \
                f"CONTRIBUTING.md: no {name} in {', '.join(folders)}"
    # every package and top-level module has its row, and every module its
    # few words in its package's row
    for name in sorted(os.listdir(os.path.join(ROOT, "adcli"))):
        path = f"adcli/{name}"
        if os.path.isdir(os.path.join(ROOT, path)) and name not in ("__pycache__", "grammar"):
            assert path + "/" in named, f"CONTRIBUTING.md's layout has no row for {path}/"
        elif name.endswith(".py") and name not in ("__init__.py", "__main__.py"):
            assert path in named, f"CONTRIBUTING.md's layout does not name {path}"
    described = {(folder, name) for where, what in rows
                 for folder in re.findall(r"`(adcli/\w+)/`", where)
                 for name in re.findall(r"`(\w+\.py)`", what)}
    for path in sorted(glob.glob(os.path.join(ROOT, "adcli", "*", "*.py"))):
        folder, name = os.path.relpath(path, ROOT).replace(os.sep, "/").rsplit("/", 1)
        if name != "__init__.py" and not folder.endswith("__pycache__"):
            assert (folder, name) in described or f"{folder}/{name}" in named, \
                f"CONTRIBUTING.md's row for {folder}/ " \
                f"does not say what {name} is"
