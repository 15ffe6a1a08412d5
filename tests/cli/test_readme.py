"""README is what a new user reads: its commands must be the ones CI runs, and it must
document every command and option that exists."""
import re

import click

from bpcli.cli import main

from conftest import ROOT

README = (ROOT / "README.md").read_text()


def test_ci_runs_the_readme_setup_commands_verbatim():
    ci = (ROOT / ".ci" / "run").read_text()
    commands = [line for line in ci.splitlines() if line.startswith("python3 -m venv")]
    assert len(commands) == 2
    block = re.search(r"```sh\n(.*?)```", README, re.S).group(1)
    assert block.splitlines() == commands


def test_every_command_and_option_is_documented():
    for name, command in main.commands.items():
        assert f"### `bpcli {name}" in README, name
        for param in command.params:
            if isinstance(param, click.Option):
                for opt in param.opts:
                    assert re.search(rf"(?<![\w-]){re.escape(opt)}(?![\w-])", README), (name, opt)


def test_every_config_is_listed():
    for path in (ROOT / "configs").glob("*.yaml"):
        assert f"`{path.name}`" in README, path.name


def _examples():
    for m in re.finditer(r"```\n\$ (bpcli[^\n]*)\n(.*?)```", README, re.S):
        command, shown = m.groups()
        if not shown.startswith("Error:"):  # error examples need their broken file
            yield command, shown


def test_readme_examples_print_what_readme_shows():
    from click.testing import CliRunner
    import shlex

    examples = list(_examples())
    assert len(examples) >= 3
    for command, shown in examples:
        result = CliRunner().invoke(main, shlex.split(command)[1:], env={"COLUMNS": "100"})
        # `mark` of the worked example with its planted slip says so: exit status 1
        assert result.exit_code == (1 if command.startswith("bpcli mark") else 0), command
        assert result.stdout == shown, command
