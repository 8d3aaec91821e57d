"""审计日志: the audit administrator filters, exports (.xlsx, audited) and verifies the trail."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest
from django.db import connection
from django.utils import timezone

from tiejun.accounts import audit
from tiejun.accounts.models import AuditEntry
from tiejun.accounts.tests.helpers import last_entry, queries_for


@pytest.fixture
def audit_client(client, people):
    client.force_login(people.auditor)
    return client


def _entries(n: int, action: str = "member.update", **fields) -> None:
    audit.record_many([audit.entry_fields(action, **fields) for _ in range(n)])


def test_it_lists_entries_newest_first_with_chinese_action_names(audit_client, people):
    audit.record("member.reveal", user=people.office, obj=people.zhang, result="denied")
    body = audit_client.get("/accounts/audit/").content.decode()
    assert "查看完整身份证号和手机号" in body and "拒绝" in body
    first_row = body.split("<tbody>")[1].split("</tr>")[0]
    assert "查看审计日志" in first_row or "查看完整身份证号" in first_row


def test_it_filters_by_user_action_result_and_time(audit_client, people):
    audit.record("member.reveal", user=people.office, result="denied")
    audit.record("member.reveal", user=people.secretary_a)
    page = audit_client.get("/accounts/audit/", {"user": "office", "action": "member.reveal"})
    assert "共 1 条" in page.content.decode()
    page = audit_client.get("/accounts/audit/", {"action": "member.reveal", "result": "ok"})
    assert "共 1 条" in page.content.decode()
    today = timezone.localdate()
    page = audit_client.get(
        "/accounts/audit/",
        {"action": "member.reveal", "start": today.isoformat(), "end": today.isoformat()},
    )
    assert "共 2 条" in page.content.decode()
    yesterday = today - dt.timedelta(days=1)
    page = audit_client.get(
        "/accounts/audit/", {"action": "member.reveal", "end": yesterday.isoformat()}
    )
    assert "共 0 条" in page.content.decode()


def test_a_reversed_date_range_is_explained(audit_client, people):
    body = audit_client.get(
        "/accounts/audit/", {"start": "2026-02-01", "end": "2026-01-01"}
    ).content.decode()
    assert "截止日期不能早于起始日期" in body


def test_the_list_costs_the_same_number_of_queries_for_more_entries(audit_client, people):
    _entries(5, user=people.office)
    small = queries_for(audit_client, "/accounts/audit/")
    _entries(200, user=people.office)
    assert queries_for(audit_client, "/accounts/audit/") == small
    assert queries_for(audit_client, "/accounts/audit/", page=3, result="ok") == small


def test_reading_the_trail_is_itself_audited(audit_client, people):
    audit_client.get("/accounts/audit/", {"user": "office"})
    entry = last_entry("audit.view")
    assert entry.username == "auditor" and entry.detail["filters"] == {"user": "office"}


def test_the_export_has_exactly_the_filtered_entries_and_is_audited(audit_client, people):
    audit.record(
        "member.reveal", user=people.office, obj=people.zhang, detail={"fields": ["id_number"]}
    )
    audit.record("member.reveal", user=people.secretary_a, result="denied")
    response = audit_client.get("/accounts/audit/export.xlsx", {"user": "office"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    rows = list(book.active.iter_rows(values_only=True))
    assert rows[0][:5] == ("序号", "时间", "用户", "IP", "操作")
    assert {row[2] for row in rows[1:]} == {"office"}
    assert any(
        row[4] == "查看完整身份证号和手机号" and row[7] == str(people.zhang.pk) for row in rows
    )
    entry = last_entry("audit.export")
    assert entry.username == "auditor" and entry.detail["filters"] == {"user": "office"}


def test_the_export_writes_text_cells_never_formulas(audit_client, people):
    audit.record("=1+1", user=people.office)  # a value an attacker could plant, e.g. a username
    response = audit_client.get("/accounts/audit/export.xlsx", {"user": "office"})
    book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    planted = [
        cell for row in book.active.iter_rows(min_row=2) for cell in row if cell.value == "=1+1"
    ]
    assert planted and all(cell.data_type == "s" for cell in planted)


def test_the_verify_button_reports_an_intact_chain(audit_client, people):
    response = audit_client.post("/accounts/audit/verify/", follow=True)
    assert "校验通过" in response.content.decode()
    assert last_entry("audit.verify").result == "ok"


def test_the_verify_button_names_a_tampered_entry(audit_client, people):
    victim = audit.record("member.update", user=people.office)
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE accounts_auditentry SET username = %s WHERE seq = %s", ["someone", victim.seq]
        )
    response = audit_client.post("/accounts/audit/verify/", follow=True)
    body = response.content.decode()
    assert "校验未通过" in body and f"第 {victim.seq} 号记录" in body
    assert last_entry("audit.verify").result == "failed"
    assert AuditEntry.objects.filter(action="audit.verify").count() == 1
