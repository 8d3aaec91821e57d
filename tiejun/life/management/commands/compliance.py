"""`manage.py compliance --period 2026-Q3 [--org CODE] [--depth N]`: the compliance table of
the pages (三会一课合规), as aligned text. A period it cannot read exits with status 2."""

from __future__ import annotations

import datetime as dt
import unicodedata
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from tiejun.life import compliance
from tiejun.org.models import Org


class Command(BaseCommand):
    help = "三会一课合规表：每个党组织应开、已开、缺开的会议和完成率"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--period", required=True, help="2026-Q3、2026-07 或 2026")
        parser.add_argument("--org", help="党组织代码（默认：最上级党组织）")
        parser.add_argument("--depth", type=int, default=1, help="列出几级下级组织（默认 1）")
        parser.add_argument("--today", help="按哪一天判断是否到期（默认今天），如 2026-10-01")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            period = compliance.parse_period(options["period"])
        except compliance.PeriodError as error:
            raise CommandError(str(error), returncode=2) from None
        roots = self._roots(options.get("org"))
        today = self._today(options.get("today"))
        for root in roots:
            table = compliance.compute(
                period=period, orgs=Org.objects.subtree_of(root), today=today
            )
            focus = table.orgs[root.pk]
            rows = compliance.rows_for(table, focus, depth=max(options["depth"], 1))
            self.stdout.write(
                _("%(org)s　%(period)s三会一课合规情况")
                % {
                    "org": root.name,
                    "period": period.label,
                }
            )
            self.stdout.write(render(rows, table.kinds))
            self.stdout.write("")

    def _roots(self, code: str | None) -> list[Org]:
        if code:
            found = Org.objects.filter(code=code).first()
            if found is None:
                raise CommandError(
                    _("没有组织代码为“%(code)s”的党组织。") % {"code": code}, returncode=2
                )
            return [found]
        return list(Org.objects.filter(parent__isnull=True))

    def _today(self, text: str | None) -> dt.date | None:
        if not text:
            return None
        try:
            return dt.date.fromisoformat(text)
        except ValueError:
            raise CommandError(
                _("日期“%(text)s”无法识别，请写成 2026-10-01。") % {"text": text}, returncode=2
            ) from None


def width(text: str) -> int:
    """Columns on a terminal: a Chinese character takes two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def pad(text: str, columns: int) -> str:
    return text + " " * (columns - width(text))


def render(rows: list[compliance.Row], kinds: list[str]) -> str:
    header = [_("党组织"), *(compliance.kind_label(k) for k in kinds), _("完成率")]
    lines = [
        ["　" * row.level + row.label, *(cell.text for cell in row.cells), row.rate_text]
        for row in rows
    ]
    widths = [max(width(line[i]) for line in [header, *lines]) for i in range(len(header))]
    out = [header, ["-" * w for w in widths], *lines]
    return "\n".join(
        "  ".join(pad(c, w) for c, w in zip(line, widths, strict=True)).rstrip() for line in out
    )
