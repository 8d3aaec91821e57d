"""Named people and small builders shared by the test suite, the demo and the benchmarks."""

from __future__ import annotations

import datetime as dt
import itertools
import zipfile
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from django.contrib.auth.hashers import make_password

from tiejun.accounts.models import User
from tiejun.accounts.roles import Role
from tiejun.lib.idcard import check_digit
from tiejun.org import services
from tiejun.org.models import Member, Org, Unit

PASSWORD = "Tiejun-Test-2026!"
_serial = itertools.count(1)


def make_id_number(birth: dt.date, serial: int, female: bool = False, area: str = "330106") -> str:
    """A checksum-valid generated number (never a real person's): area, birth date, serial."""
    order = (serial % 499) * 2 + (0 if female else 1)
    first17 = f"{area}{birth:%Y%m%d}{order:03d}"
    return first17 + check_digit(first17)


def make_org(
    name: str, kind: str, parent: Org | None = None, code: str | None = None, **fields: Any
) -> Org:
    org = Org(name=name, kind=kind, parent=parent, code=code or f"T{next(_serial):06d}", **fields)
    return services.create_org(org=org, by=None)


def make_member(
    org: Org,
    name: str = "张海冰",
    *,
    birth: dt.date = dt.date(1985, 3, 14),
    female: bool = False,
    category: str = Member.Category.full,
    joined_on: dt.date = dt.date(2010, 7, 1),
    effective_on: dt.date | None = None,
    **fields: Any,
) -> Member:
    serial = next(_serial)
    data = services.MemberData(
        name=name,
        gender="female" if female else "male",
        ethnicity=fields.pop("ethnicity", "汉族"),
        birth_date=birth,
        id_number=fields.pop("id_number", make_id_number(birth, serial, female)),
        education=fields.pop("education", "大学本科"),
        joined_on=joined_on,
        full_on=fields.pop(
            "full_on",
            None
            if category == Member.Category.probationary
            else joined_on.replace(year=joined_on.year + 1),
        ),
        category=category,
        org=org,
        post=fields.pop("post", "科员"),
        phone=fields.pop("phone", f"138{serial:08d}"),
        status=fields.pop("status", Member.Status.active),
    )
    return services.create_member(data=data, by=None, effective_on=effective_on or joined_on)


@cache
def _password_hash() -> str:
    # PBKDF2 is slow on purpose; hashing the shared test password once keeps fixtures fast.
    return make_password(PASSWORD)


def make_user(
    username: str, role: str, org: Org | None = None, member: Member | None = None, **fields: Any
) -> User:
    return User.objects.create(
        username=username,
        password=_password_hash(),
        role=role,
        org=org,
        member=member,
        must_change_password=False,
        **fields,
    )


@dataclass
class People:
    """The cast of every test: a committee office, two branches, and the three administrators."""

    root: Org
    branch_a: Org
    branch_b: Org
    group_a: Org
    office: User
    secretary_a: User
    member_a: User
    member_b: User
    sysadmin: User
    secadmin: User
    auditor: User
    zhang: Member  # 张海冰, member of branch A with an account
    li: Member  # 李文, member of branch B with an account


def build_people() -> People:
    unit = Unit.objects.create(code="U-ROOT", name="省生态环境厅", kind=Unit.Kind.department)
    root = make_org("机关党委", Org.Kind.committee, code="ROOT", unit=unit)
    branch_a = make_org("大气环境处党支部", Org.Kind.branch, root, code="A")
    branch_b = make_org("水生态环境处党支部", Org.Kind.branch, root, code="B")
    group_a = make_org("大气环境处第一党小组", Org.Kind.group, branch_a, code="A1")
    zhang = make_member(branch_a, "张海冰")
    li = make_member(branch_b, "李文", female=True, birth=dt.date(1990, 6, 2))
    return People(
        root=root,
        branch_a=branch_a,
        branch_b=branch_b,
        group_a=group_a,
        office=make_user("office", Role.office, root, may_reveal_personal_data=True),
        secretary_a=make_user("secretary", Role.secretary, branch_a),
        member_a=make_user("member", Role.member, member=zhang),
        member_b=make_user("member_b", Role.member, member=li),
        sysadmin=make_user("admin", Role.system_admin),
        secadmin=make_user("security", Role.security_admin),
        auditor=make_user("auditor", Role.audit_admin),
        zhang=zhang,
        li=li,
    )


def override_rule(key: str, value: Any, *, source: str = "本单位规定") -> None:
    """A deployment's own value for a rules-table row, in force since 2020, seen at once."""
    from tiejun import rules
    from tiejun.rules.models import RuleOverride

    RuleOverride.objects.create(
        key=key, value=value, source=source, effective_from=dt.date(2020, 1, 1)
    )
    rules.invalidate()


def rewrite_part(source: Path, target: Path, part: str, old: bytes, new: bytes) -> Path:
    """A copy of the workbook `source` with `old` replaced in one part: the files a program
    other than ours writes (a WPS dimension, a lying row number, every sheet hidden)."""
    with zipfile.ZipFile(source) as original, zipfile.ZipFile(target, "w") as copy:
        for item in original.infolist():
            data = original.read(item.filename)
            if item.filename == part:
                assert old in data, f"{old!r} is not in {part}"
                data = data.replace(old, new)
            copy.writestr(item, data)
    return target
