"""Reading the documentation as tests read it: its pages, the code blocks
under a heading, and the console sessions whose output must be real."""

import doctest
import os
import re
import subprocess
import sys

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), os.pardir))
# README.md, CONTRIBUTING.md and every docs/*.md page.
PAGES = ["README.md", "CONTRIBUTING.md"] + sorted(
    os.path.join("docs", name) for name in os.listdir(os.path.join(ROOT, "docs"))
    if name.endswith(".md"))


def read(page):
    with open(os.path.join(ROOT, page), encoding="utf-8") as f:
        return f.read()


def section(page, heading):
    """The text under ``heading`` (a whole Markdown heading line such as
    ``## Quick start``) up to the next heading of the same or a higher level."""
    text = read(page)
    level = heading.split(" ", 1)[0]
    match = re.search(rf"^{re.escape(heading)}\s*$", text, re.M)
    assert match, f"{page} has no heading {heading!r}"
    rest = text[match.end():]
    stop = re.search(rf"^#{{1,{len(level)}}} ", rest, re.M)
    return rest[:stop.start()] if stop else rest


def blocks(text, lang):
    """The bodies of the fenced ```lang blocks in ``text``."""
    return re.findall(rf"^```{lang}\n(.*?)^```", text, re.S | re.M)


def run_doctests(page, heading=None):
    """Run the ``>>>`` examples of a page (or of one section of it) as one
    session, and return its namespace; a failing example fails the test.
    A section runs after the page's ``import adcli``, as a reader reads it."""
    import adcli

    text = read(page) if heading is None else section(page, heading)
    test = doctest.DocTestParser().get_doctest(text, {"adcli": adcli}, f"{page} {heading or ''}",
                                               page, 0)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    out = []
    runner.run(test, out=out.append, clear_globs=False)
    assert runner.failures == 0, "".join(out)
    return test.globs


def console_sessions(text):
    """Each ```console block as [(command, expected output)]: a command is a
    ``$ `` line (continued by lines ending in a backslash), its output the
    lines up to the next command."""
    sessions = []
    for body in blocks(text, "console"):
        steps, lines = [], body.splitlines()
        i = 0
        while i < len(lines):
            line = lines[i]
            assert line.startswith("$ "), f"a console block must start with `$ `: {line!r}"
            command = line[2:]
            while command.endswith("\\"):
                i += 1
                command = command + "\n" + lines[i]
            i += 1
            output = []
            while i < len(lines) and not lines[i].startswith("$ "):
                output.append(lines[i])
                i += 1
            steps.append((command, "".join(o + "\n" for o in output)))
        sessions.append(steps)
    return sessions


def run_console(command, cwd):
    """Run one documented command in bash, with this Python's ``adcli``
    first on PATH, standard error merged into the output as a terminal shows it."""
    env = dict(os.environ, PATH=os.path.dirname(sys.executable) + os.pathsep + os.environ["PATH"],
               NO_COLOR="1", COLUMNS="100")
    env.pop("FORCE_COLOR", None)
    proc = subprocess.run(["bash", "-c", command], cwd=cwd, env=env, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True, timeout=120,
                          stdin=subprocess.DEVNULL)
    return proc.stdout
