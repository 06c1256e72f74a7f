"""Documentation stays in step with the code: every command has help with an example and is in the README.

(That every ``.cypher`` file is used, with matching parameters, is checked in tests/test_cypher_files.py.)
"""
from __future__ import annotations

import re
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from chaingraph.cli import cli

ROOT = Path(__file__).parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8") if (ROOT / "README.md").exists() else ""
COMMANDS = sorted(cli.list_commands(click.Context(cli)))


def test_there_are_commands():
    assert {"validate", "info"} <= set(COMMANDS)


@pytest.mark.parametrize("name", COMMANDS)
def test_command_has_help_with_an_example(name):
    command = cli.get_command(click.Context(cli), name)
    assert command.help and command.help.strip()
    assert command.short_help is None or command.short_help.strip()
    result = CliRunner().invoke(cli, [name, "--help"], catch_exceptions=False)
    assert result.exit_code == 0
    assert "Example" in result.output
    # the example runs this very command
    assert re.search(rf"^\s+chaingraph {re.escape(name)}\b", result.output, re.M), result.output


@pytest.mark.parametrize("name", COMMANDS)
def test_command_is_in_the_readme(name):
    found = re.search(rf"\bchaingraph {re.escape(name)}\b", README)
    assert found, f"README.md never shows `chaingraph {name}`"


def test_group_help_has_an_example():
    result = CliRunner().invoke(cli, ["--help"], catch_exceptions=False)
    assert result.exit_code == 0
    assert "Example" in result.output
    for name in COMMANDS:
        assert name in result.output


def test_dataset_format_doc_names_every_column():
    from chaingraph.datasets import FILES

    doc = (ROOT / "docs" / "dataset-format.md").read_text(encoding="utf-8")
    for file, (_, required, optional) in FILES.items():
        assert f"`{file}`" in doc
        row = next(line for line in doc.splitlines() if line.startswith(f"| {file} |"))
        for column in required:
            assert f"**{column}**" in row, (file, column)
        for column in optional:
            assert column in row, (file, column)


def test_ci_runs_the_readme_test_command_word_for_word():
    block = README.split("```bash\n", 1)[1].split("```", 1)[0].strip().splitlines()
    assert len(block) == 2, "the README opens with exactly two set-up commands"
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    assert block[1] in ci, ".ci/run must run README command (2) word for word"
    assert "chaingraph demo" in block[0]
