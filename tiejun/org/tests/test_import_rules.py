"""The member rules hold in an import, a bad row saves nothing, and a second import updates."""

from __future__ import annotations

import datetime as dt

import pytest

from tiejun import rules
from tiejun.accounts import audit
from tiejun.accounts.models import AuditEntry
from tiejun.org.importer import import_members, plan_import
from tiejun.org.models import Member, MemberChange
from tiejun.org.tests.sheets import member_row, table, write_xlsx
from tiejun.testing import make_id_number, make_member


def _import(tmp_path, rows, user, name="a.xlsx"):
    path = write_xlsx(tmp_path / name, table(rows))
    return import_members(path=path, kind="xlsx", user=user, source=name)


def _messages(plan) -> list[str]:
    return [str(problem) for problem in plan.problems]


def test_three_bad_rows_save_nothing_and_each_is_named(tmp_path, people):
    rows = [member_row(n) for n in range(1, 8)]
    rows[1]["入党日期"] = "2010-02-30"
    rows[3]["人员类别"] = "积极分子"
    rows[5]["身份证号"] = str(rows[5]["身份证号"])[:17] + "0"
    before = (Member.objects.count(), MemberChange.objects.count())
    plan = _import(tmp_path, rows, people.office)
    assert not plan.saved
    assert (Member.objects.count(), MemberChange.objects.count()) == before
    assert [(p.row, p.column) for p in plan.problems] == [
        (3, "入党日期"),
        (5, "人员类别"),
        (7, "身份证号"),
    ]
    assert "不是存在的日期" in plan.problems[0].message
    assert "正式党员" in plan.problems[1].message
    assert "校验位" in plan.problems[2].message
    assert _messages(plan)[0].startswith("第3行 [入党日期] ")


def test_a_duplicate_id_in_the_file_names_both_rows(tmp_path, people):
    rows = [member_row(1), member_row(2), member_row(1, name="重复")]
    plan = _import(tmp_path, rows, people.office)
    assert _messages(plan) == ["第4行 [身份证号] 与第2行的身份证号重复"]


@pytest.mark.parametrize(
    ("changes", "column", "says"),
    [
        ({"gender": "女"}, "性别", "身份证号显示为男"),
        ({"birth_date": dt.date(1980, 1, 2)}, "出生日期", "不一致"),
        ({"category": "预备党员"}, "转正日期", "预备党员不应有转正日期"),
        ({"full_on": dt.date(2009, 7, 1)}, "转正日期", "不能早于入党日期"),
        ({"joined_on": dt.date(1995, 7, 1), "full_on": None}, "入党日期", "未满"),
        ({"joined_on": dt.date.today() + dt.timedelta(days=3)}, "入党日期", "不能晚于今天"),
        ({"ethnicity": "火星族"}, "民族", "56个民族"),
        ({"ethnicity": ""}, "民族", "请填写民族"),
        ({"education": "幼儿园"}, "学历", "不是有效的学历"),
        ({"phone": "138-0013-800a"}, "手机号码", "应为数字"),
        ({"name": " "}, "姓名", "请填写姓名"),
        ({"name": "张" * 51}, "姓名", "50"),
        ({"post": "一级主任科员" * 17}, "职务", "100"),
        ({"org": "大气环境处第一党小组"}, "所在党组织", "党小组"),
        ({"org": "不存在的支部"}, "所在党组织", "找不到党组织“不存在的支部”"),
        ({"org": None}, "所在党组织", "请填写所在党组织"),
    ],
)
def test_each_member_rule_is_a_row_error(tmp_path, people, changes, column, says):
    row = member_row(1, birth=dt.date(1980, 1, 1), female=False, **changes)
    plan = plan_import(path=write_xlsx(tmp_path / "a.xlsx", table([row])), kind="xlsx", user=None)
    assert [(p.row, p.column) for p in plan.problems] == [(2, column)]
    assert says in plan.problems[0].message


def test_the_minimum_age_comes_from_the_rules_table(tmp_path, people):
    birth = dt.date(1980, 1, 1)
    min_age = rules.get("development.applicant.min_age")
    at_age = birth.replace(year=birth.year + min_age)
    rows = [
        member_row(1, birth=birth, female=False, joined_on=at_age, full_on=None,
                   category="预备党员"),
        member_row(2, birth=birth, female=False, joined_on=at_age - dt.timedelta(days=1),
                   full_on=None, category="预备党员"),
    ]  # fmt: skip
    plan = plan_import(path=write_xlsx(tmp_path / "a.xlsx", table(rows)), kind="xlsx", user=None)
    assert [p.row for p in plan.problems] == [3]


def test_an_unknown_area_code_is_only_a_warning(tmp_path, people):
    number = make_id_number(dt.date(1980, 1, 1), 1, area="990106")
    row = member_row(1, birth=dt.date(1980, 1, 1), female=False, id_number=number)
    plan = _import(tmp_path, [row], people.office)
    assert plan.saved
    assert [w.column for w in plan.warnings] == ["身份证号"]


def test_importing_the_same_file_twice_changes_nothing_the_second_time(tmp_path, people):
    rows = [member_row(n) for n in range(1, 4)]
    first = _import(tmp_path, rows, people.office)
    counts = (Member.objects.count(), MemberChange.objects.count())
    second = _import(tmp_path, rows, people.office)
    assert first.counts()["new"] == 3
    assert second.counts() == {"rows": 3, "new": 0, "updated": 0, "unchanged": 3, "errors": 0}
    assert (Member.objects.count(), MemberChange.objects.count()) == counts
    created = MemberChange.objects.filter(member__name="党员1").get()
    assert created.kind == MemberChange.Kind.imported
    assert created.reason == "批量导入：a.xlsx"


def test_a_changed_row_updates_and_records_only_the_changed_fields(tmp_path, people):
    _import(tmp_path, [member_row(1), member_row(2)], people.office)
    member = Member.objects.get(name="党员1")
    opened = member.changes.get()
    changed = [member_row(1, post="副处长", phone="13700000000", org="水生态环境处党支部"),
               member_row(2)]  # fmt: skip
    plan = _import(tmp_path, changed, people.office, name="b.xlsx")
    assert plan.counts()["updated"] == 1 and plan.counts()["unchanged"] == 1
    member.refresh_from_db()
    assert (member.post, member.org, member.org_path) == (
        "副处长",
        people.branch_b,
        people.branch_b.path,
    )
    assert member.version == 2
    latest = member.changes.order_by("-id")[0]
    assert set(latest.changes) == {"post", "phone", "org_id"}
    assert latest.changes["post"] == ["科员", "副处长"]
    assert latest.kind == MemberChange.Kind.moved
    assert latest.valid_to is None and latest.org_path == people.branch_b.path
    opened.refresh_from_db()
    assert opened.valid_to == latest.effective_on


def test_an_update_keeps_the_status_and_the_history_chain(tmp_path, people):
    zhang = people.zhang
    row = member_row(1, name="张海冰", birth=zhang.birth_date, female=False,
                     id_number=zhang.id_number(), post="处长")  # fmt: skip
    plan = _import(tmp_path, [row], people.office)
    assert plan.counts()["updated"] == 1
    zhang.refresh_from_db()
    assert (zhang.post, zhang.status) == ("处长", Member.Status.active)
    assert zhang.changes.filter(valid_to__isnull=True).count() == 1


def test_it_writes_one_audit_entry_per_member_and_one_for_the_file(tmp_path, people):
    seq = AuditEntry.objects.order_by("-seq").values_list("seq", flat=True).first() or 0
    _import(tmp_path, [member_row(1), member_row(2)], people.office)
    actions = list(
        AuditEntry.objects.filter(seq__gt=seq).order_by("seq").values_list("action", flat=True)
    )
    assert actions == ["member.create", "member.create", "member.import"]
    assert audit.verify_chain().first_broken is None


def test_a_failure_while_saving_the_last_batch_leaves_the_database_as_it_was(
    tmp_path, people, monkeypatch
):
    def fail(rows):
        raise RuntimeError("disk full")

    monkeypatch.setattr(audit, "record_many", fail)
    before = (Member.objects.count(), MemberChange.objects.count())
    with pytest.raises(RuntimeError):
        _import(tmp_path, [member_row(n) for n in range(1, 6)], people.office)
    assert (Member.objects.count(), MemberChange.objects.count()) == before


def test_a_secretary_cannot_import_into_another_branch(tmp_path, people):
    rows = [member_row(1), member_row(2, org="水生态环境处党支部")]
    plan = _import(tmp_path, rows, people.secretary_a)
    assert not plan.saved
    assert [(p.row, p.column) for p in plan.problems] == [(3, "所在党组织")]
    assert "不在您的管理范围内" in plan.problems[0].message
    assert not Member.objects.filter(name="党员1").exists()


def test_a_secretary_cannot_update_a_member_of_another_branch(tmp_path, people):
    li = people.li
    row = member_row(1, name="李文", birth=li.birth_date, female=True, id_number=li.id_number())
    plan = _import(tmp_path, [row], people.secretary_a)
    assert [(p.row, p.column) for p in plan.problems] == [(2, "身份证号")]
    li.refresh_from_db()
    assert li.org == people.branch_b


def test_an_ambiguous_org_name_asks_for_the_code(tmp_path, people):
    from tiejun.org.models import Org
    from tiejun.testing import make_org

    make_org("大气环境处党支部", Org.Kind.branch, people.root, code="A2")
    plan = plan_import(
        path=write_xlsx(tmp_path / "a.xlsx", table([member_row(1)])), kind="xlsx", user=None
    )
    assert "组织代码" in plan.problems[0].message
    by_code = plan_import(path=write_xlsx(tmp_path / "b.xlsx", table([member_row(1, org="A2")])),
                          kind="xlsx", user=None)  # fmt: skip
    assert by_code.problems == [] and by_code.new[0].org.code == "A2"


def test_the_query_count_does_not_grow_with_rows(tmp_path, people, django_assert_max_num_queries):
    make_member(people.branch_a, "已在册")
    small = write_xlsx(tmp_path / "small.xlsx", table([member_row(n) for n in range(1, 4)]))
    large = write_xlsx(tmp_path / "large.xlsx", table([member_row(n) for n in range(10, 40)]))
    with django_assert_max_num_queries(30) as small_run:
        import_members(path=small, kind="xlsx", user=people.office)
    with django_assert_max_num_queries(len(small_run.captured_queries)):
        import_members(path=large, kind="xlsx", user=people.office)
    assert Member.objects.filter(name__startswith="党员").count() == 33
