"""Bench-only copies of the member list page and API with the change the report proposes.

The product's member list counts every row of the user's scope for its paginator ("共 N 条"):
for the whole tree that is a scan of 500,000 index entries on every request. These copies count
at most CAP + 1 rows (a total above CAP reads "CAP+"), and a name search does not count at all
(one extra row says whether there is a next page). Everything else is the product's own code:
the same filters, queries, templates and pagination input, so the difference in the benchmark
table is the count alone.
"""

from typing import Any

from django.core.paginator import Page, Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.functional import cached_property
from ninja import NinjaAPI, Query
from ninja.pagination import paginate
from ninja.security import django_auth

from tiejun.accounts.decorators import require
from tiejun.org import api as product_api
from tiejun.org.forms import MemberFilterForm
from tiejun.org.schemas import MemberFilters, MemberOut

# The product view's private helpers, reused so the copy differs only in its paginator.
from tiejun.org.views import PAGE_SIZE, _filtered_members, _querystring_without_page

CAP = 10_000


class CappedPaginator(Paginator):
    """Counts at most CAP + 1 rows: `SELECT COUNT(*) FROM (… LIMIT CAP + 1)`."""

    @cached_property
    def count(self) -> int:
        rows: Any = self.object_list
        return int(rows[: CAP + 1].count())


class UncountedPaginator(Paginator):
    """No count: the page's rows and one more, which says whether a next page exists."""

    def get_page(self, number: Any) -> Page:
        try:
            number = max(1, int(number))
        except (TypeError, ValueError):
            number = 1
        bottom = (number - 1) * self.per_page
        queryset: Any = self.object_list
        rows = list(queryset[bottom : bottom + self.per_page + 1])
        self.__dict__["count"] = bottom + len(rows)  # "at least": enough for has_next()
        return Page(rows[: self.per_page], number, self)


@require("member.view")
def member_list(request: HttpRequest) -> HttpResponse:
    """tiejun.org.views.member_list with a capped count, and no count for a name search."""
    user: Any = request.user
    form = MemberFilterForm(request.GET or None)
    rows, org, as_of = _filtered_members(user, form)
    searching = form.is_valid() and bool(form.cleaned_data.get("q"))
    paginator = (UncountedPaginator if searching else CappedPaginator)(rows, PAGE_SIZE)
    context = {
        "form": form,
        "org": org,
        "as_of": as_of,
        "page": paginator.get_page(request.GET.get("page")),
        "querystring_no_page": _querystring_without_page(request),
        "can_manage": user.can("member.manage"),
        "can_export": user.can("member.export"),
    }
    return render(request, "org/member_list.html", context)


class CappedPagination(product_api.Pagination):
    """The API's limit/offset pagination with `count` capped at CAP + 1."""

    def _items_count(self, queryset: Any) -> int:
        return int(queryset[: CAP + 1].count())


api = NinjaAPI(
    title="bench proposals",
    version="proposal",
    urls_namespace="bench_proposal",
    auth=django_auth,
    docs_url=None,
)
# The product's list_members body, without its @paginate (functools.wraps keeps it).
_product_list_members = product_api.list_members.__wrapped__  # type: ignore[attr-defined]


@api.get("/members", response=list[MemberOut])
@paginate(CappedPagination)
def list_members(request: HttpRequest, filters: Query[MemberFilters]) -> Any:
    return _product_list_members(request, filters)
