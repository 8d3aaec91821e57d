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
        key="org.branch.max_members",
        value=40,
        source="本省规定",
        effective_from=dt.date(2026, 1, 1),
    )
    rules.invalidate()
    assert rules.get("org.branch.max_members", on=dt.date(2025, 12, 31)) == 50
    assert rules.get("org.branch.max_members", on=dt.date(2026, 1, 1)) == 40


@pytest.mark.django_db
def test_a_process_reads_the_overrides_once_a_second_however_often_it_asks(monkeypatch):
    reads = []
    shared = rules._shared_overrides

    def counted() -> dict:
        reads.append(1)
        return shared()

    monkeypatch.setattr(rules, "_shared_overrides", counted)
    clock = [1000.0]
    monkeypatch.setattr(rules.time, "monotonic", lambda: clock[0])
    for _row in range(500):  # an import asks for every row
        rules.get("development.applicant.min_age")
    assert len(reads) == 1
    RuleOverride.objects.create(key="development.applicant.min_age", value=19, source="本单位",
                                effective_from=dt.date(2020, 1, 1))  # fmt: skip
    rules.invalidate()  # what the rules page does on save: seen at once
    assert rules.get("development.applicant.min_age") == 19
    clock[0] += rules._LOCAL_SECONDS
    rules.get("development.applicant.min_age")
    assert len(reads) == 3  # and after a second the shared cache is asked again


def test_the_system_admin_overrides_a_rule_on_the_page(client, people):
    client.force_login(people.sysadmin)
    response = client.post(
        "/rules/",
        {
            "key": "org.branch.max_members",
            "value": "45",
            "source": "本省规定",
            "effective_from": "2026-01-01",
        },
    )
    assert response.status_code == 302
    assert rules.get("org.branch.max_members") == 45


def test_a_wrong_type_is_refused_in_chinese(client, people):
    client.force_login(people.sysadmin)
    response = client.post(
        "/rules/",
        {
            "key": "org.branch.max_members",
            "value": '"很多"',
            "source": "x",
            "effective_from": "2026-01-01",
        },
    )
    assert response.status_code == 200
    assert "取值类型" in response.content.decode()
    assert not RuleOverride.objects.exists()


@pytest.mark.parametrize("who", ["office", "secretary_a", "member_a", "auditor"])
def test_party_roles_and_the_auditor_do_not_manage_rules(client, people, who):
    client.force_login(getattr(people, who))
    assert client.get("/rules/").status_code == 403


def _override(client, key, value):
    return client.post(
        "/rules/",
        {"key": key, "value": value, "source": "本省规定", "effective_from": "2026-01-01"},
    )


def test_security_rows_are_the_security_admins_not_the_system_admins(client, people):
    client.force_login(people.sysadmin)
    assert (
        "由安全管理员维护"
        in _override(client, "security.session.idle_minutes", "20").content.decode()
    )
    client.force_login(people.secadmin)
    assert "由系统管理员维护" in _override(client, "org.branch.max_members", "45").content.decode()
    assert _override(client, "security.session.idle_minutes", "20").status_code == 302
    assert rules.get("security.session.idle_minutes") == 20


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("security.password.min_length", "6", "不得低于 8"),
        ("security.login.max_failures", "10", "不得高于 5"),
        ("security.session.idle_minutes", "60", "不得高于 30"),
        ("security.audit.retention_months", "3", "不得低于 6"),
    ],
)
def test_an_override_cannot_weaken_what_the_regulation_sets(client, people, key, value, message):
    client.force_login(people.secadmin)
    assert message in _override(client, key, value).content.decode()
    assert not RuleOverride.objects.exists()
