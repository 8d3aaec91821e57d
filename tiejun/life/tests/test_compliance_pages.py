"""The 三会一课合规 pages through HTTP: table, drill-down, calendar, export, scope, query count."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tiejun.life import services
from tiejun.life.tests.helpers import make_meeting, seat
from tiejun.org.models import Org
from tiejun.testing import make_member, make_org


def held(org: Org, kind: str, day: dt.date) -> None:
    services.hold_meeting(meeting=make_meeting(org, kind, day), by=None)


def test_the_office_sees_its_branches_with_tags_and_rates(client, people):
    seat(people.branch_b, people.li, "secretary")
    for month in (7, 8, 9):
        held(people.branch_b, "committee", dt.date(2025, month, 8))
    held(people.branch_a, "theme_day", dt.date(2025, 8, 1))
    client.force_login(people.office)
    response = client.get("/compliance/", {"period": "2025-Q3"})
    assert response.status_code == 200
    html = response.content.decode()
    for text in (
        "三会一课合规",
        "2025年第三季度",
        "大气环境处党支部",
        "水生态环境处党支部",
        "机关党委（本级）",
        "合计（机关党委及下级）",
        "支委会",
        "主题党日",
    ):
        assert text in html
    assert '<span class="tj-tag tj-tag-red">缺</span>' in html
    assert '<span class="tj-tag tj-tag-green">已开</span>' in html
    assert f"?period=2025-Q3&amp;org={people.branch_a.pk}" in html  # drill down
    assert 'id="compliance-chart-data"' in html and "各支部三会一课完成率" in html
    assert "<script>" not in html and "style=" not in html
    assert "三会一课合规" in [str(item["label"]) for item in response.context["menu"]]


def test_a_running_period_shows_not_yet_due(client, people):
    client.force_login(people.office)
    today = dt.date.today()
    response = client.get("/compliance/", {"period": f"{today:%Y-%m}", "org": people.branch_a.pk})
    assert '<span class="tj-tag tj-tag-grey">未到期</span>' in response.content.decode()


def test_a_bad_period_says_so_in_chinese_and_shows_the_current_quarter(client, people):
    client.force_login(people.office)
    response = client.get("/compliance/", {"period": "2025-Q9"})
    assert response.status_code == 200
    assert "期间“2025-Q9”无法识别" in response.content.decode()


def test_the_secretary_sees_only_their_branch(client, people):
    client.force_login(people.secretary_a)
    response = client.get("/compliance/", {"period": "2025-Q3"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "大气环境处党支部（本级）" in html and "大气环境处第一党小组" in html
    assert "水生态环境处党支部" not in html
    for path in ("/compliance/", "/compliance/calendar/", "/compliance/export.xlsx"):
        assert client.get(path, {"org": people.branch_b.pk}).status_code == 404
        assert client.get(path, {"org": "x"}).status_code == 404


def test_the_administrators_may_not_open_it(client, people):
    client.force_login(people.auditor)
    assert client.get("/compliance/").status_code == 403


def test_the_calendar_shows_the_dates_held_per_month_and_kind(client, people):
    Org.objects.filter(pk=people.branch_a.pk).update(theme_day=15)
    held(people.branch_a, "theme_day", dt.date(2025, 8, 20))
    held(people.branch_a, "general_assembly", dt.date(2025, 8, 12))
    client.force_login(people.office)
    response = client.get("/compliance/calendar/", {"org": people.branch_a.pk, "period": "2025"})
    html = response.content.decode()
    assert response.status_code == 200
    grid = response.context["grid"]
    assert [m["label"] for m in grid][:2] == ["1月", "2月"] and len(grid) == 12
    august = grid[7]["cells"]
    kinds = response.context["kinds"]
    assert august[kinds.index("主题党日")]["dates"] == [dt.date(2025, 8, 20)]
    assert str(august[kinds.index("主题党日")]["word"]) == "日期不符"
    assert august[kinds.index("支部党员大会")]["dates"] == [dt.date(2025, 8, 12)]
    assert "2025年第三季度" in html and "组织生活会" in html


def test_the_export_is_the_table_as_shown(client, people):
    seat(people.branch_b, people.li, "secretary")
    held(people.branch_b, "committee", dt.date(2025, 7, 8))
    client.force_login(people.office)
    response = client.get("/compliance/export.xlsx", {"period": "2025-Q3"})
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    values = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert values[0][0] == "机关党委2025年第三季度三会一课合规情况"
    assert values[2][:2] == ["党组织", "类别"] and values[2][-1] == "完成率"
    names = [row[0] for row in values[3:]]
    assert names == [
        "机关党委（本级）",
        "　大气环境处党支部",
        "　水生态环境处党支部",
        "合计（机关党委及下级）",
    ]
    b_row = values[5]
    assert "缺 1/3" in b_row and b_row[-1] == "12.5%"


def test_the_table_page_costs_the_same_queries_as_branches_grow(client, people):
    client.force_login(people.office)

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/compliance/", {"period": "2025-Q3"}).status_code == 200
        return len(ctx.captured_queries)

    count()
    before = count()
    for n in range(4):
        branch = make_org(f"新增第{n}党支部", Org.Kind.branch, people.root)
        member = make_member(branch, f"党员{n}")
        seat(branch, member, "secretary")
        make_org(f"新增第{n}党支部第一党小组", Org.Kind.group, branch)
        held(branch, "committee", dt.date(2025, 7, 3))
    assert count() == before
