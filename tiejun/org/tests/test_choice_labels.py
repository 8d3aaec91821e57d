"""Choice labels from the per-field table read as Django's own get_FOO_display would."""

from __future__ import annotations

from tiejun.accounts.models import AuditEntry
from tiejun.org.models import Member, Org


def test_labels_are_the_choices_labels_and_unknown_values_show_as_they_are():
    member = Member(category=Member.Category.probationary, status="archived", gender="")
    assert member.get_category_display() == "预备党员"
    assert member.get_status_display() == "archived"  # not a choice: shown as stored
    assert member.get_gender_display() == ""
    assert Org(kind=Org.Kind.temporary_branch).get_kind_display() == "临时党支部"
    assert AuditEntry(result=AuditEntry.Result.ok).get_result_display() == str(
        AuditEntry.Result.ok.label
    )
