"""`vaenas strategies`: each strategy and the options a user sets on it."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from vaenas.cli.app import app, console, user_errors


@app.command()
@user_errors
def strategies(
    strategy: Annotated[str | None, typer.Argument(help="One strategy; default: all.")] = None,
) -> None:
    """List the search strategies and their options (-S KEY=VALUE), with defaults and ranges."""
    from vaenas.search import STRATEGIES

    names = [strategy] if strategy else STRATEGIES.names()
    table = Table(title="strategies and their options (-S KEY=VALUE)")
    for column in ("strategy", "option", "default", "accepts", "what it does"):
        table.add_column(column, overflow="fold")
    for name in names:
        cls = STRATEGIES.get(name)
        summary = (cls.__doc__ or "").strip().split(".")[0]
        if not cls.declared_options:
            table.add_row(name, "-", "", "", summary)
        for i, (option, declared) in enumerate(cls.declared_options.items()):
            table.add_row(name if i == 0 else "", option, repr(declared.default), _accepts(declared), declared.help)
        table.add_section()
    console.print(table)


def _accepts(option: object) -> str:
    rule = getattr(option, "rule", None)
    if rule is None:
        return ""
    if rule.choices is not None:
        return " | ".join(rule.choices)
    low = "" if rule.low is None else f"{rule.low:g}"
    high = "" if rule.high is None else f"{rule.high:g}"
    return f">= {low}" if not high else f"{low} .. {high}"
