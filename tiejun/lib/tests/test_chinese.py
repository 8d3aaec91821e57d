from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pypinyin import Style, lazy_pinyin

from tiejun.lib import chinese


@pytest.mark.parametrize(
    ("raw", "folded"),
    [
        ("生態環境廳", "生态环境厅"),
        ("　大氣環境處黨支部 ", "大气环境处党支部"),
        ("ＡＢＣ１２３", "abc123"),
        ("张\u200b海冰", "张海冰"),
        (None, ""),
    ],
)
def test_fold(raw, folded):
    assert chinese.fold_name(raw) == folded


def test_search_key_has_name_initials_and_full_pinyin():
    key = chinese.search_key("張海冰")
    assert "张海冰" in key
    assert "zhb" in key
    assert "zhanghaibing" in key


def test_clean_keeps_inner_single_spaces():
    assert chinese.clean("生态  环境\u3000局") == "生态 环境 局"


# Characters that stand alone, that form dictionary phrases (长春, 重庆, 银行), heteronyms
# (单 曾 乐 长 重 行), rare ones from the extension blocks, and none-Han text.
_MIXED = "张王李单曾乐长春重庆银行海冰吕绿女𠀀㐀〇Ab1 ·"


@given(st.text(alphabet=_MIXED, min_size=1, max_size=10))
def test_syllables_read_as_pypinyin_does(text):
    expected = [s for s in lazy_pinyin(text, style=Style.NORMAL) if s]
    assert chinese.syllables(text) == expected


@pytest.mark.parametrize(
    ("name", "reading"),
    [("长春", ["chang", "chun"]), ("单长", ["dan", "zhang"]), ("吕女", ["lv", "nv"])],
)
def test_syllables_of_phrases_and_single_characters(name, reading):
    assert chinese.syllables(name) == reading
