"""GET /api/v1/reminders: the caller's open reminders, overdue first, with the same scope as
the inbox page."""

import datetime as dt
from enum import Enum

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from tiejun.accounts.models import User
from tiejun.org.api import Pagination
from tiejun.org.schemas import ERRORS
from tiejun.reminders.engine import rule_label
from tiejun.reminders.inbox import inbox_queryset
from tiejun.reminders.models import Reminder, Stage

router = Router()

StageEnum = Enum("StageEnum", {s.value: s.value for s in Stage}, type=str)  # type: ignore[misc]


class ReminderFilters(Schema):
    stage: StageEnum | None = Field(
        None, description="due_soon 即将到期 / due 临期 / overdue 已逾期"
    )


class ReminderOut(Schema):
    id: int
    rule: str
    rule_label: str
    title: str
    org_id: int
    org_name: str
    due_on: dt.date
    stage: str
    stage_label: str
    url: str = Field(description="办理页面（站内相对地址）")
    created_at: dt.datetime

    @staticmethod
    def resolve_rule_label(obj: Reminder) -> str:
        return rule_label(obj.rule)

    @staticmethod
    def resolve_org_name(obj: Reminder) -> str:
        return obj.org.name

    @staticmethod
    def resolve_stage_label(obj: Reminder) -> str:
        return str(obj.get_stage_display())


@router.get(
    "/reminders", response={200: list[ReminderOut], **ERRORS}, tags=["待办"], summary="我的待办"
)
@paginate(Pagination)
def list_reminders(request: HttpRequest, filters: Query[ReminderFilters]) -> QuerySet[Reminder]:
    user: User = request.auth  # type: ignore[attr-defined]
    if not user.can("reminder.view"):
        raise PermissionDenied
    reminders = inbox_queryset(user)
    if filters.stage is not None:
        reminders = reminders.filter(stage=filters.stage.value)
    return reminders
