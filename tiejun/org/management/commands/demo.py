"""`manage.py demo`: a believable provincial department to click through, or a big tree to measure.

The default builds 某省生态环境厅: its 党组, the 机关党委, a branch per 处室 and per 直属单位, a
temporary branch of an inspection team, about 460 members with a few years of history,
committees with seats, and six accounts, one per kind of user. `--members N` adds city and
county bureaus until there are about N/10 orgs and N members (500,000 for the benchmarks).

Orgs and members are written in bulk with explicit primary keys, so every path is known before
the insert and a member's first history row needs no read-back; the few members with a longer
history then go through `services.update_member`, the same path an edit takes.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import random
import secrets
import string
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.core.management.color import no_style
from django.db import connection, transaction
from django.db.models import Max

from tiejun import rules
from tiejun.accounts import audit
from tiejun.accounts.models import User
from tiejun.accounts.roles import Role
from tiejun.bulk_sql import insert_rows
from tiejun.lib import chinese
from tiejun.lib.dates import add_years
from tiejun.org import services
from tiejun.org.demo_data import (
    DIVISIONS,
    INSPECTION_TEAM,
    LEADERS,
    Person,
    PersonFactory,
)
from tiejun.org.demo_tree import Tree, build_locals, build_province
from tiejun.org.models import (
    Committee,
    CommitteeSeat,
    DualLife,
    Member,
    MemberChange,
    Org,
    Unit,
)

USERNAMES = ("admin", "security", "auditor", "office", "secretary", "member")
SECRETARY_BRANCH = "大气环境处党支部"
# The branch whose history-rich member becomes the `member` account's record.
MEMBER_FORMER_BRANCH = "水生态环境处党支部"
BATCH = 5000
Log = Callable[[str], None]


@dataclass
class Story:
    """A member whose record changed over time.

    Each stage is (day, fields as they were before that day, reason for the change): the
    record is created in the state before all stages and updated once per stage.
    """

    person: Person
    org: Org
    stages: list[tuple[dt.date, dict[str, Any], str]] = field(default_factory=list)

    def state_at(self, stage: int) -> dict[str, Any]:
        """The changeable fields after `stage` changes (0 = when the record was created)."""
        fields = {name: getattr(self.person, name) for name in ("category", "full_on", "post")}
        fields["org"] = self.org
        for _day, before, _reason in reversed(self.stages[stage:]):
            fields.update(before)  # the earliest stage says what the field was first
        return fields


PROBATION_ENDED = "预备期满，经支部大会讨论、上级党委批准转为正式党员"
MOVED_IN = "工作调动，组织关系转入"
PROMOTED = "职务职级晋升"
CIVIL_POSTS = [post.title for post in DIVISIONS[0].ladder.staff]


def plan_stories(
    people: list[tuple[Org, Person]], tree: Tree, rng: random.Random, today: dt.date
) -> dict[int, Story]:
    """A few members with history: 转正, moves between branches, promotions, and one with all."""
    divisions = [holder.org for holder in tree.holders if holder.org.name.endswith("处党支部")]
    staff = [
        i
        for i, (org, person) in enumerate(people)
        if org in divisions and person.rank == 2 and person.category == "full"
    ]
    stories: dict[int, Story] = {}
    secretary_branch = tree.by_name[SECRETARY_BRANCH]
    own = next(
        i
        for i in staff
        if people[i][0] == secretary_branch and people[i][1].birth_date <= add_years(today, -27)
    )
    stories[own] = _full_story(
        people[own][1], secretary_branch, tree.by_name[MEMBER_FORMER_BRANCH], today
    )
    promotable = [i for i in staff if people[i][1].post in CIVIL_POSTS[:-1] and i != own]
    for index in rng.sample(promotable, 5):
        org, person = people[index]
        former_post = CIVIL_POSTS[CIVIL_POSTS.index(person.post) + 1]
        stories[index] = Story(
            person, org, [(_recent_day(rng, person, today), {"post": former_post}, PROMOTED)]
        )
    for number, index in enumerate(rng.sample([i for i in staff if i not in stories], 12)):
        org, person = people[index]
        if number < 6:
            person.joined_on = today - dt.timedelta(days=rng.randint(400, 4 * 365))
            person.full_on = add_years(person.joined_on, 1)
            before: dict[str, Any] = {"category": "probationary", "full_on": None}
            stories[index] = Story(person, org, [(person.full_on, before, PROBATION_ENDED)])
        else:
            former_org = rng.choice([other for other in divisions if other != org])
            stories[index] = Story(
                person, org, [(_recent_day(rng, person, today), {"org": former_org}, MOVED_IN)]
            )
    return stories


def _recent_day(rng: random.Random, person: Person, today: dt.date) -> dt.date:
    """A day in the last three years, after the member joined and before last month."""
    first = max(person.joined_on + dt.timedelta(days=1), today - dt.timedelta(days=3 * 365))
    last = today - dt.timedelta(days=30)
    return first + dt.timedelta(days=rng.randint(0, max(0, (last - first).days)))


def _full_story(person: Person, branch: Org, former: Org, today: dt.date) -> Story:
    """Joined in `former`, became a full member, moved to `branch`, then was promoted."""
    person.joined_on = today - dt.timedelta(days=3 * 365 + 40)
    person.full_on = add_years(person.joined_on, 1)
    person.post = "四级主任科员"
    return Story(
        person,
        branch,
        [
            (person.full_on, {"category": "probationary", "full_on": None}, PROBATION_ENDED),
            (today - dt.timedelta(days=400), {"org": former}, MOVED_IN),
            (today - dt.timedelta(days=120), {"post": "一级科员"}, PROMOTED),
        ],
    )


class SearchKeys:
    """`chinese.search_key` for hundreds of thousands of generated names, in a fraction of the time.

    Pinyin is the slow part of a member row (~0.2 ms a name) and most generated names are
    distinct, so the key is composed from the cached keys of the surname and the given name.
    That is exact whenever no pinyin phrase starts with the surname and the first given
    character (pypinyin's segmenter then cuts the surname off on its own); other names, and
    names that script folding would change, take the full path.
    """

    def __init__(self) -> None:
        from pypinyin.constants import PHRASES_DICT

        self._spanning = {phrase[:2] for phrase in PHRASES_DICT if len(phrase) > 1}

    def __call__(self, name: str) -> str:
        if len(name) < 2 or name[:2] in self._spanning:
            return chinese.search_key(name)
        surname, given = _name_part(name[0]), _name_part(name[1:])
        if surname is None or given is None:
            return chinese.search_key(name)
        return f"{name} {surname[0]}{given[0]} {surname[1]}{given[1]}"


@cache
def _name_part(text: str) -> tuple[str, str] | None:
    """(initials, full pinyin) of part of a name; None if folding would change the text."""
    if chinese.fold_name(text) != text:
        return None
    return chinese.pinyin_initials(text).lower(), chinese.pinyin_full(text).lower()


def created_changes(state: dict[str, Any]) -> dict[str, list[Any]]:
    """The `changes` of a record's first history row: every field from nothing to its value."""
    return {name: [None, value] for name, value in state.items() if value is not None}


class MemberWriter:
    """Members and their first history row, written in batches with explicit primary keys."""

    def __init__(self, log: Log, total: int) -> None:
        self.next_pk = (Member.objects.aggregate(top=Max("pk"))["top"] or 0) + 1
        self.members: list[Member] = []
        self.changes: list[MemberChange] = []
        self.written = 0
        self.log = log if total > 20000 else None
        self.total = total
        self.started = time.monotonic()
        self.search_key = SearchKeys()

    def add(self, person: Person, org: Org, **overrides: Any) -> int:
        fields = {
            "category": person.category,
            "full_on": person.full_on,
            "post": person.post,
            **overrides,
        }
        pk = self.next_pk
        self.next_pk += 1
        member = Member(
            pk=pk,
            name=person.name,
            gender=person.gender,
            ethnicity=person.ethnicity,
            birth_date=person.birth_date,
            education=person.education,
            joined_on=person.joined_on,
            phone=person.phone,
            org_id=org.pk,
            org_path=org.path,
            search_text=self.search_key(person.name),
            **fields,
        )
        member.set_id_number(person.id_number)
        state = member.snapshot()
        self.members.append(member)
        self.changes.append(
            MemberChange(
                member_id=pk,
                kind=MemberChange.Kind.created,
                effective_on=person.joined_on,
                changes=created_changes(state),
                state=state,
                org_id=org.pk,
                org_path=org.path,
                category=member.category,
                status=member.status,
            )
        )
        if len(self.members) >= BATCH:
            self.flush()
        return pk

    def flush(self) -> None:
        if not self.members:
            return
        insert_rows(self.members)
        insert_rows(self.changes)
        self.written += len(self.members)
        self.members, self.changes = [], []
        if self.log and (self.written % 50000 < BATCH or self.written == self.total):
            rate = self.written / max(0.001, time.monotonic() - self.started)
            self.log(f"  {self.written:,} / {self.total:,} members ({rate:,.0f}/s)")


@dataclass
class Roster:
    """Who ended up where: full members per org and the first few in rank order, for seats."""

    full: Counter[int] = field(default_factory=Counter)
    ranked: dict[int, list[tuple[int, int]]] = field(default_factory=lambda: defaultdict(list))
    heads_below: dict[int, list[int]] = field(default_factory=lambda: defaultdict(list))

    def add(self, org: Org, pk: int, person: Person, *, may_sit: bool = True) -> None:
        if person.category != "full" or person.rank > 2:
            return
        self.full[org.pk] += 1
        if may_sit and len(self.ranked[org.pk]) < 8:
            self.ranked[org.pk].append((person.rank, pk))
        parent = org.parent
        while parent is not None:  # 党委 and 总支 committees are drawn from branch heads
            self.full[parent.pk] += 1
            if person.rank == 0 and may_sit:
                self.heads_below[parent.pk].append(pk)
            parent = parent.parent


@dataclass
class People:
    """What the member load leaves behind for committees, stories and accounts."""

    roster: Roster
    stories: dict[int, Story]  # by member pk
    leaders: list[int]


def write_people(
    tree: Tree,
    province_holders: int,
    factory: PersonFactory,
    writer: MemberWriter,
    story_rng: random.Random,
) -> People:
    """Every member: the department's (with stories) first, then the bureaus' in batches."""
    result = People(Roster(), {}, [])
    people = [
        (holder.org, person)
        for holder in tree.holders[:province_holders]
        for person in factory.staff(holder.staffing, holder.size)
    ]
    office = tree.by_name["办公室党支部"]
    people += [(office, factory.person(post, 3, DIVISIONS[0].ladder)) for post in LEADERS]
    stories = plan_stories(people, tree, story_rng, factory.today)
    for index, (org, person) in enumerate(people):
        story = stories.get(index)
        pk = writer.add(person, **(story.state_at(0) if story else {"org": org}))
        result.roster.add(org, pk, person, may_sit=story is None)
        if story:
            result.stories[pk] = story
        if person.rank == 3:
            result.leaders.append(pk)
    for holder in tree.holders[province_holders:]:
        for person in factory.staff(holder.staffing, holder.size):
            result.roster.add(holder.org, writer.add(person, holder.org), person)
    writer.flush()
    return result


# Seats by committee size (支部工作条例 第八条: 书记, and 组织、宣传、纪检委员 as the size allows).
POSITIONS = {
    3: ("secretary", "organization", "discipline"),
    4: ("secretary", "organization", "publicity", "discipline"),
    5: ("secretary", "deputy", "organization", "publicity", "discipline"),
}


def build_committees(
    tree: Tree, roster: Roster, rng: random.Random, today: dt.date
) -> dict[int, int]:
    """The current committee of every org big enough to elect one; returns org pk → secretary."""
    term_years = rules.get("org.term_years")
    threshold = rules.get("org.branch.committee_from_full_members")
    sizes = rules.get("org.branch.committee_seats")
    next_committee = (Committee.objects.aggregate(top=Max("pk"))["top"] or 0) + 1
    next_seat = (CommitteeSeat.objects.aggregate(top=Max("pk"))["top"] or 0) + 1
    committees, seats, secretaries = [], [], {}
    for org in tree.orgs:
        years = int(term_years.get(org.kind, 0))
        if not years or roster.full[org.pk] < threshold:
            continue
        if org.kind == Org.Kind.branch:
            candidates = [pk for _rank, pk in sorted(roster.ranked[org.pk])]
        else:
            candidates = roster.heads_below[org.pk]
        size = sizes["max"] if roster.full[org.pk] >= 2 * threshold else sizes["min"]
        size = min(size, len(candidates), max(POSITIONS))
        if size < min(POSITIONS):
            continue
        committees.append(
            Committee(
                pk=next_committee,
                org=org,
                number=rng.randint(2, 9),
                elected_on=_elected_on(rng, years, today),
                term_years=years,
            )
        )
        for order, (position, member_pk) in enumerate(
            zip(POSITIONS[size], candidates, strict=False)
        ):
            seats.append(
                CommitteeSeat(
                    pk=next_seat,
                    committee_id=next_committee,
                    member_id=member_pk,
                    position=position,
                    sort_order=order,
                )
            )
            next_seat += 1
        secretaries[org.pk] = candidates[0]
        next_committee += 1
    insert_rows(committees)
    insert_rows(seats)
    return secretaries


def _elected_on(rng: random.Random, years: int, today: dt.date) -> dt.date:
    """Spread over the term, so some committees are due for 换届 soon and a few are overdue."""
    due_today = add_years(today, -years)
    roll = rng.random()
    if roll < 0.1:
        return due_today - dt.timedelta(days=rng.randint(15, 120))
    if roll < 0.35:
        return due_today + dt.timedelta(days=rng.randint(15, 180))
    return due_today + dt.timedelta(days=rng.randint(181, years * 365 - 30))


def reset_sequences() -> None:
    """Rows were inserted with explicit ids: move PostgreSQL's sequences past them."""
    statements = connection.ops.sequence_reset_sql(
        no_style(), [Unit, Org, Member, Committee, CommitteeSeat]
    )
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)


def member_data(
    person: Person, *, org: Org, category: str, full_on: dt.date | None, post: str
) -> services.MemberData:
    return services.MemberData(
        name=person.name,
        gender=person.gender,
        ethnicity=person.ethnicity,
        birth_date=person.birth_date,
        id_number=person.id_number,
        education=person.education,
        joined_on=person.joined_on,
        full_on=full_on,
        category=category,
        org=org,
        post=post,
        phone=person.phone,
    )


def apply_stories(stories: dict[int, Story], by: User) -> None:
    """Each later stage of a story is an edit with its own effective day, as a user makes it."""
    for pk, story in stories.items():
        version = 1
        for stage, (day, _before, reason) in enumerate(story.stages, start=1):
            data = member_data(story.person, **story.state_at(stage))
            member = services.update_member(
                member_id=pk,
                data=data,
                expected_version=version,
                by=by,
                effective_on=day,
                reason=reason,
            )
            version = member.version


# 厅领导 attend the life of the branch they keep in touch with (双重组织生活).
LEADER_CONTACTS = (
    "大气环境处党支部",
    "水生态环境处党支部",
    "省环境监测中心站监测分析第一党支部",
    "省环境科学研究院大气环境研究所党支部",
)


def attach_dual_lives(tree: Tree, people: People, rng: random.Random, today: dt.date) -> None:
    rows = [
        DualLife(
            member_id=pk,
            org=tree.by_name[name],
            since=today - dt.timedelta(days=rng.randint(200, 900)),
        )
        for pk, name in zip(people.leaders, LEADER_CONTACTS, strict=True)
    ]
    team = tree.by_name[INSPECTION_TEAM]
    inspectors = people.roster.ranked[tree.by_name["生态环境保护督察办公室党支部"].pk][:3]
    inspectors += people.roster.ranked[tree.by_name["大气环境处党支部"].pk][-1:]
    inspectors += people.roster.ranked[tree.by_name["水生态环境处党支部"].pk][-1:]
    since = team.starts_on or today
    rows += [DualLife(member_id=pk, org=team, since=since) for _rank, pk in inspectors]
    DualLife.objects.bulk_create(rows)


# username → (role, display name); the secretary and the member take their member's name.
ACCOUNTS = {
    "admin": (Role.system_admin, "系统管理员"),
    "security": (Role.security_admin, "安全管理员"),
    "auditor": (Role.audit_admin, "审计管理员"),
    "office": (Role.office, "机关党委办公室"),
    "secretary": (Role.secretary, ""),
    "member": (Role.member, ""),
}
PASSWORD_ENV = "TIEJUN_DEMO_PASSWORD"


def demo_password(username: str) -> str:
    """TIEJUN_DEMO_PASSWORD if set, else a random one; either must pass the password rules."""
    given = os.environ.get(PASSWORD_ENV, "")
    alphabet = string.ascii_letters + string.digits
    while True:
        body = "".join(secrets.choice(alphabet) for _ in range(12))
        password = given or f"{body[:4]}-{body[4:8]}-{body[8:]}"
        try:
            password_validation.validate_password(password, User(username=username))
        except ValidationError as error:
            if given:
                raise CommandError(f"{PASSWORD_ENV}: {' '.join(error.messages)}") from None
            continue  # a random one that happens to fail (e.g. no digit): draw again
        return password


def create_accounts(
    root: Org, branch: Org, secretary_pk: int, member_pk: int
) -> tuple[dict[str, str], User]:
    """The six demo accounts: the three administrators, the office, a secretary, a member."""
    scopes: dict[str, tuple[Org | None, int | None]] = {
        "office": (root, None),
        "secretary": (branch, secretary_pk),
        "member": (None, member_pk),
    }
    passwords, users = {}, {}
    for username, (role, label) in ACCOUNTS.items():
        org, pk = scopes.get(username, (None, None))
        member = Member.objects.get(pk=pk) if pk else None
        user = User.objects.filter(username=username).first() or User(username=username)
        user.role, user.org, user.member = role, org, member
        user.display_name = member.name if member else label
        user.may_reveal_personal_data = username == "office"
        user.must_change_password = False
        user.is_active = True
        user.clean()
        passwords[username] = demo_password(username)
        user.set_password(passwords[username])
        user.save()
        users[username] = user
    return passwords, users["office"]


def reset_demo_passwords() -> dict[str, str]:
    from axes.utils import reset as reset_lockouts

    users = list(User.objects.filter(username__in=USERNAMES).order_by("pk"))
    if not users:
        raise CommandError("There are no demo accounts yet: run `python manage.py demo` first.")
    passwords = {}
    for user in users:
        passwords[user.username] = demo_password(user.username)
        user.set_password(passwords[user.username])
        user.must_change_password = False
        user.save(update_fields=["password", "must_change_password"])
        reset_lockouts(username=user.username)
    audit.record("demo.reset_passwords", detail={"usernames": sorted(passwords)})
    return passwords


@dataclass
class Summary:
    orgs: int
    members: int
    passwords: dict[str, str]


def build_demo(*, members: int, seed: int, log: Log) -> Summary:
    """Everything, in one transaction (the caller's): tree, members, committees, accounts."""
    today = dt.date.today()
    rng = random.Random(seed)
    tree = Tree()
    root = build_province(tree, today)
    province_holders = len(tree.holders)
    base = sum(holder.size for holder in tree.holders) + len(LEADERS)
    if members > base:
        build_locals(tree, rng, root, orgs=members // 10, members=members - base)
    total = sum(holder.size for holder in tree.holders) + len(LEADERS)
    if total > 20000:
        log(f"Writing {len(tree.orgs):,} organizations and {total:,} members …")
    insert_rows(tree.units)
    insert_rows(tree.orgs)
    factory = PersonFactory(
        rng,
        today,
        min_age=rules.get("development.applicant.min_age"),
        probation_months=rules.get("development.probation.months"),
    )
    writer = MemberWriter(log, total)
    people = write_people(tree, province_holders, factory, writer, random.Random(seed + 1))
    secretaries = build_committees(tree, people.roster, rng, today)
    reset_sequences()
    branch = tree.by_name[SECRETARY_BRANCH]
    member_pk = next(
        pk for pk, story in people.stories.items() if story.org == branch and len(story.stages) == 3
    )
    passwords, office = create_accounts(root, branch, secretaries[branch.pk], member_pk)
    apply_stories(people.stories, office)
    attach_dual_lives(tree, people, rng, today)
    audit.record(
        "demo.build", detail={"orgs": len(tree.orgs), "members": writer.written, "seed": seed}
    )
    return Summary(len(tree.orgs), writer.written, passwords)


class Command(BaseCommand):
    help = "Build the demo department (某省生态环境厅) with members, committees and six accounts."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="do nothing (but name the demo accounts) when orgs already exist",
        )
        parser.add_argument(
            "--reset-passwords",
            action="store_true",
            help="give the six demo accounts new passwords and print them",
        )
        parser.add_argument(
            "--members",
            type=int,
            default=0,
            help="build about this many members and a tenth as many orgs "
            "(city and county bureaus are added); default: the department only",
        )
        parser.add_argument("--seed", type=int, default=2026, help="random seed (default 2026)")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["reset_passwords"]:
            self._show_passwords(reset_demo_passwords())
            return
        orgs = Org.objects.count()
        if orgs and options["if_empty"]:
            self._show_existing(orgs)
            return
        if orgs:
            raise CommandError(
                f"The database already has {orgs} organizations; the demo is built "
                "into an empty database (use --if-empty to skip quietly)."
            )
        started = time.monotonic()
        with transaction.atomic():
            summary = build_demo(
                members=options["members"], seed=options["seed"], log=self.stdout.write
            )
            if not options["members"]:
                self._build_organizational_life(options["seed"])
        self.stdout.write(
            f"演示数据已建成，用时 {time.monotonic() - started:.1f} 秒："
            f"{summary.orgs:,} 个党组织，{summary.members:,} 名党员（随机种子 {options['seed']}）。"
        )
        self._show_passwords(summary.passwords)

    def _build_organizational_life(self, seed: int) -> None:
        """A year of meetings and talks, then one reminder run so the inboxes are not empty.
        Only for the department itself: benchmark trees measure the ledger, not meetings."""
        from django.core.management import call_command

        from tiejun.life.demo import build_demo_meetings, build_demo_talks

        year = dt.date.today().year
        meetings = build_demo_meetings(year=year, seed=seed)
        talks = build_demo_talks(year=year, seed=seed)
        self.stdout.write(f"{year} 年会议 {meetings:,} 次，谈心谈话 {talks:,} 次。")
        call_command("reminders", stdout=io.StringIO())

    def _show_existing(self, orgs: int) -> None:
        names = list(User.objects.filter(username__in=USERNAMES).values_list("username", flat=True))
        self.stdout.write(f"数据库中已有 {orgs:,} 个党组织，未重复生成演示数据。")
        if names:
            self.stdout.write(f"演示账户：{'、'.join(sorted(names, key=USERNAMES.index))}。")
        self.stdout.write(
            "忘记口令？运行 `python manage.py demo --reset-passwords`（或 `make demo-passwords`）"
            "重新设置并显示。"
        )

    def _show_passwords(self, passwords: dict[str, str]) -> None:
        from_env = bool(os.environ.get(PASSWORD_ENV))
        url = f"http://127.0.0.1:{os.environ.get('PORT', '8000')}/"
        self.stdout.write(f"\n请访问 {url} ，用以下账户登录：")
        for username, password in passwords.items():
            role = dict(Role.choices)[ACCOUNTS[username][0]]
            shown = f"（环境变量 {PASSWORD_ENV} 的值）" if from_env else password
            self.stdout.write(f"  {username:<10} {shown}   ({role})")
        if not from_env:
            self.stdout.write(
                "以上口令只显示这一次；`python manage.py demo --reset-passwords` 可重新设置。"
            )
