"""The member export: standard headers, text ID columns, date cells, masking, audit, and an
export that re-imports cleanly."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
from django.core.management import call_command

from tiejun.accounts.models import AuditEntry
from tiejun.org.importer import HEADERS, import_members
from tiejun.org.models import Member, MemberChange
from tiejun.testing import make_member


def _sheet(content: bytes):
    return openpyxl.load_workbook(io.BytesIO(content)).active


def _download(client) -> bytes:
    response = client.get("/members/export.xlsx")
    assert response.status_code == 200
    return b"".join(response.streaming_content)


def test_the_export_has_the_import_headers_text_ids_and_date_cells(client, people):
    client.force_login(people.office)
    sheet = _sheet(_download(client))
    header = [cell.value for cell in sheet[1]]
    assert header[: len(HEADERS)] == list(HEADERS.values())
    rows = {row[0].value: row for row in sheet.iter_rows(min_row=2)}
    zhang = rows["张海冰"]
    id_cell = zhang[list(HEADERS).index("id_number")]
    assert id_cell.value == people.zhang.id_number() and id_cell.data_type == "s"
    assert id_cell.number_format == "@"
    birth = zhang[list(HEADERS).index("birth_date")]
    assert birth.is_date and birth.value.date() == people.zhang.birth_date
    assert birth.number_format == "yyyy-mm-dd"
    assert zhang[list(HEADERS).index("org")].value == "大气环境处党支部"


def test_a_user_who_may_not_reveal_gets_masked_numbers_and_the_export_is_audited(client, people):
    client.force_login(people.secretary_a)
    sheet = _sheet(_download(client))
    values = [
        row[list(HEADERS).index("id_number")]
        for row in sheet.iter_rows(min_row=2, values_only=True)
    ]
    assert values == [people.zhang.id_masked]
    entry = AuditEntry.objects.filter(action="member.export").latest("seq")
    assert entry.user == people.secretary_a and entry.detail["masked"] is True


def test_an_export_by_a_user_who_may_reveal_re_imports_cleanly(client, people, tmp_path):
    make_member(people.branch_a, "王芳", female=True, category=Member.Category.probationary,
                joined_on=dt.date(2025, 12, 1), post="", phone="")  # fmt: skip
    client.force_login(people.office)
    path = tmp_path / "名册.xlsx"
    path.write_bytes(_download(client))
    changes = MemberChange.objects.count()
    plan = import_members(path=path, kind="xlsx", user=people.office, source=path.name)
    assert plan.problems == []
    assert plan.counts() == {"rows": 3, "new": 0, "updated": 0, "unchanged": 3, "errors": 0}
    assert MemberChange.objects.count() == changes


def test_a_masked_export_does_not_re_import_as_updates(client, people, tmp_path):
    client.force_login(people.secretary_a)
    path = tmp_path / "名册.xlsx"
    path.write_bytes(_download(client))
    plan = import_members(path=path, kind="xlsx", user=people.secretary_a)
    assert not plan.saved
    assert {p.column for p in plan.problems} == {"身份证号", "手机号码"}


def test_the_export_command_writes_every_member_in_full_and_audits(tmp_path, people):
    path = tmp_path / "all.xlsx"
    call_command("export_members", str(path))
    rows = list(openpyxl.load_workbook(path).active.iter_rows(min_row=2, values_only=True))
    assert {row[0] for row in rows} == {"张海冰", "李文"}
    assert people.li.id_number() in {row[4] for row in rows}
    entry = AuditEntry.objects.filter(action="member.export").latest("seq")
    assert entry.username == "manage.py export_members" and entry.detail["rows"] == 2


def test_the_export_command_as_a_user_keeps_to_their_scope_and_masks(tmp_path, people):
    path = tmp_path / "a.xlsx"
    call_command("export_members", str(path), "--as", "secretary")
    rows = list(openpyxl.load_workbook(path).active.iter_rows(min_row=2, values_only=True))
    assert [(row[0], row[4]) for row in rows] == [("张海冰", people.zhang.id_masked)]


def test_export_then_command_import_round_trip(tmp_path, people):
    path = tmp_path / "all.xlsx"
    call_command("export_members", str(path))
    call_command("import_members", str(path))
    assert Member.objects.count() == 2
    assert AuditEntry.objects.filter(action="member.import").latest("seq").detail["unchanged"] == 2
