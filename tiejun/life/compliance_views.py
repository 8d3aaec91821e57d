"""Pages of 三会一课合规: the table of an org and the orgs below it for a period (drill down by
clicking), its .xlsx export, and the calendar of one org (month × kind of meeting)."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any
from urllib.parse import quote

from django.conf import settings
from django.contrib import messages
from django.core.cache import cache
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from tiejun.accounts.decorators import current_user, rate_limited, require
from tiejun.accounts.models import User
from tiejun.lib.xlsx import XLSX_TYPE
from tiejun.life import compliance
from tiejun.life.compliance import ComplianceTable, Row, Slot
from tiejun.org.access import get_org_for_user, scope_root
from tiejun.org.models import Org

# A committee office with 60 branches sees them on one page; a ministry pages through.
PAGE_SIZE = 100


def _period(request: HttpRequest, default: Slot) -> Slot:
    text = request.GET.get("period", "").strip()
    if not text:
        return default
    try:
        return compliance.parse_period(text)
    except compliance.PeriodError as error:
        messages.error(request, str(error))
        return default


def _focus(request: HttpRequest, user: User) -> Org:
    """The org asked for (404 outside the user's scope), else the top of the scope."""
    return get_org_for_user(user, request.GET.get("org") or getattr(scope_root(user), "pk", ""))


def _table(user: User, org: Org, period: Slot) -> ComplianceTable:
    return compliance.compute(period=period, orgs=Org.objects.visible_to(user).subtree_of(org))


@require("meeting.view")
def compliance_table(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    org = _focus(request, user)
    period = _period(request, compliance.current_quarter())
    table = _table(user, org, period)
    focus = table.orgs[org.pk]
    kinds = table.kinds
    page = Paginator(compliance.children(table, focus), PAGE_SIZE).get_page(request.GET.get("page"))
    child_rows = [compliance.subtree_row(table, child, kinds, 1) for child in page.object_list]
    context = {
        "org": org,
        "period": period,
        "periods": _period_choices(period),
        "prev_code": compliance.previous(period).code,
        "next_code": compliance.slot_of(period.per, period.end + dt.timedelta(days=1)).code,
        "kinds": [compliance.kind_label(k) for k in kinds],
        "own": compliance.own_row(table, focus, kinds),
        "rows": child_rows,
        "total": compliance.total_row(table, focus, kinds),
        "page": page,
        "querystring_no_page": f"period={period.code}&org={org.pk}&",
        "ancestors": Org.objects.visible_to(user)
        .filter(pk__in=org.ancestors().values("pk"))
        .order_by("depth"),
        "chart": _chart(child_rows),
    }
    return render(request, "life/compliance.html", context)


def _chart(rows: list[Row]) -> dict[str, Any]:
    """各支部三会一课完成率: one bar per org on the page that has something due."""
    shown = [row for row in rows if row.totals.rate is not None]
    return {
        "title": _("各支部三会一课完成率"),
        "names": [row.org.name for row in shown],
        "rates": [float(row.totals.rate or 0) for row in shown],
    }


@require("meeting.view")
def compliance_summary(request: HttpRequest) -> HttpResponse:
    """The home page's panel, loaded after the page: this quarter of the user's whole scope."""
    user = current_user(request)
    org = scope_root(user)
    if org is None or user.is_member_only:
        return HttpResponse("")
    period = compliance.current_quarter()
    context = {"org": org, "period": period, "summary": _summary(user, org, period)}
    return render(request, "life/partials/compliance_summary.html", context)


def _summary(user: User, org: Org, period: Slot) -> dict[str, Any]:
    """The total row of the table as plain data, computed once per subtree and quarter in the
    home numbers' cache time: over a ministry's 50,000 orgs it takes seconds (bench/)."""
    key = f"home:compliance:v1:{org.path}:{period.code}"
    summary: dict[str, Any] | None = cache.get(key)
    if summary is None:
        table = _table(user, org, period)
        total = compliance.total_row(table, table.orgs[org.pk], table.kinds)
        kinds = [
            {"label": compliance.kind_label(kind), "word": cell.word, "tag": cell.tag,
             "held": cell.held, "expected": cell.expected,
             "percent": min(100, round(100 * cell.held / cell.expected))}
            for kind, cell in zip(table.kinds, total.cells, strict=True)
            if cell.expected
        ]  # fmt: skip
        summary = {"rate": total.rate_text, "kinds": kinds}
        cache.set(key, summary, settings.TIEJUN_HOME_NUMBERS_SECONDS)
    return summary


def _period_choices(period: Slot) -> list[tuple[str, str]]:
    """The quarters and months of the period's year, and the year, for the select."""
    year = period.start.year
    slots = [compliance.year_slot(year)]
    slots += [compliance.quarter_slot(year, q) for q in range(1, 5)]
    slots += [compliance.month_slot(year, m) for m in range(1, 13)]
    return [(slot.code, slot.label) for slot in slots]


@require("meeting.view")
@rate_limited("export")
def compliance_export(request: HttpRequest) -> HttpResponse:
    """The table as shown, every org below (not only the page) in one sheet."""
    user = current_user(request)
    org = _focus(request, user)
    period = _period(request, compliance.current_quarter())
    table = _table(user, org, period)
    rows = compliance.rows_for(table, table.orgs[org.pk], depth=1)
    title = _("%(org)s%(period)s三会一课合规情况") % {"org": org.name, "period": period.label}
    content = table_xlsx(title, [compliance.kind_label(k) for k in table.kinds], rows)
    response = HttpResponse(content, content_type=XLSX_TYPE)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(title)}.xlsx"
    return response


def table_xlsx(title: str, kinds: list[str], rows: list[Row]) -> bytes:
    from tiejun.lib import xlsx

    buffer = io.BytesIO()
    book = xlsx.workbook(buffer, in_memory=True)
    sheet = book.add_worksheet(_("合规情况"))
    bold = book.add_format({"bold": True})
    head = book.add_format({"bold": True, "bg_color": "#F7F8FA", "border": 1})
    cell = book.add_format({"border": 1})
    sheet.write(0, 0, title, bold)
    header = [_("党组织"), _("类别"), *kinds, _("完成率")]
    sheet.write_row(2, 0, header, head)
    for n, row in enumerate(rows, start=3):
        values = [
            "　" * row.level + row.label,
            row.org.kind_label,
            *(c.text for c in row.cells),
            row.rate_text,
        ]
        sheet.write_row(n, 0, values, cell)
    sheet.set_column(0, 0, 36)
    sheet.set_column(1, len(header) - 1, 14)
    sheet.freeze_panes(3, 1)
    book.close()
    return buffer.getvalue()


@require("meeting.view")
def compliance_calendar(request: HttpRequest) -> HttpResponse:
    """One org's year (or quarter): months down, kinds of meeting across, the dates held."""
    user = current_user(request)
    org = _focus(request, user)
    period = _period(request, compliance.year_slot(timezone.localdate().year))
    if period.per == "month":
        period = compliance.slot_of("quarter", period.start)
    table = compliance.compute(period=period, orgs=Org.objects.visible_to(user).filter(pk=org.pk))
    result = table.orgs[org.pk]
    kinds = table.kinds
    context = {
        "org": org,
        "result": result,
        "period": period,
        "periods": [c for c in _period_choices(period) if "-" not in c[0] or "Q" in c[0]],
        "kinds": [compliance.kind_label(k) for k in kinds],
        "grid": _grid(result, kinds, period),
        "longer": [i for i in result.items if i.slot.per != "month"],
        "labels": compliance.STATUS_LABELS,
        "tags": compliance.STATUS_TAGS,
        "totals": result.totals(),
    }
    return render(request, "life/compliance_calendar.html", context)


def _grid(result: compliance.OrgResult, kinds: list[str], period: Slot) -> list[dict[str, Any]]:
    """Rows of months; each cell the dates held that month and, for a monthly obligation, its
    status word and tag."""
    months: list[dict[str, Any]] = []
    day = period.start
    while day <= period.end:
        month = compliance.month_slot(day.year, day.month)
        cells = []
        for kind in kinds:
            dates: list[dt.date] = []
            status = None
            for item in result.items:
                if item.kind != kind:
                    continue
                dates += [d for d in item.dates if month.contains(d)]
                if item.slot == month:
                    status = item.status
            cells.append(
                {
                    "dates": sorted(set(dates)),
                    "word": compliance.STATUS_LABELS[status] if status else "",
                    "tag": compliance.STATUS_TAGS[status] if status else "",
                }
            )
        months.append({"label": _("%(m)s月") % {"m": month.start.month}, "cells": cells})
        day = month.end + dt.timedelta(days=1)
    return months
