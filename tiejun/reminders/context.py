"""The inbox count (待办) in the top bar: one COUNT per page, none for the administrators."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from tiejun.reminders.inbox import can_have_reminders, count_for


def inbox_count(request: HttpRequest) -> dict[str, Any]:
    user = request.user
    if not can_have_reminders(user):  # type: ignore[arg-type]
        return {}
    # Lazy: a partial rendered without the top bar (htmx) does not pay for the count.
    return {"inbox_count": SimpleLazyObject(lambda: count_for(user))}  # type: ignore[arg-type]
