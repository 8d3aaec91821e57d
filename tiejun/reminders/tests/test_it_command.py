"""manage.py reminders: counts per rule and in total, idempotent, safe to run twice at once."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from tiejun.org.models import Member
from tiejun.reminders.models import Reminder, RuleState
from tiejun.reminders.tests.helpers import OUR_RULES, TODAY, make_committee
from tiejun.testing import make_member

OURS = [arg for code in OUR_RULES for arg in ("--rule", code)]


def _command(*args: str) -> str:
    out = StringIO()
    call_command("reminders", *args, stdout=out)
    return out.getvalue()


def _data(people) -> None:
    make_committee(people.branch_a, expires_on=dt.date(2027, 1, 10))
    make_committee(people.branch_b, expires_on=dt.date(2026, 6, 30))
    make_member(
        people.branch_a,
        "王晓明",
        category=Member.Category.probationary,
        joined_on=dt.date(2025, 12, 1),
    )


@pytest.mark.django_db
def test_it_prints_created_kept_and_resolved_and_a_second_run_creates_none(people):
    _data(people)
    first = _command("--today", f"{TODAY}", *OURS)
    assert "换届提醒：新建 2，保留 0，消除 0" in first
    assert "转正提醒：新建 1，保留 0，消除 0" in first
    assert "合计：新建 3，保留 0，消除 0" in first
    second = _command("--today", f"{TODAY}", *OURS)
    assert "合计：新建 0，保留 3，消除 0" in second
    assert Reminder.objects.count() == 3
    state = RuleState.objects.get(rule="reelection")
    assert (state.last_today, state.kept) == (TODAY, 2)


@pytest.mark.django_db
def test_it_runs_one_rule_and_refuses_an_unknown_one(people):
    _data(people)
    assert "转正" not in _command("--today", f"{TODAY}", "--rule", "reelection")
    with pytest.raises(CommandError, match="没有这条提醒规则"):
        _command("--rule", "nonsense")


@pytest.mark.django_db
def test_it_uses_the_local_date_by_default(people):
    make_committee(people.branch_a, expires_on=dt.date.today() - dt.timedelta(days=1))
    assert "换届提醒：新建 1" in _command(*OURS)


SETUP = """
import datetime as dt
from tiejun.org.models import Member
from tiejun.reminders.tests.helpers import make_committee
from tiejun.testing import build_people, make_member
people = build_people()
make_committee(people.branch_a, expires_on=dt.date(2027, 1, 10))
make_committee(people.branch_b, expires_on=dt.date(2026, 6, 30))
for n in range(60):
    make_member(people.branch_b, f"预备{n}", category=Member.Category.probationary,
                joined_on=dt.date(2025, 11, 1) + dt.timedelta(days=n % 20))
"""
COUNT = (
    "from tiejun.reminders.models import Reminder as R; "
    "print(R.objects.count(), R.objects.values('rule', 'key').distinct().count())"
)


def _manage(env: dict[str, str], *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "manage.py", *args],
        cwd=settings.BASE_DIR,
        env=env,
        text=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def _finish(process: subprocess.Popen[str]) -> str:
    out, err = process.communicate(timeout=120)
    assert process.returncode == 0, err
    return out


def test_it_creates_no_duplicates_when_two_processes_run_at_once(tmp_path):
    """Two real processes on one SQLite file, as two overlapping cron runs would be."""
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "TIEJUN_VAR_DIR": str(tmp_path),
        "TIEJUN_DATA_KEY_FILE": str(tmp_path / "data.key"),
        "TIEJUN_DATA_KEYS": "",
    }
    _finish(_manage(env, "migrate", "-v", "0"))
    _finish(_manage(env, "shell", "-c", SETUP))
    runs = [_manage(env, "reminders", "--today", f"{TODAY}", *OURS) for _ in range(2)]
    outputs = [_finish(run) for run in runs]
    created = [int(o.split("合计：新建 ")[1].split("，")[0]) for o in outputs]
    # Each rule runs under its own lock, so the two runs may share the work rule by rule
    # (one 2 换届 reminders, the other 60 转正 ones): every reminder is created exactly once.
    assert sum(created) == 62
    assert _finish(_manage(env, "shell", "-v", "0", "-c", COUNT)).split() == ["62", "62"]


@pytest.mark.django_db
def test_it_resolves_the_reminders_of_a_rule_that_no_longer_exists(people):
    _data(people)
    _command("--today", f"{TODAY}", *OURS)
    Reminder.objects.filter(rule="probation").update(rule="retired_rule")
    out = _command("--today", f"{TODAY}")
    assert "retired_rule：新建 0，保留 0，消除 1" in out
    assert not Reminder.objects.open().filter(rule="retired_rule").exists()
    assert Reminder.objects.open().filter(rule="probation").count() == 1  # made again
