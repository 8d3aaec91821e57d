"""Roles and what each may do. One table, read by views, the API and the menu."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    system_admin = "system_admin", _("系统管理员")
    security_admin = "security_admin", _("安全管理员")
    audit_admin = "audit_admin", _("审计管理员")
    office = "office", _("党委管理员")
    secretary = "secretary", _("支部书记")
    committee_member = "committee_member", _("支部委员")
    member = "member", _("党员")


# 三员分立: the three administrator roles are separate values of one field, so a user holds at
# most one of them, and none of the three is granted any of the others' permissions below.
ADMIN_ROLES = frozenset({Role.system_admin, Role.security_admin, Role.audit_admin})
ORG_ROLES = frozenset({Role.office, Role.secretary, Role.committee_member})
# What the system administrator may give a new account; roles themselves are the security admin's.
CREATABLE_ROLES = (Role.office, Role.secretary, Role.committee_member, Role.member)

PERMISSIONS: dict[str, frozenset[str]] = {
    "org.view": frozenset({Role.office, Role.secretary, Role.committee_member, Role.member}),
    "org.manage": frozenset({Role.office}),
    "member.view": frozenset({Role.office, Role.secretary, Role.committee_member, Role.member}),
    "member.manage": frozenset({Role.office, Role.secretary}),
    "member.import": frozenset({Role.office, Role.secretary}),
    "member.export": frozenset({Role.office, Role.secretary, Role.committee_member}),
    "meeting.view": frozenset({Role.office, Role.secretary, Role.committee_member, Role.member}),
    "meeting.manage": frozenset({Role.office, Role.secretary, Role.committee_member}),
    # Talks are personal matters: a member sees only his own (TalkQuerySet.visible_to) and
    # never anyone's 必谈事由; recording both is the branch committee's and the office's work.
    "talk.view": frozenset({Role.office, Role.secretary, Role.committee_member, Role.member}),
    "talk.manage": frozenset({Role.office, Role.secretary, Role.committee_member}),
    "accounts.manage": frozenset({Role.system_admin}),
    "rules.view": frozenset({Role.system_admin, Role.security_admin}),
    # Business rules are the system administrator's, security.* rows the security one's.
    "rules.manage": frozenset({Role.system_admin}),
    "security.manage": frozenset({Role.security_admin}),
    "audit.view": frozenset({Role.audit_admin}),
    "reminder.view": frozenset({Role.office, Role.secretary, Role.committee_member, Role.member}),
}


def allows(role: str, permission: str) -> bool:
    return role in PERMISSIONS[permission]
