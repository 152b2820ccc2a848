"""Docs are tested: the README's commands are the ones CI and users run."""

from __future__ import annotations

import re
from pathlib import Path

from typer.main import get_command

from bot.cli import app

ROOT = Path(__file__).parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def quick_start_commands() -> list[str]:
    section = README.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```sh\n(.+?)\n```", section)


def test_quick_start_has_exactly_two_commands():
    commands = quick_start_commands()
    assert len(commands) == 2
    assert "cxbot" in commands[0] and "pytest" in commands[1]


def test_ci_runs_the_readme_test_command_verbatim():
    ci = (ROOT / ".ci" / "run").read_text()
    assert quick_start_commands()[1] in ci


def _command_paths(group, prefix: str = "cxbot") -> list[str]:
    paths = []
    for name, command in group.commands.items():
        path = f"{prefix} {name}"
        if hasattr(command, "commands"):
            paths.extend(_command_paths(command, path))
        else:
            paths.append(path)
    return paths


def test_every_cli_command_is_documented_and_has_help():
    root = get_command(app)
    for path in _command_paths(root):
        assert f"`{path}" in README, f"{path} missing from README"
    for name, command in root.commands.items():
        assert command.help or command.short_help, f"cxbot {name} has no help text"


def test_every_setting_is_in_the_readme_table():
    example = (ROOT / ".env.example").read_text()
    for name in re.findall(r"^([A-Z_]+)=", example, re.M):
        assert f"| `{name}` |" in README, f"{name} missing from README's configuration table"


def cx_table() -> str:
    return README.split("## `/cx` in Slack", 1)[1].split("\n## ", 1)[0].split("\n\n", 2)[1]


def test_every_cx_subcommand_is_in_the_readme_table_with_its_usage():
    from bot.cx.registry import SUBCOMMANDS

    table = cx_table()
    for name, subcommand in SUBCOMMANDS.items():
        usage = subcommand.usage.replace("|", "\\|")  # escaped inside a Markdown table
        assert f"| `{usage}`" in table or f" `{usage}` |" in table, (
            f"/cx {name}: README's /cx table lacks its usage {subcommand.usage!r}"
        )


def test_the_readme_cx_table_lists_only_registered_subcommands():
    from bot.cx.registry import SUBCOMMANDS

    named = re.findall(r"^\| `/cx ([a-z-]+)", cx_table(), re.M)
    assert named, "no /cx rows found"
    for name in named:
        assert name in SUBCOMMANDS or name in ("public",), (
            f"/cx {name} is in README but not registered"
        )


def _layout_paths() -> list[str]:
    """The file or folder each line of README's Development layout starts with, as a path."""
    block = README.split("### Layout", 1)[1].split("```text\n", 1)[1].split("```", 1)[0]
    paths, folder = [], ""
    for line in block.splitlines():
        indent = len(line) - len(line.lstrip())
        name = line.split()[0].rstrip(",") if line.strip() else ""
        if indent == 0:
            folder = name
            paths.append(name)
        elif indent == 2:  # deeper lines continue the description above them
            paths.append(folder + name)
    return paths


def test_development_layout_names_only_files_that_exist():
    paths = _layout_paths()
    assert "bot/cx/" in paths and "storage/survey_types.py" in paths
    for path in paths:
        assert (ROOT / path).exists(), f"README's layout names {path}, which does not exist"
