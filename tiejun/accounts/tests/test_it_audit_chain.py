"""SECURITY.md item 12: append-only, hash-chained; verify_audit names the first broken link;
nobody edits or deletes entries through the application."""

from __future__ import annotations

import itertools

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.models import ProtectedError

from tiejun.accounts import audit
from tiejun.accounts.models import AuditEntry, AuditHead, audit_algorithm


def _chain(n: int = 5) -> list[AuditEntry]:
    return [audit.record("member.update", username=f"u{i}") for i in range(n)]


def _raw_update(sql: str, params: list) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def test_each_entry_links_to_the_one_before(db):
    entries = _chain()
    for before, after in itertools.pairwise(entries):
        assert after.prev_digest == before.digest
        assert after.seq == before.seq + 1
    head = AuditHead.objects.get(pk=1)
    assert (head.seq, head.digest) == (entries[-1].seq, entries[-1].digest)


def test_the_chain_uses_sm3_where_available_else_sha256(db):
    entry = audit.record("login")
    assert entry.algorithm == audit_algorithm() in ("sm3", "sha256")
    assert len(entry.digest) == 64


def test_verify_audit_passes_on_an_intact_chain(db, capsys):
    _chain()
    call_command("verify_audit")
    assert "共 5 条记录" in capsys.readouterr().out


def test_verify_audit_names_a_row_changed_with_raw_sql(db):
    entries = _chain()
    _raw_update(
        "UPDATE accounts_auditentry SET result = %s WHERE seq = %s", ["denied", entries[2].seq]
    )
    with pytest.raises(CommandError, match=f"第 {entries[2].seq} 号记录"):
        call_command("verify_audit")


def test_verify_audit_names_a_row_whose_digest_was_recomputed(db):
    entries = _chain()
    forged = AuditEntry.objects.get(seq=entries[1].seq)
    forged.username = "someone-else"
    _raw_update(
        "UPDATE accounts_auditentry SET username = %s, digest = %s WHERE seq = %s",
        ["someone-else", forged.compute_digest(), forged.seq],
    )
    with pytest.raises(CommandError, match=f"第 {entries[2].seq} 号记录.*链接不符"):
        call_command("verify_audit")


def test_verify_audit_names_a_gap_in_the_middle(db):
    entries = _chain()
    _raw_update("DELETE FROM accounts_auditentry WHERE seq = %s", [entries[2].seq])
    with pytest.raises(CommandError, match=f"第 {entries[3].seq} 号记录"):
        call_command("verify_audit")


def test_the_command_exits_non_zero_from_the_shell(db):
    entries = _chain()
    _raw_update("UPDATE accounts_auditentry SET action = %s WHERE seq = %s", ["x", entries[0].seq])
    with pytest.raises(CommandError) as failure:
        call_command("verify_audit")
    assert failure.value.returncode == 1


def test_an_entry_cannot_be_saved_twice_or_deleted(db):
    entry = audit.record("login")
    entry.result = "denied"
    with pytest.raises(ValidationError):
        entry.save()
    with pytest.raises(ValidationError):
        entry.delete()


def test_entries_cannot_be_updated_or_deleted_in_bulk(db):
    entries = _chain(3)
    with pytest.raises(ValidationError):
        AuditEntry.objects.filter(seq=entries[0].seq).update(result="denied")
    with pytest.raises(ValidationError):
        AuditEntry.objects.all().delete()
    with pytest.raises(ValidationError):
        AuditEntry.objects.bulk_update(entries, ["result"])
    assert AuditEntry.objects.count() == 3
    call_command("verify_audit")


def test_deleting_an_account_that_acted_is_refused_so_entries_stay_intact(people):
    audit.record("login", user=people.member_a)
    with pytest.raises(ProtectedError):
        people.member_a.delete()
    call_command("verify_audit")


def test_there_is_no_setting_to_switch_auditing_off(settings):
    names = [name for name in dir(settings) if "AUDIT" in name.upper()]
    assert all("OFF" not in name.upper() and "DISABLE" not in name.upper() for name in names)
