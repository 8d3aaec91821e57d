"""Reading the audit trail: the audit administrator's filters and the .xlsx export."""

from __future__ import annotations

import datetime as dt
import json
import tempfile
from typing import Any

from django.db.models import QuerySet
from django.http import FileResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from tiejun.accounts.audit import action_label
from tiejun.accounts.models import AuditEntry
from tiejun.lib import xlsx

# The .xlsx format's own limit (1,048,576 rows), less the header row.
XLSX_MAX_ROWS = 1_048_575


def _day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def filtered_entries(form: Any) -> QuerySet[AuditEntry]:
    """Entries matching the filter form, newest first; an invalid form filters nothing."""
    rows = AuditEntry.objects.order_by("-seq")
    data = form.cleaned_data if form.is_valid() else {}
    if data.get("start"):
        rows = rows.filter(at__gte=_day_start(data["start"]))
    if data.get("end"):
        rows = rows.filter(at__lt=_day_start(data["end"] + dt.timedelta(days=1)))
    if data.get("user"):
        rows = rows.filter(username__icontains=data["user"])
    if data.get("action"):
        rows = rows.filter(action=data["action"])
    if data.get("result"):
        rows = rows.filter(result=data["result"])
    return rows


def _columns() -> list[str]:
    return [
        _("序号"),
        _("时间"),
        _("用户"),
        _("IP"),
        _("操作"),
        _("操作代码"),
        _("对象类型"),
        _("对象编号"),
        _("对象名称"),
        _("结果"),
        _("详情"),
        _("摘要"),
    ]


def _cells(entry: AuditEntry) -> list[str]:
    return [
        str(entry.seq),
        timezone.localtime(entry.at).strftime("%Y-%m-%d %H:%M:%S"),
        entry.username,
        entry.ip or "",
        action_label(entry.action),
        entry.action,
        entry.object_type,
        entry.object_id,
        entry.object_repr,
        entry.get_result_display(),
        json.dumps(entry.detail, ensure_ascii=False, default=str),
        entry.digest,
    ]


def xlsx_response(rows: QuerySet[AuditEntry]) -> FileResponse:
    """Stream the rows into a workbook on disk (constant memory) and send it."""
    output = tempfile.TemporaryFile()  # noqa: SIM115 (FileResponse closes it when sent)
    book = xlsx.workbook(output, constant_memory=True)
    sheet = book.add_worksheet(_("审计日志"))
    header = book.add_format({"bold": True, "bg_color": "#F2F2F2", "border": 1})
    widths = [8, 20, 14, 16, 22, 22, 18, 10, 24, 8, 50, 66]
    for col, (title, width) in enumerate(zip(_columns(), widths, strict=True)):
        sheet.set_column(col, col, width)
        sheet.write_string(0, col, title, header)
    for row_number, entry in enumerate(rows[:XLSX_MAX_ROWS].iterator(chunk_size=2000), start=1):
        for col, value in enumerate(_cells(entry)):
            sheet.write_string(row_number, col, value)
    book.close()
    output.seek(0)
    name = f"审计日志-{timezone.localtime():%Y%m%d-%H%M}.xlsx"
    return FileResponse(
        output,
        as_attachment=True,
        filename=name,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
