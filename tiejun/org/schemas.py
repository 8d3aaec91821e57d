"""JSON shapes of the org and member API: what goes in, what comes out, what an error looks like.

Input schemas carry types only; the rules (lengths, ID-card checks, tree rules) stay in
MemberForm, OrgForm and the models, which the API runs exactly as the pages do.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from ninja import Field, Schema

from tiejun.openapi import inline_choices
from tiejun.org.models import Member, Org

# Enum field types with their schema inline (tiejun/openapi.py says why).
OrgKind = Annotated[Org.Kind, inline_choices(Org.Kind)]
MemberGender = Annotated[Member.Gender, inline_choices(Member.Gender)]
MemberCategory = Annotated[Member.Category, inline_choices(Member.Category)]
MemberStatus = Annotated[Member.Status, inline_choices(Member.Status)]

# Ids beyond 64 bits make SQLite raise OverflowError in a foreign-key filter: refuse them early.
Id = Annotated[int, Field(ge=1, le=2**63 - 1)]
# Year arithmetic in Member.clean() (age at joining) overflows near year 9999; no Party record
# predates 1900 or lies past 2100, so the API accepts that window only.
Day = Annotated[dt.date, Field(ge=dt.date(1900, 1, 1), le=dt.date(2100, 12, 31))]


class ErrorOut(Schema):
    detail: str = Field(..., description="中文说明")


class FieldErrorOut(Schema):
    field: str | None = Field(..., description="出错的字段；null 表示不属于某一字段的错误")
    message: str = Field(..., description="中文说明")


class ValidationErrorOut(Schema):
    detail: list[FieldErrorOut]


ERRORS: dict[int, type[Schema]] = {
    401: ErrorOut,
    403: ErrorOut,
    404: ErrorOut,
    422: ValidationErrorOut,
    429: ErrorOut,
}
WRITE_ERRORS: dict[int, type[Schema]] = {**ERRORS, 400: ErrorOut, 409: ErrorOut}


class OrgOut(Schema):
    id: int
    code: str
    name: str
    kind: OrgKind
    kind_display: str
    parent_id: int | None
    unit_id: int | None
    unit_name: str | None
    depth: int
    sort_order: int
    starts_on: dt.date | None
    ends_on: dt.date | None
    version: int = Field(..., description="修改时原样带回，用于发现他人已修改")

    @staticmethod
    def resolve_kind_display(obj: Org) -> str:
        return str(obj.get_kind_display())

    @staticmethod
    def resolve_unit_name(obj: Org) -> str | None:
        return obj.unit.name if obj.unit else None


class OrgIn(Schema):
    code: str
    name: str
    kind: OrgKind
    parent_id: Id | None = None
    unit_id: Id | None = None
    sort_order: int = 0
    starts_on: Day | None = None
    ends_on: Day | None = None


class OrgUpdate(OrgIn):
    version: int = Field(..., description="读取时的 version；已被他人修改则返回 409")


class OrgFilters(Schema):
    parent: Id | None = Field(None, description="只列该组织的直接下级")
    kind: OrgKind | None = None
    q: str | None = Field(None, max_length=100, description="名称或代码")


class MemberOut(Schema):
    id: int
    name: str
    gender: MemberGender
    ethnicity: str
    birth_date: dt.date
    id_masked: str = Field(..., description="身份证号（脱敏）；完整号码不经接口提供")
    education: str
    joined_on: dt.date
    full_on: dt.date | None
    category: MemberCategory
    category_display: str
    org_id: int
    org_name: str
    post: str
    phone_masked: str = Field(..., description="手机号码（脱敏）")
    status: MemberStatus
    status_display: str
    version: int = Field(..., description="修改时原样带回，用于发现他人已修改")

    @staticmethod
    def resolve_category_display(obj: Member) -> str:
        return str(obj.get_category_display())

    @staticmethod
    def resolve_status_display(obj: Member) -> str:
        return str(obj.get_status_display())

    @staticmethod
    def resolve_org_name(obj: Member) -> str:
        return obj.org.name


class MemberIn(Schema):
    name: str
    gender: MemberGender | None = Field(None, description="留空则取身份证号中的性别")
    ethnicity: str = "汉族"
    birth_date: Day | None = Field(None, description="留空则取身份证号中的出生日期")
    id_number: str = Field(..., description="完整身份证号（加密保存，仅返回脱敏形式）")
    education: str = Field(
        "", description="博士研究生、硕士研究生、大学本科、大学专科、中等专科、高中、初中及以下"
    )
    joined_on: Day
    full_on: Day | None = None
    category: MemberCategory
    org_id: Id
    post: str = ""
    phone: str = ""


class MemberUpdate(MemberIn):
    id_number: str | None = Field(None, description="不修改请省略")  # type: ignore[assignment]
    status: MemberStatus
    version: int = Field(..., description="读取时的 version；已被他人修改则返回 409")
    effective_on: Day | None = Field(None, description="变更自哪一天起生效，留空为今天")
    reason: str = Field("", description="变更原因")


class MemberFilters(Schema):
    org: Id | None = Field(None, description="党组织 id（须在管理范围内）")
    subtree: bool = Field(True, description="含下级组织")
    category: MemberCategory | None = None
    status: MemberStatus | None = None
    q: str | None = Field(None, max_length=100, description="姓名、拼音首字母或繁体")
