"""The yearly 谈心谈话 baseline: committee member × member and committee × committee pairs,
counted either way round, only 谈心谈话, only that year, at a fixed number of queries."""

from __future__ import annotations

import datetime as dt

import pytest

from tiejun.life import talks
from tiejun.life.models import Talk
from tiejun.life.tests.helpers import seat
from tiejun.org.models import Org
from tiejun.testing import make_member, make_org

YEAR = 2025


@pytest.fixture
def branch(people):
    """3 committee members and 5 other members; the committee is also on the roll."""
    org = make_org("土壤生态环境处党支部", Org.Kind.branch, people.root)
    leaders = [make_member(org, name) for name in ("书记甲", "委员乙", "委员丙")]
    for member, position in zip(leaders, ("secretary", "organization", "publicity"), strict=True):
        seat(org, member, position, elected_on=dt.date(2024, 3, 1))
    others = [make_member(org, f"党员{n}") for n in "一二三四五"]
    return org, leaders, others


def _talk(org, talker, talkee, day, kind=Talk.Kind.heart) -> None:
    Talk.objects.create(org=org, talker=talker, talkee=talkee, held_on=day, topic="谈心", kind=kind)


def test_it_counts_pairs_either_way_round_in_the_year_only(branch):
    org, (sec, org_m, pub), others = branch
    _talk(org, sec, others[0], dt.date(YEAR, 3, 1))
    _talk(org, others[1], sec, dt.date(YEAR, 5, 1))  # the member started it: still counts
    _talk(org, sec, org_m, dt.date(YEAR, 6, 1))  # committee × committee
    _talk(org, org_m, others[0], dt.date(YEAR - 1, 12, 31))  # last year: not counted
    _talk(org, pub, others[2], dt.date(YEAR, 7, 1), kind=Talk.Kind.integrity)  # not 谈心谈话
    _talk(org, others[3], others[4], dt.date(YEAR, 7, 1))  # two members: no pair of the baseline
    result = talks.baseline(org=org, year=YEAR, today=dt.date(YEAR + 1, 2, 1))
    # 3 committee × 5 members + 3 committee pairs among themselves.
    assert result.total == 18
    assert result.covered == 3
    assert f"{result.share * 100:.1f}" == "16.7"
    by_leader = {m.name: {p.other.name for p in pairs} for m, pairs in result.missing_by_leader()}
    assert by_leader["书记甲"] == {"委员丙", "党员三", "党员四", "党员五"}
    assert "党员一" in by_leader["委员乙"] and "书记甲" not in by_leader["委员乙"]


def test_an_org_without_a_committee_has_no_pairs(people):
    result = talks.baseline(org=people.branch_b, year=YEAR)
    assert (result.total, result.share, result.leaders) == (0, 1.0, [])


def test_a_higher_per_pair_rule_needs_more_talks(branch):
    from tiejun.rules import invalidate
    from tiejun.rules.models import RuleOverride

    org, (sec, *_rest), others = branch
    _talk(org, sec, others[0], dt.date(YEAR, 3, 1))
    RuleOverride.objects.create(
        key="talk.heart.per_pair_per_year",
        value=2,
        source="本地",
        effective_from=dt.date(2020, 1, 1),
    )
    invalidate()
    assert talks.baseline(org=org, year=YEAR, today=dt.date(YEAR, 12, 1)).covered == 0


def test_it_costs_the_same_queries_for_a_bigger_branch(branch, django_assert_num_queries):
    org, leaders, others = branch
    for member in others:
        _talk(org, leaders[0], member, dt.date(YEAR, 4, 1))
    with django_assert_num_queries(3):
        talks.baseline(org=org, year=YEAR, today=dt.date(YEAR, 12, 1))
    for n in range(10):
        _talk(org, leaders[1], make_member(org, f"新党员{n}"), dt.date(YEAR, 4, 1))
    with django_assert_num_queries(3):
        assert talks.baseline(org=org, year=YEAR, today=dt.date(YEAR, 12, 1)).total == 48
