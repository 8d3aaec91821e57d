"""The national defaults file, read without touching the database (settings use it too)."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

DEFAULTS_FILE = Path(__file__).with_name("national.toml")


@dataclass(frozen=True)
class Rule:
    key: str
    value: Any
    label: str
    source: str
    floor: float | None = None
    ceiling: float | None = None

    @property
    def is_security(self) -> bool:
        """Security rows belong to the security administrator, the rest to the system one."""
        return self.key.startswith("security.")


class UnknownRule(KeyError):
    """A key that is not in the rules table: a typo in code, never user input."""


@cache
def defaults() -> dict[str, Rule]:
    with DEFAULTS_FILE.open("rb") as fh:
        raw = tomllib.load(fh)
    rules = {}
    for key, row in raw.items():
        missing = {"value", "label", "source"} - row.keys()
        if missing:
            raise ValueError(f"rule {key} lacks {sorted(missing)}")
        rules[key] = Rule(
            key=key,
            value=row["value"],
            label=row["label"],
            source=row["source"],
            floor=row.get("floor"),
            ceiling=row.get("ceiling"),
        )
    return rules


def default(key: str) -> Any:
    try:
        return defaults()[key].value
    except KeyError:
        raise UnknownRule(key) from None
