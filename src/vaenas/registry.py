"""Name -> entry registries, so the CLI and error messages never list names by hand."""

from __future__ import annotations

from collections.abc import Callable
from typing import Generic, TypeVar

from vaenas.errors import UnknownNameError

T = TypeVar("T")


class Registry(Generic[T]):
    """Maps the names a user types to what implements them (a class or a loader)."""

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self._entries: dict[str, T] = {}

    def register(self, name: str) -> Callable[[T], T]:
        """Decorator: registers a class or function under `name`."""

        def add(entry: T) -> T:
            if name in self._entries:
                raise ValueError(f"{self.kind} {name!r} is registered twice")
            self._entries[name] = entry
            return entry

        return add

    def names(self) -> list[str]:
        return sorted(self._entries)

    def get(self, name: str) -> T:
        try:
            return self._entries[name]
        except KeyError:
            raise UnknownNameError(
                f"unknown {self.kind} {name!r}; choose one of: {', '.join(self.names())}"
            ) from None

    def __contains__(self, name: object) -> bool:
        return name in self._entries
