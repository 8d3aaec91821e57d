"""Chinese text for search and matching: width and script folding, pinyin keys."""

from __future__ import annotations

import re
import unicodedata
from functools import cache

import opencc
from pypinyin import Style, lazy_pinyin
from pypinyin.constants import PHRASES_DICT, RE_HANS

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


# Up to this length a name is checked for dictionary phrases (a name has 2 to 4 characters).
_PHRASE_CHECK_MAX = 8


def syllables(text: str) -> list[str]:
    """pypinyin's toneless reading of `text`, one syllable per character.

    pypinyin cuts text into the phrases of its dictionary and reads a character that stands
    alone by its first reading. A short all-Han text that holds no phrase is therefore read
    character by character, each reading cached: the same result at a tenth of the cost, which
    an import of ten thousand names notices.
    """
    if len(text) <= _PHRASE_CHECK_MAX and RE_HANS.match(text) and not _holds_phrase(text):
        return [_syllable(char) for char in text]
    return [syllable for syllable in lazy_pinyin(text, style=Style.NORMAL) if syllable]


def _holds_phrase(text: str) -> bool:
    size = len(text)
    return any(
        text[start:end] in PHRASES_DICT
        for start in range(size - 1)
        for end in range(start + 2, size + 1)
    )


@cache  # keyed by single Han characters only, of which there are about 100,000
def _syllable(char: str) -> str:
    return lazy_pinyin(char, style=Style.NORMAL)[0]


def pinyin_initials(text: str) -> str:
    return "".join(syllable[0] for syllable in syllables(text))


def pinyin_full(text: str) -> str:
    return "".join(syllables(text))


def search_key(name: str) -> str:
    """One lower-case string that a name search can match by substring: 张海冰 zhb zhanghaibing."""
    simple = fold_name(name)
    reading = syllables(simple)
    initials = "".join(syllable[0] for syllable in reading)
    return f"{simple} {initials} {''.join(reading)}".lower()
