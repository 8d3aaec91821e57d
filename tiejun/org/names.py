"""One org as different sheets write it, matched to the tree.

The same branch is "大气环境处党支部" in our tree, "中共大气环境处支部委员会" (its formal name)
in a sheet exported from another system, "机关党委/大气环境处党支部" or "中共浙江省生态环境厅机关
委员会大气环境处支部委员会" where a sheet spells out the path. `name_key` reduces a name to what
those forms share; `loose_matches` finds the org a written name ends with, provided what stands
before it names the org's own parents, so "水生态环境处党支部" never lands in "生态环境处党支部".
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar

from tiejun.lib.chinese import fold_name

_T = TypeVar("_T")

PARTY_PREFIXES = ("中国共产党", "中共")
# Between the levels of a written path; dashes too, though rarely part of a name: an org whose
# name has one is still found by its exact name first.
_SEPARATORS = str.maketrans("", "", "/\\>|→》-—–")
# Formal and common endings of one kind of org, longest first; each maps to one canonical end.
_ENDINGS = (
    ("党总支部委员会", "总支"), ("总支部委员会", "总支"), ("党总支部", "总支"), ("党总支", "总支"),
    ("总支部", "总支"), ("党支部委员会", "支部"), ("支部委员会", "支部"), ("党支部", "支部"),
    ("党委员会", "委"), ("委员会", "委"), ("党委", "委"), ("党小组", "小组"),
)  # fmt: skip
# A shorter tail than this is never an org's name on its own ("支部" is every branch's).
MIN_KEY_LENGTH = 3


def name_key(text: str) -> str:
    """The name without the Party prefix, path separators and the formal form of its ending."""
    key = fold_name(text).translate(_SEPARATORS)
    key = _without_prefix(key)
    for ending, canonical in _ENDINGS:
        if key.endswith(ending) and len(key) > len(ending):
            return key[: -len(ending)] + canonical
    return key


def _without_prefix(key: str) -> str:
    for prefix in PARTY_PREFIXES:
        if key.startswith(prefix) and len(key) > len(prefix):
            return key[len(prefix) :]
    return key


def _without_trailing_prefix(key: str) -> str:
    # "机关党委/中共大气环境处支部委员会": the prefix of the next level ends the one before.
    for prefix in PARTY_PREFIXES:
        if key.endswith(prefix):
            return key[: -len(prefix)]
    return key


def tails(key: str) -> list[str]:
    """The endings of `key` that could be an org's key: what `loose_matches` looks up."""
    return [key[start:] for start in range(1, len(key) - MIN_KEY_LENGTH + 1)]


def parents_named(written: str, parent_keys: Sequence[str]) -> int:
    """How many of an org's parents (keys, nearest first) the text before its name names, read
    from its end; a level may be left out ("机关党委/第一党支部" skips the 党总支)."""
    rest, named = written, 0
    for parent in parent_keys:
        rest = name_key(_without_trailing_prefix(rest)) if rest else ""
        if len(rest) < 2:
            break
        if rest.endswith(parent):
            rest, named = rest[: -len(parent)], named + 1
        elif parent.endswith(rest):  # the top level abbreviated: "机关党委" for "XX厅机关党委"
            rest, named = "", named + 1
    return named


def loose_matches(
    key: str, by_key: dict[str, list[_T]], parent_keys: Callable[[_T], Sequence[str]]
) -> list[_T]:
    """The orgs `key` (a name_key) names: those with that very key, else those whose key ends it
    with their parents named before, the most parents and the longest name winning."""
    if same := by_key.get(key):
        return same
    scored: list[tuple[int, int, _T]] = []
    for tail in tails(key):
        for org in by_key.get(tail, []):
            named = parents_named(key[: -len(tail)], parent_keys(org))
            if named:
                scored.append((named, len(tail), org))
    if not scored:
        return []
    best = max((named, length) for named, length, _org in scored)
    return [org for named, length, org in scored if (named, length) == best]
