"""examples.txt is executable documentation: every example runs here."""

import os
import shlex

import pytest
from click.testing import CliRunner

from adcli.cli.main import _expr_after_dashes, cli

HERE = os.path.dirname(os.path.abspath(__file__))
EXAMPLES = os.path.join(HERE, os.pardir, "examples.txt")


def load_examples():
    examples, current = [], None
    with open(EXAMPLES, encoding="utf-8") as f:
        for line in f.read().splitlines():
            if line.startswith("$ adcli "):
                current = {"cmd": line[2:], "out": [], "err": [], "exit": 0}
                examples.append(current)
            elif current is None or line.startswith("#"):
                continue
            elif not line.strip():
                current = None
            elif line.startswith("! "):
                current["err"].append(line[2:])
            elif line.startswith("[exit "):
                current["exit"] = int(line[6:-1])
            else:
                current["out"].append(line)
    return examples


@pytest.mark.parametrize("example", load_examples(), ids=lambda e: e["cmd"][:60])
def test_example(example):
    args = _expr_after_dashes(shlex.split(example["cmd"])[1:])
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == example["exit"], result.stderr
    assert result.stdout.splitlines() == example["out"]
    assert result.stderr.splitlines() == example["err"]


def test_there_are_examples():
    assert len(load_examples()) >= 10
