"""`manage.py import_members`: exit codes, --dry-run, --as, and the printed report."""

from __future__ import annotations

import sys

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from tiejun.accounts.models import AuditEntry
from tiejun.org.models import Member
from tiejun.org.tests.sheets import member_row, table, write_xlsx


def _run(*argv: str) -> int:
    """Run the command and return the exit code manage.py would give, printing its error line.

    Not run_from_argv: it closes every database connection when done, which on PostgreSQL
    closes the test's own transaction.
    """
    try:
        call_command("import_members", *argv)
    except CommandError as error:
        sys.stderr.write(f"CommandError: {error}\n")
        return error.returncode
    return 0


def test_a_good_file_imports_and_exits_zero(tmp_path, people, capsys):
    path = write_xlsx(tmp_path / "a.xlsx", table([member_row(1), member_row(2)]))
    assert _run(str(path)) == 0
    assert "新增 2" in capsys.readouterr().out
    assert Member.objects.filter(name__in=["党员1", "党员2"]).count() == 2
    entry = AuditEntry.objects.filter(action="member.import").get()
    assert entry.username == "manage.py import_members"


def test_bad_rows_exit_non_zero_print_every_row_and_save_nothing(tmp_path, people, capsys):
    rows = [member_row(n) for n in range(1, 5)]
    rows[0]["性别"] = "未知"
    rows[2]["转正日期"] = "2011-13-01"
    path = write_xlsx(tmp_path / "a.xlsx", table(rows))
    assert _run(str(path)) == 1
    err = capsys.readouterr().err
    assert "第2行 [性别] " in err and "第4行 [转正日期] " in err
    assert "未保存任何数据" in err
    assert not Member.objects.filter(name__startswith="党员").exists()


def test_dry_run_checks_without_saving(tmp_path, people, capsys):
    path = write_xlsx(tmp_path / "a.xlsx", table([member_row(1)]))
    assert _run(str(path), "--dry-run") == 0
    assert "未保存" in capsys.readouterr().out
    assert not Member.objects.filter(name="党员1").exists()
    assert not AuditEntry.objects.filter(action="member.import").exists()


def test_dry_run_of_a_bad_file_exits_non_zero(tmp_path, people):
    path = write_xlsx(tmp_path / "a.xlsx", table([member_row(1, ethnicity="火星族")]))
    assert _run(str(path), "--dry-run") == 1


def test_as_a_secretary_scopes_the_import_and_the_audit(tmp_path, people, capsys):
    path = write_xlsx(tmp_path / "a.xlsx", table([member_row(1, org="水生态环境处党支部")]))
    assert _run(str(path), "--as", "secretary") == 1
    assert "不在您的管理范围内" in capsys.readouterr().err
    ok = write_xlsx(tmp_path / "b.xlsx", table([member_row(1)]))
    assert _run(str(ok), "--as", "secretary") == 0
    entry = AuditEntry.objects.filter(action="member.create").latest("seq")
    assert entry.user == people.secretary_a and entry.object_repr == "党员1"


def test_unknown_users_files_and_types_are_clear_errors(tmp_path, people):
    path = write_xlsx(tmp_path / "a.xlsx", table([member_row(1)]))
    with pytest.raises(CommandError, match="不存在"):
        call_command("import_members", str(path), "--as", "nobody")
    with pytest.raises(CommandError, match="没有此项操作的权限"):
        call_command("import_members", str(path), "--as", "member")
    with pytest.raises(CommandError, match="文件不存在"):
        call_command("import_members", str(tmp_path / "missing.xlsx"))
    exe = tmp_path / "a.exe"
    exe.write_bytes(b"MZ")
    with pytest.raises(CommandError, match="只能导入"):
        call_command("import_members", str(exe))
