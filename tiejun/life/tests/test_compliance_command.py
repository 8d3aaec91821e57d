"""`manage.py compliance`: the same table as the page, as aligned text; bad input exits 2."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from tiejun.life import services
from tiejun.life.management.commands.compliance import width
from tiejun.life.tests.helpers import make_meeting, seat


def run(*args: str) -> str:
    out = StringIO()
    call_command("compliance", *args, stdout=out)
    return out.getvalue()


def test_it_prints_the_table_of_a_quarter(people):
    seat(people.branch_b, people.li, "secretary")
    meeting = make_meeting(people.branch_b, "committee", dt.date(2025, 7, 8))
    services.hold_meeting(meeting=meeting, by=None)
    text = run("--period", "2025-Q3", "--today", "2025-11-01")
    lines = text.splitlines()
    assert lines[0] == "机关党委　2025年第三季度三会一课合规情况"
    header = lines[1]
    for word in ("党组织", "支部党员大会", "支委会", "党课", "主题党日", "完成率"):
        assert word in header
    row_b = next(line for line in lines if line.startswith("　水生态环境处党支部"))
    assert "缺 1/3" in row_b and "缺 0/1" in row_b and row_b.endswith("12.5%")
    # Columns line up on a terminal, Chinese characters counted twice.
    table = [line for line in lines[1:] if line]
    rate_columns = {width(line[: line.rindex(line.split()[-1])]) for line in table[2:]}
    assert len(rate_columns) == 1
    assert lines[-2].startswith("合计（机关党委及下级）")


def test_it_starts_at_an_org_and_goes_deeper(people):
    text = run("--period", "2025-Q3", "--org", "A", "--depth", "2", "--today", "2025-11-01")
    assert "大气环境处党支部（本级）" in text
    assert "　大气环境处第一党小组" in text
    assert "水生态环境处党支部" not in text


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--period", "2025-Q5"], "期间“2025-Q5”无法识别"),
        (["--period", "2025-Q3", "--org", "NOPE"], "没有组织代码为“NOPE”的党组织"),
        (["--period", "2025-Q3", "--today", "tomorrow"], "日期“tomorrow”无法识别"),
    ],
)
def test_bad_input_is_refused_in_chinese_with_exit_status_2(people, args, message):
    with pytest.raises(CommandError, match=message) as caught:
        run(*args)
    assert caught.value.returncode == 2
