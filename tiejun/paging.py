"""Pagination whose total is counted only up to a cap.

Counting every row of a 500,000-member scope costs more than the page itself: a scan of the
whole index range on every request. Up to the cap the total is exact ("共 2,400 条", which is
every branch and most committee offices); past it the total reads "10,000+" and the user narrows
the query. The count is `SELECT COUNT(*) FROM (… LIMIT cap + 1)`, so it stops at the cap.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.functional import cached_property


def count_upto(queryset: QuerySet[Any], cap: int, *, ordered: bool = False) -> int:
    """The number of rows, or cap + 1 when there are more than cap.

    `ordered` keeps the queryset's ordering in the count: for a list ordered like an index that
    also covers its filters (members by org_path, name, id), PostgreSQL then walks that index
    and stops at the cap (an index-only scan, 3 ms at 500,000 members) where it plans the
    unordered LIMIT as a sequential scan of the wide rows (20–160 ms). Not for a filter the
    index does not hold (a name search): then the ordered walk reads every row the slow way.
    """
    rows = queryset if ordered else queryset.order_by()
    return int(rows[: cap + 1].count())


class CappedPaginator(Paginator):
    def __init__(
        self, object_list: Any, per_page: int, *, cap: int | None = None, ordered: bool = False
    ) -> None:
        super().__init__(object_list, per_page)
        self.cap = cap or settings.TIEJUN_LIST_COUNT_CAP
        self.ordered = ordered

    @cached_property
    def count(self) -> int:
        return count_upto(self.object_list, self.cap, ordered=self.ordered)  # type: ignore[arg-type]

    @property
    def is_capped(self) -> bool:
        return self.count > self.cap


def page_of(
    request: HttpRequest,
    rows: QuerySet[Any],
    per_page: int,
    *,
    cap: int | None = None,
    ordered: bool = False,
) -> Page:
    """The requested page (a bad or too-large number gives the nearest page); `ordered` as in
    count_upto."""
    paginator = CappedPaginator(rows, per_page, cap=cap, ordered=ordered)
    return paginator.get_page(request.GET.get("page"))


def querystring_without_page(request: HttpRequest) -> str:
    """The current filters, ready for "?{{ this }}page=N" in the pagination links."""
    params = request.GET.copy()
    params.pop("page", None)
    encoded = params.urlencode()
    return f"{encoded}&" if encoded else ""
