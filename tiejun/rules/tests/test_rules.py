from __future__ import annotations

import datetime as dt

import pytest

from tiejun import rules
from tiejun.rules.models import RuleOverride


def test_every_rule_names_its_source_and_label():
    for rule in rules.all_rules():
        assert rule.source.strip(), rule.key
        assert rule.label.strip(), rule.key


@pytest.mark.django_db
def test_national_defaults_of_product_md():
    assert rules.get("org.term_years")["committee"] == 5
    assert rules.get("org.term_years")["branch"] == 3
    assert rules.get("dues.in_service.bands")[0] == [3000, "0.005"]
    assert rules.get("development.applicant.min_age") == 18


def test_an_unknown_key_is_a_programming_error():
    with pytest.raises(rules.UnknownRule):
        rules.get("no.such.rule")


@pytest.mark.django_db
def test_an_override_applies_from_its_date():
    RuleOverride.objects.create(
        key="org.branch.max_members", value=40, source="本省规定", effective_from=dt.date(2026, 1, 1)
    )
    rules.invalidate()
    assert rules.get("org.branch.max_members", on=dt.date(2025, 12, 31)) == 50
    assert rules.get("org.branch.max_members", on=dt.date(2026, 1, 1)) == 40


def test_the_system_admin_overrides_a_rule_on_the_page(client, people):
    client.force_login(people.sysadmin)
    response = client.post("/rules/", {
        "key": "org.branch.max_members", "value": "45", "source": "本省规定",
        "effective_from": "2026-01-01",
    })
    assert response.status_code == 302
    assert rules.get("org.branch.max_members") == 45


def test_a_wrong_type_is_refused_in_chinese(client, people):
    client.force_login(people.sysadmin)
    response = client.post("/rules/", {
        "key": "org.branch.max_members", "value": '"很多"', "source": "x", "effective_from": "2026-01-01",
    })
    assert response.status_code == 200
    assert "取值类型" in response.content.decode()
    assert not RuleOverride.objects.exists()


@pytest.mark.parametrize("who", ["office", "secretary_a", "member_a", "secadmin", "auditor"])
def test_only_the_system_admin_manages_rules(client, people, who):
    client.force_login(getattr(people, who))
    assert client.get("/rules/").status_code == 403
