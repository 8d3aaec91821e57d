from __future__ import annotations

import datetime as dt
import re
from io import StringIO

import pytest
from django.contrib.auth import password_validation
from django.core.management import CommandError, call_command

from tiejun import rules
from tiejun.accounts.models import AuditEntry, User
from tiejun.accounts.roles import Role
from tiejun.lib import chinese, idcard
from tiejun.lib.dates import add_years
from tiejun.org.models import (
    Committee,
    CommitteeSeat,
    DualLife,
    Member,
    MemberChange,
    Org,
    Unit,
    path_segment,
)

PASSWORD = "Demo-Pass-2026"


@pytest.fixture(autouse=True)
def _fast_hashing(settings):
    # Six accounts are created per build; the production hasher would take seconds each time.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def demo(*args: str) -> str:
    out = StringIO()
    call_command("demo", *args, stdout=out)
    return out.getvalue()


def test_it_builds_a_department_tree_of_allowed_kinds(db):
    demo()
    assert Org.objects.count() >= 30
    root = Org.objects.get(depth=0)
    assert (root.name, root.kind) == ("中共某省生态环境厅党组", Org.Kind.party_group)
    office = Org.objects.get(parent=root, kind=Org.Kind.committee)
    assert office.name.endswith("机关党委")
    for org in Org.objects.select_related("parent"):
        org.clean()  # kind allowed under the parent's kind
        parent_path = org.parent.path if org.parent else ""
        assert org.path == parent_path + path_segment(org.pk)
    kinds = set(Org.objects.values_list("kind", flat=True))
    assert kinds == set(Org.Kind.values)
    team = Org.objects.get(kind=Org.Kind.temporary_branch)
    assert team.name == "第二轮省级生态环境保护督察第一组临时党支部"
    assert team.starts_on and team.ends_on
    assert team.starts_on < dt.date.today() < team.ends_on
    assert Org.objects.filter(name="省环境监测中心站党总支", kind=Org.Kind.general_branch).exists()
    assert Org.objects.filter(name="省环境科学研究院党委", kind=Org.Kind.committee).exists()
    assert Unit.objects.filter(kind=Unit.Kind.division).count() >= 17


def test_it_makes_believable_members_with_valid_id_numbers(db):
    demo()
    today = dt.date.today()
    members = list(Member.objects.select_related("org"))
    assert len(members) >= 400
    for member in members:
        check = idcard.validate(member.id_number())
        assert check.ok and not check.warnings, (member.name, check.errors)
        assert (check.gender, check.birth_date) == (member.gender, member.birth_date)
        assert 23 <= (today - member.birth_date).days // 365.25 <= 70
        assert member.joined_on > add_years(member.birth_date, 18)
        assert member.org_path == member.org.path
        assert member.search_text == chinese.search_key(member.name)
        if member.category == Member.Category.probationary:
            assert member.full_on is None and (today - member.joined_on).days < 366
        member.full_clean(
            exclude=["id_cipher", "id_digest", "id_masked", "search_text", "org_path"]
        )
    retirees = [m for m in members if m.org.name.startswith("离退休")]
    assert retirees and all((today - m.birth_date).days // 365.25 >= 55 for m in retirees)
    assert 5 <= sum(m.category == Member.Category.probationary for m in members) <= 40
    assert {"处长", "副处长", "科员", "工程师", "一级主任科员"} <= {m.post for m in members}


def test_it_gives_some_members_a_history_chain_like_edits_do(db):
    demo()
    rows: dict[int, list[MemberChange]] = {}
    for change in MemberChange.objects.order_by("member_id", "effective_on", "id"):
        rows.setdefault(change.member_id, []).append(change)
    assert len(rows) == Member.objects.count()
    for chain in rows.values():
        assert chain[0].kind == MemberChange.Kind.created
        assert [c.valid_to for c in chain[:-1]] == [c.effective_on for c in chain[1:]]
        assert chain[-1].valid_to is None
        assert chain[-1].state == chain[-1].member.snapshot()
    histories = [chain for chain in rows.values() if len(chain) > 1]
    assert len(histories) >= 10
    kinds = {change.kind for chain in histories for change in chain}
    assert {MemberChange.Kind.moved, MemberChange.Kind.updated} <= kinds
    was_probationary = [c for chain in histories for c in chain[:1] if c.category == "probationary"]
    assert was_probationary and all(chain[-1].category == "full" for chain in histories)


def test_it_elects_committees_where_branches_have_enough_full_members(db):
    demo()
    today = dt.date.today()
    threshold = rules.get("org.branch.committee_from_full_members")
    committees = list(Committee.objects.select_related("org"))
    assert len(committees) >= 20
    for committee in committees:
        seats = list(committee.seats.select_related("member"))
        assert [s.position for s in seats].count(CommitteeSeat.Position.secretary) == 1
        assert 3 <= len(seats) <= 5
        assert committee.term_years == rules.get("org.term_years")[committee.org.kind]
        assert all(seat.member.category == Member.Category.full for seat in seats)
        if committee.org.kind == Org.Kind.branch:
            full = committee.org.members.filter(category=Member.Category.full).count()
            assert full >= threshold
            assert all(seat.member.org_id == committee.org_id for seat in seats)
    due_soon = [c for c in committees if today < c.expires_on <= today + dt.timedelta(days=183)]
    assert due_soon, "some terms should end within months"
    assert DualLife.objects.filter(member__post__contains="厅长").count() >= 2


def test_it_creates_the_six_accounts_with_their_scopes(db, monkeypatch):
    monkeypatch.setenv("TIEJUN_DEMO_PASSWORD", PASSWORD)
    output = demo()
    assert PASSWORD not in output
    users = {user.username: user for user in User.objects.select_related("org", "member__org")}
    assert set(users) == {"admin", "security", "auditor", "office", "secretary", "member"}
    assert users["admin"].role == Role.system_admin
    assert users["security"].role == Role.security_admin
    assert users["auditor"].role == Role.audit_admin
    assert all(users[name].org is None for name in ("admin", "security", "auditor"))
    office = users["office"]
    assert office.org and office.org.depth == 0
    assert office.role == Role.office and office.may_reveal_personal_data
    secretary = users["secretary"]
    assert secretary.org and secretary.member
    assert (secretary.role, secretary.org.name) == (Role.secretary, "大气环境处党支部")
    seat = CommitteeSeat.objects.get(member=secretary.member, committee__ended_on__isnull=True)
    assert (seat.position, seat.committee.org) == (CommitteeSeat.Position.secretary, secretary.org)
    record = users["member"].member
    assert users["member"].role == Role.member and record and record.org == secretary.org
    assert not record.seats.exists()
    assert record.changes.count() == 4  # joined, 转正, moved in, promoted
    assert not any(user.must_change_password for user in users.values())


def test_it_honours_the_demo_password_and_the_accounts_can_log_in(db, client, monkeypatch):
    monkeypatch.setenv("TIEJUN_DEMO_PASSWORD", PASSWORD)
    demo()
    for username in ("admin", "security", "auditor", "office", "secretary", "member"):
        response = client.post("/accounts/login/", {"username": username, "password": PASSWORD})
        assert response.status_code == 302, username
        assert client.get("/").status_code == 200
        client.post("/accounts/logout/")
    client.post("/accounts/login/", {"username": "office", "password": PASSWORD})
    assert "中共某省生态环境厅党组" in client.get("/org/").content.decode()


def test_it_prints_random_passwords_that_pass_the_password_rules(db):
    output = demo()
    found = dict(re.findall(r"^  (\w+) +(\S+)   \(", output, flags=re.MULTILINE))
    assert len(found) == 6 and len(set(found.values())) == 6
    for username, password in found.items():
        user = User.objects.get(username=username)
        assert user.check_password(password)
        password_validation.validate_password(password, User(username=username))
    assert "http://127.0.0.1:" in output


def test_it_does_nothing_the_second_time_with_if_empty(db):
    demo("--if-empty")
    counts = (Org.objects.count(), Member.objects.count(), User.objects.count())
    output = demo("--if-empty")
    assert (Org.objects.count(), Member.objects.count(), User.objects.count()) == counts
    assert "admin、security、auditor、office、secretary、member" in output
    assert "--reset-passwords" in output
    with pytest.raises(CommandError):
        demo()


def test_it_resets_the_demo_passwords(db):
    demo()
    old = User.objects.get(username="member").password
    output = demo("--reset-passwords")
    found = dict(re.findall(r"^  (\w+) +(\S+)   \(", output, flags=re.MULTILINE))
    assert len(found) == 6
    member = User.objects.get(username="member")
    assert member.password != old and member.check_password(found["member"])
    assert AuditEntry.objects.filter(action="demo.reset_passwords").exists()


def test_it_builds_bureau_trees_for_a_larger_member_count(db):
    demo("--members", "2000")
    assert 180 <= Org.objects.count() <= 230
    assert Member.objects.count() == 2000
    assert MemberChange.objects.filter(valid_to__isnull=True).count() == 2000
    assert Unit.objects.filter(kind=Unit.Kind.local).exists()
    biggest = max(org.members.count() for org in Org.objects.filter(kind=Org.Kind.branch))
    assert biggest <= rules.get("org.branch.max_members")
    local = Org.objects.filter(name__endswith="生态环境局委员会", kind=Org.Kind.committee).first()
    assert local is not None and Member.objects.in_subtree(local).count() > 100
    assert AuditEntry.objects.filter(action="demo.build", detail__members=2000).exists()


def test_the_department_demo_has_a_year_of_meetings_talks_and_open_reminders(db):
    from tiejun.life.models import Meeting, Talk
    from tiejun.reminders.models import Reminder

    demo()
    assert Meeting.objects.count() > 500
    assert Talk.objects.count() > 100
    assert Reminder.objects.filter(resolved_at__isnull=True).exists()
