from __future__ import annotations

import pytest

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
