from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from tiejun.accounts.models import AuditEntry, User
from tiejun.accounts.roles import Role


def _bootstrap(**names: str) -> str:
    out = io.StringIO()
    call_command("bootstrap_admins", stdout=out, **names)
    return out.getvalue()


@pytest.mark.django_db
def test_it_creates_the_three_administrators_with_temporary_passwords():
    output = _bootstrap(system="sys1", security="sec1", audit="aud1")
    users = {u.username: u for u in User.objects.all()}
    assert users["sys1"].role == Role.system_admin
    assert users["sec1"].role == Role.security_admin
    assert users["aud1"].role == Role.audit_admin
    assert all(u.must_change_password and not u.is_superuser for u in users.values())
    password = output.splitlines()[0].split("临时口令：")[1]
    assert users["sys1"].check_password(password)
    assert AuditEntry.objects.filter(action="account.bootstrap").count() == 3


@pytest.mark.django_db
def test_it_runs_only_once():
    _bootstrap(system="sys1", security="sec1", audit="aud1")
    with pytest.raises(CommandError, match="已有三员账户"):
        _bootstrap(system="sys2", security="sec2", audit="aud2")


@pytest.mark.django_db
def test_one_person_cannot_hold_two_roles():
    with pytest.raises(CommandError, match="三个不同"):
        _bootstrap(system="same", security="same", audit="aud1")
    assert not User.objects.exists()
