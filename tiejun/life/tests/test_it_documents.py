"""Minutes and sign-in sheet as .docx in the GB/T 9704 layout; the yearly ledger as .xlsx."""

from __future__ import annotations

import datetime as dt
import io
import os
import shutil
import subprocess
from pathlib import Path

import openpyxl
import pytest
from docx import Document
from docx.oxml.ns import qn
from docx.shared import Pt

from tiejun.lib.xlsx import XLSX_TYPE
from tiejun.life import documents, services
from tiejun.life.models import Meeting
from tiejun.life.tests.helpers import make_meeting, seat
from tiejun.testing import make_member

TITLE = "大气环境处党支部2026年11月支委会纪要"


@pytest.fixture
def held(people, today):
    wang = make_member(people.branch_a, "王书记")
    seat(people.branch_a, wang, "secretary")
    seat(people.branch_a, people.zhang, "organization")
    meeting = make_meeting(
        people.branch_a,
        Meeting.Kind.committee,
        held_on=today,
        title="2026年11月支委会",
        place="二楼会议室",
        host=wang,
        recorder=wang,
        starts_at=dt.time(14, 30),
        ends_at=dt.time(16, 0),
    )
    services.add_topic(
        meeting=meeting, title="学习习近平总书记重要讲话精神", kind="first_topic", by=None
    )
    services.record_attendance(meeting=meeting, member_id=wang.pk, status="present", by=None)
    services.record_attendance(
        meeting=meeting, member_id=people.zhang.pk, status="leave", reason="出差", by=None
    )
    meeting.refresh_from_db()
    meeting.minutes = "王书记传达了重要讲话精神。\n与会委员结合工作谈了体会。"
    meeting.decisions = "按计划开展主题党日活动。"
    meeting.save()
    return meeting


def _fonts(run) -> dict[str, str]:
    fonts = run._r.rPr.find(qn("w:rFonts"))
    return {key: fonts.get(qn(f"w:{key}")) for key in ("ascii", "eastAsia")}


def test_the_minutes_follow_the_official_layout(held):
    document = Document(io.BytesIO(documents.minutes_docx(held)))
    section = document.sections[0]
    sizes = (
        section.page_width,
        section.page_height,
        section.top_margin,
        section.bottom_margin,
        section.left_margin,
        section.right_margin,
    )
    # Word stores twentieths of a point: a millimetre comes back within a hundredth of one.
    assert [round(size.mm, 1) for size in sizes if size] == [210, 297, 37, 35, 28, 26]
    title = document.paragraphs[0].runs[0]
    assert title.text == TITLE
    assert title.font.size == Pt(22)
    assert _fonts(title) == {"ascii": "方正小标宋简体", "eastAsia": "方正小标宋简体"}
    body = next(p for p in document.paragraphs if p.text.startswith("王书记传达"))
    assert body.runs[0].font.size == Pt(16)
    assert _fonts(body.runs[0]) == {"ascii": "仿宋_GB2312", "eastAsia": "仿宋_GB2312"}
    normal = document.styles["Normal"].paragraph_format
    assert normal.line_spacing == Pt(28)
    text = "\n".join(p.text for p in document.paragraphs)
    assert "请假：张海冰（出差）" in text and "出席：王书记" in text
    assert "有表决权的党员应到2人，实到1人，未达到规定人数。" in text
    assert "一、会议议题" in text and "三、会议决定" in text


def test_the_font_table_names_stand_ins(held):
    document = Document(io.BytesIO(documents.minutes_docx(held)))
    from docx.opc.constants import RELATIONSHIP_TYPE as RT

    xml = document.part.part_related_by(RT.FONT_TABLE).blob.decode()
    assert 'w:name="仿宋_GB2312"' in xml and 'w:val="仿宋"' in xml and 'w:val="86"' in xml


def test_the_sign_in_sheet_lists_everyone(held):
    document = Document(io.BytesIO(documents.sign_sheet_docx(held)))
    table = document.tables[0]
    assert [c.text for c in table.rows[0].cells] == ["序号", "姓名", "签到方式", "签到时间", "备注"]
    rows = {r.cells[1].text: [c.text for c in r.cells] for r in table.rows[1:]}
    assert rows["王书记"][2] == "记录人登记" and rows["王书记"][3]
    assert rows["张海冰"][4] == "请假：出差"


def test_the_ledger_opens_in_openpyxl(people, held):
    make_meeting(people.branch_b, held_on=held.held_on, title="乙支部党员大会")
    meetings = (
        Meeting.objects.for_org(people.root, subtree=True)
        .select_related("org", "host", "recorder")
        .order_by("org__path", "held_on")
    )
    content = documents.ledger_xlsx(org=people.root, year=held.held_on.year, meetings=meetings)
    book = openpyxl.load_workbook(io.BytesIO(content))
    sheet = book["会议台账"]
    assert sheet["A2"].value == "序号" and sheet["D3"].value == "2026年11月支委会"
    assert sheet["E3"].value.date() == held.held_on
    assert (sheet["J3"].value, sheet["K3"].value) == (2, 1)
    summary = book["分类汇总"]
    assert [c.value for c in summary[1]][:1] == ["党组织"]
    assert summary.max_row == 3


def test_the_ledger_download_is_scoped_and_audited(client, people, held):
    from tiejun.accounts.models import AuditEntry

    client.force_login(people.secretary_a)
    response = client.get(f"/meetings/ledger.xlsx?org={people.branch_a.pk}&year=2026")
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX_TYPE
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    assert book["会议台账"]["D3"].value == "2026年11月支委会"
    assert AuditEntry.objects.filter(action="meeting.ledger_export").exists()


def _soffice() -> str:
    found = shutil.which("soffice") or shutil.which("libreoffice")
    if found is None:
        if os.environ.get("CI") == "true":
            pytest.fail("LibreOffice (soffice) is not installed")
        pytest.skip("LibreOffice is not installed (apt-get install libreoffice-writer-nogui)")
    if not shutil.which("pdffonts") and os.environ.get("CI") != "true":
        pytest.skip("poppler-utils (pdffonts) is not installed")
    return found


def test_libreoffice_renders_the_minutes_with_a_chinese_font(held, tmp_path: Path):
    soffice = _soffice()
    source = tmp_path / "minutes.docx"
    source.write_bytes(documents.minutes_docx(held))
    profile = tmp_path / "profile"
    env = {**os.environ, "FONTCONFIG_FILE": str(documents.FONTCONFIG_FILE)}
    subprocess.run(
        [
            soffice,
            f"-env:UserInstallation=file://{profile}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path),
            str(source),
        ],
        check=True,
        capture_output=True,
        timeout=180,
        env=env,
    )
    pdf = tmp_path / "minutes.pdf"
    fonts = subprocess.run(
        ["pdffonts", str(pdf)], capture_output=True, text=True, check=True
    ).stdout
    assert any(name in fonts for name in ("CJK", "FangSong", "SimSun", "Song", "Fang")), fonts
    # 仿宋 and 小标宋 are serif faces: a sans-serif stand-in would be the wrong look.
    assert any(name in fonts for name in ("SerifCJK", "FangSong", "SimSun", "Song")), fonts
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert TITLE in text.replace(" ", "")
    assert "二楼会议室" in text
    keep = os.environ.get("TIEJUN_KEEP_PDF")
    if keep:  # for a person to look at the page: TIEJUN_KEEP_PDF=var/minutes
        subprocess.run(
            ["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", str(pdf), keep], check=True
        )
