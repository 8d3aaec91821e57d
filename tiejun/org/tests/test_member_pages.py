from __future__ import annotations

import datetime as dt

import pytest

from tiejun.accounts.models import AuditEntry
from tiejun.org.models import Member
from tiejun.testing import make_id_number, make_member


def _form(people, **overrides):
    data = {
        "name": "陈 晓东",
        "gender": "",
        "ethnicity": "汉族",
        "birth_date": "",
        "id_number": make_id_number(dt.date(1988, 8, 8), 77),
        "education": "硕士研究生",
        "joined_on": "2012-06-30",
        "full_on": "2013-06-30",
        "category": "full",
        "org": people.branch_a.pk,
        "post": "一级主任科员",
        "phone": "139 1234 5678",
    }
    data.update(overrides)
    return data


def test_a_secretary_adds_a_member_and_the_id_fills_birth_date_and_gender(client, people):
    client.force_login(people.secretary_a)
    response = client.post("/members/new/", _form(people))
    assert response.status_code == 302
    member = Member.objects.get(name="陈晓东")
    assert member.birth_date == dt.date(1988, 8, 8)
    assert member.gender == "male"
    assert member.phone == "13912345678"
    assert member.changes.count() == 1
    assert AuditEntry.objects.filter(action="member.create", object_id=str(member.pk)).exists()


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"id_number": "110105194912310021"}, "校验位"),
        ({"joined_on": "2000-01-01"}, "未满18周岁"),
        ({"category": "probationary"}, "预备党员不应有转正日期"),
        ({"gender": "female"}, "性别与身份证号不一致"),
        ({"birth_date": "1988-08-09"}, "出生日期与身份证号不一致"),
        ({"phone": "电话号码"}, "手机号码应为数字"),
        ({"full_on": "2011-01-01"}, "转正日期不能早于入党日期"),
    ],
)
def test_bad_input_gets_a_chinese_message_and_saves_nothing(client, people, overrides, message):
    client.force_login(people.secretary_a)
    response = client.post("/members/new/", _form(people, **overrides))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Member.objects.filter(name="陈晓东").exists()
    assert (
        "陈 晓东" in response.content.decode() or "陈晓东" in response.content.decode()
    )  # nothing typed is lost


def test_a_duplicate_id_number_is_refused(client, people):
    client.force_login(people.office)
    response = client.post("/members/new/", _form(people, id_number=people.zhang.id_number()))
    assert response.status_code == 200
    assert "已登记" in response.content.decode()


def test_a_stale_edit_on_the_page_is_refused_with_a_message(client, people):
    client.force_login(people.secretary_a)
    member = people.zhang
    form = _form(
        people,
        name=member.name,
        id_number="",
        joined_on=member.joined_on,
        full_on=member.full_on,
        gender=member.gender,
        birth_date=member.birth_date,
        status="active",
        version=member.version,
        post="处长",
    )
    assert client.post(f"/members/{member.pk}/edit/", form).status_code == 302
    form["post"] = "副处长"  # a second editor still holding version 1
    response = client.post(f"/members/{member.pk}/edit/", form)
    assert "已被他人修改" in response.content.decode()
    member.refresh_from_db()
    assert member.post == "处长"


@pytest.mark.parametrize("query", ["张海冰", "張海冰", "zhb", "zhanghai", "ZHB", "海冰"])
def test_search_finds_by_name_pinyin_initials_and_traditional(client, people, query):
    client.force_login(people.office)
    body = client.get("/members/", {"q": query}).content.decode()
    assert f"/members/{people.zhang.pk}/" in body


def test_filters_by_category_and_status(client, people):
    make_member(people.branch_a, "周预备", category="probationary", joined_on=dt.date(2026, 6, 1))
    client.force_login(people.office)
    body = client.get("/members/", {"category": "probationary"}).content.decode()
    assert "周预备" in body and "张海冰" not in body


def test_the_ledger_as_of_a_past_day(client, people):
    make_member(
        people.branch_a, "新同志", joined_on=dt.date(2025, 1, 1), effective_on=dt.date(2026, 1, 5)
    )
    client.force_login(people.office)
    body = client.get("/members/", {"as_of": "2025-12-31"}).content.decode()
    assert "张海冰" in body and "新同志" not in body
    assert "as_of" in client.get("/members/", {"as_of": "2099-01-01"}).content.decode()
    assert "不能晚于今天" in client.get("/members/", {"as_of": "2099-01-01"}).content.decode()


def test_the_member_page_masks_personal_data_and_shows_the_timeline(client, people):
    client.force_login(people.secretary_a)
    number = people.zhang.id_number()
    body = client.get(f"/members/{people.zhang.pk}/").content.decode()
    assert number not in body and people.zhang.id_masked in body
    assert people.zhang.phone not in body
    history = client.get(f"/members/{people.zhang.pk}/", {"tab": "history"}).content.decode()
    assert "建档" in history


def test_revealing_the_id_number_is_allowed_only_with_the_permission_and_audited(client, people):
    client.force_login(people.office)
    response = client.post(f"/members/{people.zhang.pk}/reveal/")
    assert people.zhang.id_number() in response.content.decode()
    assert AuditEntry.objects.filter(action="member.reveal", result="ok").count() == 1
    client.force_login(people.secretary_a)
    assert client.post(f"/members/{people.zhang.pk}/reveal/").status_code == 403
    assert AuditEntry.objects.filter(action="member.reveal", result="denied").count() == 1


def _rows(n, org):
    for index in range(n):
        make_member(org, f"成员{index}", birth=dt.date(1980, 1, 1) + dt.timedelta(days=index))


@pytest.mark.parametrize(
    "url", ["/members/", "/members/?q=cy", "/org/", "/members/?as_of=2026-01-01"]
)
def test_list_pages_cost_the_same_queries_for_few_and_many_rows(
    client, people, django_assert_num_queries, url
):
    client.force_login(people.office)
    client.get(url)  # warm the session and the rules cache
    _rows(3, people.branch_a)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        client.get(url)
    _rows(40, people.branch_b)
    with CaptureQueriesContext(connection) as many:
        assert client.get(url).status_code == 200
    assert len(many) == len(few), [q["sql"] for q in many.captured_queries]
    assert len(many) <= 12


def test_the_member_page_costs_a_fixed_number_of_queries(
    client, people, django_assert_max_num_queries
):
    client.force_login(people.office)
    client.get(f"/members/{people.zhang.pk}/")
    with django_assert_max_num_queries(12):
        client.get(f"/members/{people.zhang.pk}/?tab=history")


def test_opening_a_member_record_is_audited(client, people):
    client.force_login(people.secretary_a)
    client.get(f"/members/{people.zhang.pk}/")
    entry = AuditEntry.objects.get(action="member.view")
    assert (entry.user, entry.object_id) == (people.secretary_a, str(people.zhang.pk))


def test_an_office_cannot_create_a_root_it_would_not_see(client, people):
    from tiejun.org.models import Org

    client.force_login(people.office)
    response = client.post(
        "/org/new/", {"code": "R2", "name": "另一个党委", "kind": "committee", "sort_order": 0}
    )
    assert response.status_code == 200
    assert not Org.objects.filter(code="R2").exists()


def test_the_revealed_number_is_never_cached_and_works_without_htmx(client, people):
    client.force_login(people.office)
    response = client.post(f"/members/{people.zhang.pk}/reveal/")
    assert "no-store" in response["Cache-Control"]
    body = response.content.decode()
    assert people.zhang.id_number() in body and "<html" in body  # a whole page, not a fragment
    htmx = client.post(f"/members/{people.zhang.pk}/reveal/", headers={"HX-Request": "true"})
    assert "<html" not in htmx.content.decode() and "已记录查看" in htmx.content.decode()


def test_a_big_total_is_counted_only_up_to_the_cap(client, people, settings):
    settings.TIEJUN_LIST_COUNT_CAP = 5
    for index in range(6):
        make_member(people.branch_a, f"王{index}")
    client.force_login(people.office)
    body = client.get("/members/").content.decode()
    assert "共 5+ 条" in body and "第 1 页" in body
    assert "共 1 条" in client.get("/members/", {"q": "王1"}).content.decode()
    api = client.get("/api/v1/members").json()
    assert (api["count"], api["count_exact"]) == (6, False)
    settings.TIEJUN_LIST_COUNT_CAP = 100
    api = client.get("/api/v1/members").json()
    assert (api["count"], api["count_exact"]) == (8, True)


def _count_sql(client, url: str, params: dict) -> str:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        assert client.get(url, params).status_code == 200
    return next(q["sql"] for q in captured.captured_queries if "COUNT(*)" in q["sql"])


@pytest.mark.parametrize("url", ["/members/", "/api/v1/members"])
def test_the_count_walks_the_member_index_unless_a_name_search_filters(client, people, url):
    for index in range(3):
        make_member(people.branch_a, f"王{index}")
    client.force_login(people.office)
    plain = _count_sql(client, url, {})
    assert 'ORDER BY "org_member"."org_path"' in plain  # an index-only scan on PostgreSQL
    assert "ORDER BY" not in _count_sql(client, url, {"q": "王1"})
    counted = client.get("/api/v1/members", {"q": "王"}).json()["count"]
    assert counted == 3 and client.get("/api/v1/members").json()["count"] == 5
