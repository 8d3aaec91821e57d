"""Meeting documents: minutes and the sign-in sheet as .docx in the official layout (GB/T 9704:
A4, margins 37/35/28/26 mm, title 2号 小标宋, body 3号 仿宋, fixed 28 pt lines), and the yearly
ledger of an org's meetings as .xlsx.

Word picks a font for Chinese text from w:eastAsia, not from the font name python-docx sets
(w:ascii/w:hAnsi), so every run names its font on both. The font table says which fonts stand
in where the official ones are missing (宋体 for 小标宋, 仿宋 for 仿宋_GB2312) and that they are
GB2312 serif faces, so LibreOffice on a machine without them still picks a Chinese serif.
"""

from __future__ import annotations

import io
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

from django.utils import timezone
from django.utils.translation import gettext as _
from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt
from docx.text.paragraph import Paragraph

from tiejun.life.models import Attendance, Meeting
from tiejun.org.models import Org

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

TITLE_FONT = "方正小标宋简体"
BODY_FONT = "仿宋_GB2312"
HEADING_FONT = "黑体"
LATIN_FONT = "Times New Roman"
# (font, the font Word/LibreOffice should use when it is missing)
STAND_INS = {TITLE_FONT: "宋体", BODY_FONT: "仿宋", HEADING_FONT: "SimHei"}
TITLE_SIZE = Pt(22)  # 2号
BODY_SIZE = Pt(16)  # 3号
TABLE_SIZE = Pt(14)  # 4号
LINE = Pt(28)
CHINESE_NUMERALS = "一二三四五六七八九十"
# For a server that converts these documents (LibreOffice) without the official fonts.
FONTCONFIG_FILE = Path(__file__).with_name("fonts.conf")


def _set_font(run_or_style: object, name: str, size: Pt, *, bold: bool = False) -> None:
    font = run_or_style.font  # type: ignore[attr-defined]
    font.name = name
    font.size = size
    font.bold = bold
    element = run_or_style.element  # type: ignore[attr-defined]
    rpr = element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    fonts.set(qn("w:ascii"), name)
    fonts.set(qn("w:hAnsi"), name)
    fonts.set(qn("w:eastAsia"), name)
    fonts.set(qn("w:cs"), name)
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        rpr.append(lang)
    lang.set(qn("w:eastAsia"), "zh-CN")


def _declare_fonts(document: object) -> None:
    """Font-table entries: GB2312 charset, serif family and the stand-in (w:altName)."""
    from docx.opc.constants import RELATIONSHIP_TYPE as RT
    from lxml import etree

    part = document.part.part_related_by(RT.FONT_TABLE)  # type: ignore[attr-defined]
    table = etree.fromstring(part.blob)
    for name, stand_in in STAND_INS.items():
        font = etree.SubElement(table, qn("w:font"))
        font.set(qn("w:name"), name)
        for tag, value in (
            ("w:altName", stand_in),
            ("w:charset", "86"),
            ("w:family", "modern" if name == HEADING_FONT else "roman"),
            ("w:pitch", "variable"),
        ):
            etree.SubElement(font, qn(tag)).set(qn("w:val"), value)
    # A plain Part keeps its XML as bytes; python-docx writes `_blob` back on save.
    part._blob = etree.tostring(table, xml_declaration=True, encoding="UTF-8", standalone=True)


def _new_document() -> object:
    document = Document()
    section = document.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    normal = document.styles["Normal"]
    _set_font(normal, BODY_FONT, BODY_SIZE)
    fmt = normal.paragraph_format
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = LINE
    fmt.space_before = fmt.space_after = Pt(0)
    _declare_fonts(document)
    _page_number_footer(section)
    return document


def _page_number_footer(section: object) -> None:
    """GB/T 9704 page numbers: "— 1 —" in 4号 宋体 under the text."""
    paragraph = section.footer.paragraphs[0]  # type: ignore[attr-defined]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _set_font(paragraph.add_run("— "), "宋体", TABLE_SIZE)
    run = paragraph.add_run()
    _set_font(run, "宋体", TABLE_SIZE)
    for kind, text in (("begin", None), (None, "PAGE"), ("end", None)):
        if kind:
            field = OxmlElement("w:fldChar")
            field.set(qn("w:fldCharType"), kind)
            run._r.append(field)
        else:
            instr = OxmlElement("w:instrText")
            instr.text = text
            run._r.append(instr)
    _set_font(paragraph.add_run(" —"), "宋体", TABLE_SIZE)


def _title(document: object, text: str) -> None:
    paragraph = document.add_paragraph()  # type: ignore[attr-defined]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    paragraph.paragraph_format.line_spacing = Pt(36)
    _set_font(paragraph.add_run(text), TITLE_FONT, TITLE_SIZE)
    document.add_paragraph()  # type: ignore[attr-defined]


def _body(document: object, text: str, *, indent: bool = True) -> Paragraph:
    paragraph = document.add_paragraph()  # type: ignore[attr-defined]
    if indent:
        paragraph.paragraph_format.first_line_indent = Pt(32)  # two characters
    _set_font(paragraph.add_run(text), BODY_FONT, BODY_SIZE)
    return paragraph


def _heading(document: object, number: int, text: str) -> None:
    paragraph = document.add_paragraph()  # type: ignore[attr-defined]
    paragraph.paragraph_format.first_line_indent = Pt(32)
    _set_font(paragraph.add_run(f"{CHINESE_NUMERALS[number - 1]}、{text}"), HEADING_FONT, BODY_SIZE)


def _day(meeting: Meeting) -> str:
    day = meeting.held_on
    text = f"{day.year}年{day.month}月{day.day}日"
    if meeting.starts_at:
        text += f" {meeting.starts_at:%H:%M}"
        if meeting.ends_at:
            text += f"—{meeting.ends_at:%H:%M}"
    return text


def _names(rows: Iterable[Attendance], *, with_reason: bool = False) -> str:
    parts = []
    for row in rows:
        reason = f"（{row.reason}）" if with_reason and row.reason else ""
        parts.append(row.member.name + reason)
    return "、".join(parts) or _("无")


def _facts(document: object, meeting: Meeting) -> None:
    rows = list(meeting.attendances.select_related("member"))
    counted = [r for r in rows if not r.is_observer]
    by_status = {s: [r for r in counted if r.status == s] for s in Attendance.Status.values}
    lines = [
        _("时间：%s") % _day(meeting),
        _("地点：%s") % (meeting.place or "—"),
        _("主持人：%(h)s　　记录人：%(r)s")
        % {"h": meeting.host or "—", "r": meeting.recorder or "—"},
        _("应到：%(e)s人　　实到：%(p)s人") % {"e": meeting.expected, "p": meeting.present},
    ]
    if meeting.is_voting_kind:
        lines.append(
            _("有表决权的党员应到%(v)s人，实到%(vp)s人，%(q)s规定人数。")
            % {
                "v": meeting.voting,
                "vp": meeting.voting_present,
                "q": _("达到") if meeting.quorum_met() else _("未达到"),
            }
        )
    lines += [
        _("出席：%s") % _names(by_status["present"]),
        _("请假：%s") % _names(by_status["leave"], with_reason=True),
        _("缺席：%s") % _names(by_status["absent"], with_reason=True),
    ]
    observers = [r for r in rows if r.is_observer]
    if observers:
        lines.append(_("列席：%s") % _names(observers))
    if meeting.kind == Meeting.Kind.lecture and meeting.lecturer:
        lines.append(_("授课人：%s") % meeting.lecturer)
    if meeting.cycle:
        lines.append(_("本月党课主题：%s") % meeting.cycle.theme)
    for line in lines:
        _body(document, line, indent=False)


def minutes_docx(meeting: Meeting) -> bytes:
    """会议纪要: the facts, the agenda, the minutes and the decisions, signed by the recorder."""
    document = _new_document()
    _title(
        document,
        _("%(org)s%(title)s纪要") % {"org": meeting.org.name, "title": meeting.title}
        if meeting.org.name not in meeting.title
        else _("%s纪要") % meeting.title,
    )
    _facts(document, meeting)
    number = 1
    topics = list(meeting.topics.select_related("proposer", "reporting_org"))
    if topics:
        _heading(document, number, _("会议议题"))
        for index, topic in enumerate(topics, 1):
            extra = []
            if topic.kind == topic.Kind.first_topic:
                extra.append(_("第一议题"))
            elif topic.kind != topic.Kind.ordinary:
                extra.append(topic.get_kind_display())
            if topic.directive_ref:
                extra.append(_("传达：%s") % topic.directive_ref)
            if topic.reporting_org:
                extra.append(_("汇报单位：%s") % topic.reporting_org.name)
            if topic.outcome != topic.Outcome.pending:
                extra.append(_("表决结果：%s") % topic.get_outcome_display())
            suffix = f"（{'；'.join(extra)}）" if extra else ""
            _body(document, f"{index}. {topic.title}{suffix}")
        number += 1
    for heading, text in (
        (_("会议内容"), meeting.minutes),
        (_("会议决定"), meeting.decisions),
        (_("讲稿提纲"), meeting.lesson_notes),
    ):
        if text.strip():
            _heading(document, number, heading)
            for line in text.strip().splitlines():
                if line.strip():
                    _body(document, line.strip())
            number += 1
    document.add_paragraph()  # type: ignore[attr-defined]
    _body(
        document, _("记录人：%s") % (meeting.recorder or "　　　　"), indent=False
    ).alignment = WD_ALIGN_PARAGRAPH.RIGHT
    day = meeting.held_on
    _body(
        document, f"{day.year}年{day.month}月{day.day}日", indent=False
    ).alignment = WD_ALIGN_PARAGRAPH.RIGHT
    return _save(document)


def sign_sheet_docx(meeting: Meeting) -> bytes:
    """签到表: one row per person on the list, how and when they signed in."""
    document = _new_document()
    _title(document, _("%s签到表") % meeting.title)
    _body(document, _("党组织：%s") % meeting.org.name, indent=False)
    place = meeting.place or "—"
    when = _day(meeting)
    _body(document, _("时间：%(t)s　　地点：%(p)s") % {"t": when, "p": place}, indent=False)
    headers = [_("序号"), _("姓名"), _("签到方式"), _("签到时间"), _("备注")]
    rows = list(meeting.attendances.select_related("member"))
    table = document.add_table(rows=1, cols=len(headers))  # type: ignore[attr-defined]
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for cell, text in zip(table.rows[0].cells, headers, strict=True):
        _cell(cell, text, bold=True)
    for index, row in enumerate(rows, 1):
        when = timezone.localtime(row.signed_in_at).strftime("%H:%M") if row.signed_in_at else ""
        note = [_("列席")] if row.is_observer else []
        if row.status != Attendance.Status.present:
            note.append(row.get_status_display() + (f"：{row.reason}" if row.reason else ""))
        values = [
            str(index),
            row.member.name,
            row.get_via_display() if row.via else "",
            when,
            "，".join(note),
        ]
        for cell, text in zip(table.add_row().cells, values, strict=True):
            _cell(cell, text)
    _body(document, "", indent=False)
    _body(
        document,
        _("应到%(e)s人，实到%(p)s人。") % {"e": meeting.expected, "p": meeting.present},
        indent=False,
    )
    return _save(document)


def _cell(cell: object, text: str, *, bold: bool = False) -> None:
    paragraph = cell.paragraphs[0]  # type: ignore[attr-defined]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    paragraph.paragraph_format.line_spacing = Pt(22)
    _set_font(paragraph.add_run(text), BODY_FONT, TABLE_SIZE, bold=bold)


def _save(document: object) -> bytes:
    buffer = io.BytesIO()
    document.save(buffer)  # type: ignore[attr-defined]
    return buffer.getvalue()


LEDGER_HEADERS = [
    "序号",
    "党组织",
    "会议类型",
    "会议名称",
    "日期",
    "时间",
    "地点",
    "主持人",
    "记录人",
    "应到",
    "实到",
    "有表决权应到",
    "有表决权实到",
    "出席率",
    "议题",
    "状态",
]


def ledger_xlsx(*, org: Org, year: int, meetings: Iterable[Meeting]) -> bytes:
    """组织生活台账: every meeting of the year, and a count per org and kind."""
    from tiejun.lib import xlsx

    buffer = io.BytesIO()
    book = xlsx.workbook(buffer, in_memory=True)
    title = book.add_format({"bold": True, "font_size": 14, "font_name": "宋体"})
    head = book.add_format(
        {
            "bold": True,
            "bg_color": "#F2F2F2",
            "border": 1,
            "text_wrap": True,
            "font_name": "宋体",
            "valign": "vcenter",
        }
    )
    cell = book.add_format({"border": 1, "font_name": "宋体", "valign": "top", "text_wrap": True})
    day = book.add_format({"border": 1, "num_format": "yyyy-mm-dd", "font_name": "宋体"})
    share = book.add_format({"border": 1, "num_format": "0.0%", "font_name": "宋体"})
    sheet = book.add_worksheet(_("会议台账"))
    sheet.write(0, 0, _("%(org)s %(year)s年组织生活台账") % {"org": org.name, "year": year}, title)
    sheet.write_row(1, 0, [_(h) for h in LEDGER_HEADERS], head)
    counts: Counter[tuple[str, str]] = Counter()
    row_index = 1
    for row_index, meeting in enumerate(meetings, 2):
        counts[(meeting.org.name, meeting.kind)] += 1
        time = f"{meeting.starts_at:%H:%M}" if meeting.starts_at else ""
        values = [row_index - 1, meeting.org.name, meeting.get_kind_display(), meeting.title]
        sheet.write_row(row_index, 0, values, cell)
        sheet.write_datetime(row_index, 4, _midnight(meeting), day)
        sheet.write_row(
            row_index,
            5,
            [
                time,
                meeting.place,
                str(meeting.host or ""),
                str(meeting.recorder or ""),
                meeting.expected,
                meeting.present,
                meeting.voting,
                meeting.voting_present,
            ],
            cell,
        )
        if meeting.expected:
            sheet.write_number(row_index, 13, meeting.present / meeting.expected, share)
        else:
            sheet.write_blank(row_index, 13, None, share)
        topics = "；".join(t.title for t in meeting.topics.all())
        sheet.write_row(row_index, 14, [topics, meeting.get_status_display()], cell)
    sheet.set_column(0, 0, 6)
    sheet.set_column(1, 3, 22)
    sheet.set_column(4, 13, 11)
    sheet.set_column(14, 14, 40)
    sheet.freeze_panes(2, 0)
    sheet.autofilter(1, 0, max(row_index, 1), len(LEDGER_HEADERS) - 1)
    _summary(book, counts, head, cell)
    book.close()
    return buffer.getvalue()


def _midnight(meeting: Meeting) -> object:
    import datetime as dt

    return dt.datetime.combine(meeting.held_on, dt.time())


def _summary(book: object, counts: Counter[tuple[str, str]], head: object, cell: object) -> None:
    sheet = book.add_worksheet(_("分类汇总"))  # type: ignore[attr-defined]
    kinds = [k for k in Meeting.Kind if any(kind == k for _org, kind in counts)]
    sheet.write_row(0, 0, [_("党组织"), *[str(k.label) for k in kinds], _("合计")], head)
    orgs = sorted({name for name, _kind in counts})
    for index, name in enumerate(orgs, 1):
        numbers = [counts[(name, k)] for k in kinds]
        sheet.write_row(index, 0, [name, *numbers, sum(numbers)], cell)
    sheet.set_column(0, 0, 28)
    sheet.set_column(1, len(kinds) + 1, 12)
