from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme

from tiejun.accounts.decorators import current_user, require
from tiejun.paging import page_of
from tiejun.reminders.inbox import get_reminder_for_user, inbox_queryset
from tiejun.reminders.models import Stage

PAGE_SIZE = 20


@require("reminder.view")
def inbox(request: HttpRequest) -> HttpResponse:
    """All my open reminders, overdue first, filtered by stage; the same URL serves htmx."""
    reminders = inbox_queryset(current_user(request))
    stage = request.GET.get("stage", "")
    if stage in Stage.values:
        reminders = reminders.filter(stage=stage)
    else:
        stage = ""
    page = page_of(request, reminders, PAGE_SIZE)
    context = {
        "page": page,
        "stage": stage,
        "stages": [(s.value, s.label) for s in (Stage.overdue, Stage.due, Stage.due_soon)],
        "querystring_no_page": f"stage={stage}&" if stage else "",
    }
    template = (
        "reminders/partials/inbox_table.html"
        if request.headers.get("HX-Request")
        else "reminders/inbox.html"
    )
    return render(request, template, context)


@require("reminder.view")
def open_reminder(request: HttpRequest, pk: int) -> HttpResponse:
    """Follow a reminder to its object. Opening changes nothing: an item leaves the inbox when
    its condition is resolved, not when it is read."""
    reminder = get_reminder_for_user(current_user(request), pk)
    # The stored link is ours, but check it anyway: an open redirect would be a phishing aid.
    if not url_has_allowed_host_and_scheme(reminder.url, allowed_hosts=None):
        return redirect("reminders:inbox")
    return redirect(reminder.url)
