"""Chinese text for search and matching: width and script folding, pinyin keys."""

from __future__ import annotations

import re
import unicodedata
from functools import cache

import opencc
from pypinyin import Style, lazy_pinyin

_SPACES = re.compile(r"\s+")
# Zero-width and BOM characters that arrive with text pasted from web pages and WeChat.
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"), None)


@cache
def _t2s() -> opencc.OpenCC:
    return opencc.OpenCC("t2s")


def clean(text: object) -> str:
    """NFKC (full-width → half-width), invisible characters removed, spaces collapsed."""
    if text is None:
        return ""
    folded = unicodedata.normalize("NFKC", str(text)).translate(_INVISIBLE)
    return _SPACES.sub(" ", folded).strip()


def to_simplified(text: str) -> str:
    return _t2s().convert(text)


def fold(text: object) -> str:
    """What two strings must share to be "the same" to a user: simplified, half-width, lower."""
    return to_simplified(clean(text)).lower()


def fold_name(text: object) -> str:
    """Personal and org names: folded, with all inner spaces removed (张 海 冰 is 张海冰)."""
    return fold(text).replace(" ", "")


def pinyin_initials(text: str) -> str:
    return "".join(syllable[0] for syllable in lazy_pinyin(text, style=Style.NORMAL) if syllable)


def pinyin_full(text: str) -> str:
    return "".join(lazy_pinyin(text, style=Style.NORMAL))


def search_key(name: str) -> str:
    """One lower-case string that a name search can match by substring: 张海冰 zhb zhanghaibing."""
    simple = fold_name(name)
    syllables = [syllable for syllable in lazy_pinyin(simple, style=Style.NORMAL) if syllable]
    initials = "".join(syllable[0] for syllable in syllables)
    return f"{simple} {initials} {''.join(syllables)}".lower()
