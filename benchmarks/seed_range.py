"""The seed ranges the benchmark scripts take, read one way: `0-19` (inclusive), `0,3,7`,
or empty for none."""

from __future__ import annotations


def parse_seeds(text: str) -> list[int]:
    if not text:
        return []
    if "-" in text:
        first, last = text.split("-")
        return list(range(int(first), int(last) + 1))
    return [int(s) for s in text.split(",")]
