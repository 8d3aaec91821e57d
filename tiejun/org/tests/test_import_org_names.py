"""Org names as other systems write them: the formal name (中共…支部委员会), a path spelled out
(机关党委/…, or run together), traditional characters; found when they name one org and its
parents, refused when they could name another, and always pointed out in the preview."""

from __future__ import annotations

import datetime as dt

import pytest

from tiejun.org.importer import import_members, plan_import
from tiejun.org.models import Org
from tiejun.org.names import name_key, parents_named
from tiejun.org.tests.sheets import member_row, table, write_xlsx
from tiejun.testing import make_org


def _plan(tmp_path, orgs: list[str], user=None, name="a.xlsx", **columns):
    rows = [member_row(n, org=org, **columns) for n, org in enumerate(orgs, start=1)]
    return plan_import(path=write_xlsx(tmp_path / name, table(rows)), kind="xlsx", user=user)


@pytest.mark.parametrize(
    ("written", "ours"),
    [
        ("中共大气环境处支部委员会", "大气环境处党支部"),
        ("中国共产党大气环境处支部", "大气环境处党支部"),
        ("大氣環境處黨支部委員會", "大气环境处党支部"),
        ("中共机关委员会", "机关党委"),
        ("综合处党总支部委员会", "综合处党总支"),
        ("综合处总支部", "综合处党总支"),
        ("大气环境处第一党小组", "大气环境处第一小组"),
    ],
)
def test_formal_and_common_names_share_a_key(written, ours):
    assert name_key(written) == name_key(ours)


def test_different_orgs_keep_different_keys():
    assert name_key("水生态环境处党支部") != name_key("生态环境处党支部")
    assert name_key("党支部") == "党支部"  # an ending alone is not reduced to nothing


def test_parents_are_read_from_the_end_of_what_stands_before_the_name():
    parents = [name_key("综合处党总支"), name_key("机关党委")]  # nearest first
    assert parents_named(name_key("机关党委/综合处党总支/"), parents) == 2
    assert parents_named(name_key("中共机关委员会"), parents) == 1  # a level left out
    assert parents_named("省生态环境厅" + name_key("机关党委"), parents) == 1
    assert parents_named("土壤", parents) == 0


@pytest.mark.parametrize(
    "written",
    [
        "中共大气环境处支部委员会",
        "機關黨委/大氣環境處黨支部",
        "机关党委 > 大气环境处党支部",
        "机关党委大气环境处党支部",
        "中共省生态环境厅机关委员会大气环境处支部委员会",
    ],
)
def test_a_name_written_another_way_finds_the_org_and_says_so(tmp_path, people, written):
    plan = _plan(tmp_path, [written, written])
    assert plan.problems == []
    assert [member.org for member in plan.new] == [people.branch_a, people.branch_a]
    assert [(w.row, w.column, w.message) for w in plan.warnings] == [
        (2, "所在党组织", f"“{written}”按“大气环境处党支部”（组织代码 A）导入，请核对")
    ]


def test_a_name_that_only_ends_like_an_org_is_not_taken_for_it(tmp_path, people):
    make_org("生态环境处党支部", Org.Kind.branch, people.root, code="C")
    plan = _plan(tmp_path, ["土壤生态环境处党支部", "中共水生态环境处支部委员会"])
    assert [p.message for p in plan.problems] == [  # a question for the user, not a match
        "找不到党组织“土壤生态环境处党支部”，或该组织不在您的管理范围内；请核对名称或组织代码；"
        "是否为“生态环境处党支部”？"
    ]
    assert [member.org for member in plan.new] == [people.branch_b]  # by its formal name


def test_the_parents_written_before_a_repeated_name_pick_the_org(tmp_path, people):
    first, second = (
        make_org(f"{name}党总支", Org.Kind.general_branch, people.root, code=code)
        for name, code in (("综合处", "G1"), ("监测处", "G2"))
    )
    in_first = make_org("第一党支部", Org.Kind.branch, first, code="G1B")
    in_second = make_org("第一党支部", Org.Kind.branch, second, code="G2B")
    plan = _plan(tmp_path, ["综合处党总支/第一党支部", "中共监测处总支部委员会第一支部委员会"])
    assert [member.org for member in plan.new] == [in_first, in_second]
    ambiguous = _plan(tmp_path, ["中共第一支部委员会", "机关党委/第一党支部"], name="b.xlsx")
    assert {p.message for p in ambiguous.problems} == {
        f"有多个名为“{text}”的党组织，请填写组织代码以区分"
        for text in ("中共第一支部委员会", "机关党委/第一党支部")
    }


def test_a_code_and_the_formal_name_of_its_org_agree(tmp_path, people):
    rows = [member_row(1, org="中共大气环境处支部委员会"), member_row(2, org="水生态环境处党支部")]
    for row in rows:
        row["组织代码"] = "A"
    path = write_xlsx(tmp_path / "a.xlsx", table(rows, [*rows[0]]))
    plan = plan_import(path=path, kind="xlsx", user=None)
    assert [(p.row, p.message) for p in plan.problems] == [
        (3, "组织代码“A”是“大气环境处党支部”，与所在党组织“水生态环境处党支部”不一致")
    ]


def test_a_written_path_reaches_only_into_the_users_scope(tmp_path, people):
    plan = _plan(tmp_path, ["机关党委/大气环境处党支部", "机关党委/水生态环境处党支部"],
                 user=people.secretary_a)  # fmt: skip
    assert [member.org for member in plan.new] == [people.branch_a]
    assert [p.row for p in plan.problems] == [3]
    assert "不在您的管理范围内" in plan.problems[0].message


def test_a_loosely_named_org_costs_the_same_queries_for_few_and_many_rows(
    tmp_path, people, django_assert_max_num_queries
):
    written = ["中共大气环境处支部委员会", "机关党委/水生态环境处党支部"]
    few = write_xlsx(tmp_path / "few.xlsx", table(
        [member_row(n, org=written[n % 2]) for n in range(1, 5)]))  # fmt: skip
    many = write_xlsx(tmp_path / "many.xlsx", table(
        [member_row(n, org=written[n % 2]) for n in range(10, 60)]))  # fmt: skip
    with django_assert_max_num_queries(40) as few_run:
        assert import_members(path=few, kind="xlsx", user=people.office).saved
    with django_assert_max_num_queries(len(few_run.captured_queries)):
        assert import_members(path=many, kind="xlsx", user=people.office).saved


def test_a_mistyped_org_name_is_answered_with_the_likeliest_org_in_scope(tmp_path, people):
    plan = _plan(tmp_path, ["大气环境党支部", "水生态环境处党支部", "不存在的支部"],
                 user=people.secretary_a)  # fmt: skip
    messages = [p.message for p in plan.problems]
    assert messages[0].endswith("；是否为“大气环境处党支部”？")
    # 水生态环境处党支部 exists outside the secretary's branch: neither found nor named.
    assert [m.endswith("请核对名称或组织代码") for m in messages[1:]] == [True, True]


def test_no_suggestion_is_looked_for_in_a_scope_too_big_to_compare(tmp_path, people, monkeypatch):
    from tiejun.org import import_orgs

    monkeypatch.setattr(import_orgs, "SUGGEST_MAX_ORGS", 2)
    plan = _plan(tmp_path, ["大气环境党支部"])
    assert plan.problems[0].message.endswith("请核对名称或组织代码")


def test_an_org_dissolved_or_past_its_end_takes_no_members(tmp_path, people):
    ended = dt.date(2024, 1, 1)
    make_org("已撤销党支部", Org.Kind.branch, people.root, code="D", dissolved_on=ended)
    make_org("巡视组临时党支部", Org.Kind.temporary_branch, people.root, code="T",
             starts_on=dt.date(2024, 3, 1), ends_on=dt.date(2024, 6, 30))  # fmt: skip
    plan = _plan(tmp_path, ["已撤销党支部", "巡视组临时党支部"])
    assert [p.message for p in plan.problems] == [
        "“已撤销党支部”已撤销，不能再登记党员",
        "“巡视组临时党支部”已撤销，不能再登记党员",
    ]
