"""SECURITY.md item 13: entries are kept at least 6 months (default 12); pruning removes only
older ones, logs itself, and the chain still verifies afterwards."""

from __future__ import annotations

import datetime as dt

from django.core.management import call_command
from django.utils import timezone

from tiejun.accounts import audit
from tiejun.accounts.management.commands.prune_audit import months_before
from tiejun.accounts.models import AuditEntry
from tiejun.testing import override_rule


def _entry_aged(days: int) -> AuditEntry:
    """An entry written `days` ago: the chain is built as it would have been, in order."""
    from unittest import mock

    moment = timezone.now() - dt.timedelta(days=days)
    with mock.patch("tiejun.accounts.models.timezone.now", return_value=moment):
        return audit.record("member.update", username=f"aged-{days}")


def _ages(*days: int) -> dict[int, AuditEntry]:
    return {age: _entry_aged(age) for age in sorted(days, reverse=True)}


def test_the_default_keeps_twelve_months(db, capsys):
    entries = _ages(800, 400, 370, 360, 10)
    call_command("prune_audit")
    left = set(AuditEntry.objects.exclude(action="audit.prune").values_list("seq", flat=True))
    assert left == {entries[360].seq, entries[10].seq}
    assert "已清理" in capsys.readouterr().out


def test_pruning_is_logged_with_what_it_removed(db):
    entries = _ages(800, 400, 10)
    call_command("prune_audit")
    entry = AuditEntry.objects.get(action="audit.prune")
    assert entry.username == "manage.py prune_audit"
    assert entry.detail["deleted"] == 2 and entry.detail["months"] == 12
    assert (entry.detail["first_seq"], entry.detail["last_seq"]) == (
        entries[800].seq,
        entries[400].seq,
    )


def test_the_chain_verifies_after_pruning(db, capsys):
    _ages(800, 400, 100, 10)
    call_command("prune_audit")
    call_command("verify_audit")
    assert "校验通过" in capsys.readouterr().out


def test_a_shorter_configured_retention_never_goes_below_six_months(db):
    override_rule("security.audit.retention_months", 3)
    entries = _ages(200, 150, 100)
    call_command("prune_audit")
    left = set(AuditEntry.objects.exclude(action="audit.prune").values_list("seq", flat=True))
    assert left == {entries[150].seq, entries[100].seq}  # 150 days < 6 months


def test_a_longer_configured_retention_is_honoured(db):
    override_rule("security.audit.retention_months", 36)
    _ages(800, 400)
    call_command("prune_audit")
    assert AuditEntry.objects.count() == 2
    assert not AuditEntry.objects.filter(action="audit.prune").exists()  # nothing to log


def test_a_dry_run_deletes_nothing(db, capsys):
    _ages(800, 10)
    call_command("prune_audit", dry_run=True)
    assert AuditEntry.objects.count() == 2
    assert "到期 1 条" in capsys.readouterr().out


def test_running_twice_prunes_once(db):
    _ages(800, 10)
    call_command("prune_audit")
    call_command("prune_audit")
    assert AuditEntry.objects.filter(action="audit.prune").count() == 1


def test_an_entry_out_of_time_order_is_kept_not_torn_from_the_middle(db):
    """A clock that once ran backwards: an old-looking entry after a young one stays."""
    young = _entry_aged(10)
    late_but_old_looking = _entry_aged(800)
    call_command("prune_audit")
    left = set(AuditEntry.objects.values_list("seq", flat=True))
    assert {young.seq, late_but_old_looking.seq} <= left
    call_command("verify_audit")


def test_months_are_calendar_months():
    moment = timezone.make_aware(dt.datetime(2026, 3, 31, 12, 0))
    assert months_before(moment, 1).date() == dt.date(2026, 2, 28)
    assert months_before(moment, 12).date() == dt.date(2025, 3, 31)
    assert months_before(moment, 15).date() == dt.date(2024, 12, 31)


def test_an_override_cannot_lower_the_legal_minimum(db):
    override_rule("security.audit.min_retention_months", 1)
    override_rule("security.audit.retention_months", 1)
    entries = _ages(200, 150, 100)
    call_command("prune_audit")
    left = set(AuditEntry.objects.exclude(action="audit.prune").values_list("seq", flat=True))
    assert left == {entries[150].seq, entries[100].seq}
