"""The keyword options a class takes: those of its constructor and of the base-class
constructors it passes `**options` on to. Strategies and objectives both name their
options this way, so the command line and error messages never list them by hand."""

from __future__ import annotations

import inspect
from typing import Any


def constructor_defaults(cls: type, leave_out: tuple[str, ...] = ("self",)) -> dict[str, Any]:
    """Option name -> default, the subclass's constructor first, up the class chain as
    long as each constructor passes `**options` on; `leave_out` names what the caller
    supplies itself."""
    options: dict[str, Any] = {}
    for klass in cls.__mro__:
        if "__init__" not in vars(klass):
            continue
        parameters = inspect.signature(vars(klass)["__init__"]).parameters.values()
        for p in parameters:
            if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY) and p.name not in leave_out:
                options.setdefault(p.name, p.default)
        if not any(p.kind is p.VAR_KEYWORD for p in parameters):
            break
    return options
