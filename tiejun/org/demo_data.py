"""The invented people and places of the demo department (某省生态环境厅). Never real people.

Everything is drawn from a seeded `random.Random`, so one seed always builds the same tree and
the same members (relative to the day it runs).
"""

from __future__ import annotations

import datetime as dt
import itertools
import random
from dataclasses import dataclass

from tiejun.lib.dates import add_years
from tiejun.lib.idcard import check_digit

PROVINCE = "某省"
DEPARTMENT = f"{PROVINCE}生态环境厅"

# Weighted roughly by how common each surname is (the first ones far more than the last).
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程"
    "苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝"
    "龚邵万钱严覃武戴莫孔向汤"
)
SURNAME_WEIGHTS = tuple(
    itertools.accumulate(1 / (rank + 1) ** 0.8 for rank in range(len(SURNAMES)))
)
MALE_CHARS = (
    "伟强磊军洋勇杰涛斌超明刚平辉鹏华飞鑫波宁凯浩宇峰建国志文海东林亮晨博俊毅诚健兵龙江瑞松阳"
    "振远卫永新庆胜宏昊哲铭晖荣彬帆翔炜睿泽"
)
FEMALE_CHARS = (
    "芳娜敏静丽艳娟霞燕玲婷雪琳颖慧莉萍红梅洁倩欣悦晶璐丹蕾茜薇瑶佳琪婕岚凤云英秀兰春月彤妍楠琦雯怡"
)
# First characters of two-character given names, shared by men and women.
SHARED_FIRST = "子一海冰文嘉思雨清明晓建春秋立新天永志家国德世安宇泽晨"

ETHNICITIES = ("汉族",) * 92 + (
    "回族",
    "满族",
    "蒙古族",
    "壮族",
    "土家族",
    "苗族",
    "彝族",
    "朝鲜族",
)
PHONE_PREFIXES = tuple(
    str(prefix)
    for prefix in (
        130,
        131,
        132,
        133,
        135,
        136,
        137,
        138,
        139,
        150,
        151,
        152,
        153,
        155,
        156,
        157,
        158,
        159,
        177,
        180,
        181,
        182,
        183,
        185,
        186,
        187,
        188,
        189,
        199,
    )
)
# Area codes of a prefecture (91–93) that province 33 does not have: a generated ID number
# passes the checksum but can never be a real person's.
AREA_CODES = tuple(f"339{city}{county:02d}" for city in (1, 2, 3) for county in range(1, 13))


@dataclass(frozen=True)
class Post:
    """A post (职务/职称) and the ages its holders plausibly have."""

    title: str
    min_age: int
    max_age: int
    weight: int = 1


@dataclass(frozen=True)
class Ladder:
    """The posts of a kind of workplace below its head and deputies."""

    staff: tuple[Post, ...]
    academic: bool = False  # research institutes: more doctorates
    retired: bool = False


CIVIL_SERVICE = Ladder(
    (
        Post("一级调研员", 50, 59),
        Post("二级调研员", 45, 59),
        Post("一级主任科员", 38, 59, 2),
        Post("二级主任科员", 32, 55, 3),
        Post("三级主任科员", 28, 48, 3),
        Post("四级主任科员", 26, 40, 3),
        Post("一级科员", 23, 32, 2),
        Post("科员", 23, 30, 1),
    )
)
ENGINEERING = Ladder(
    (
        Post("正高级工程师", 45, 59),
        Post("高级工程师", 35, 59, 3),
        Post("工程师", 28, 50, 4),
        Post("助理工程师", 23, 35, 2),
        Post("会计师", 30, 55),
    )
)
RESEARCH = Ladder(
    (
        Post("研究员", 45, 59),
        Post("副研究员", 35, 59, 3),
        Post("助理研究员", 27, 45, 3),
        Post("研究实习员", 23, 30, 1),
        Post("高级工程师", 35, 59, 1),
    ),
    academic=True,
)
ENFORCEMENT = Ladder(
    (
        Post("支队长", 38, 55, 2),
        Post("副支队长", 34, 52, 2),
        Post("一级主任科员", 38, 59, 2),
        Post("执法队员", 23, 55, 7),
    )
)
LOCAL_OFFICE = Ladder(
    (
        Post("一级主任科员", 38, 59, 2),
        Post("二级主任科员", 32, 55, 3),
        Post("四级主任科员", 26, 40, 3),
        Post("科员", 23, 32, 3),
        Post("工程师", 28, 50, 2),
    )
)
RETIRED = Ladder((Post("退休干部", 60, 70),), retired=True)


@dataclass(frozen=True)
class Staffing:
    """How a member-holding org of the demo is staffed: its size and who works there."""

    name: str
    size: int
    ladder: Ladder
    head: str = "处长"
    deputy: str = "副处长"
    groups: int = 0  # 党小组 inside the branch


DIVISION_SIZES = {
    "办公室": 16,
    "综合处": 12,
    "法规与标准处": 10,
    "行政审批处": 12,
    "生态环境监测处": 11,
    "大气环境处": 14,
    "水生态环境处": 14,
    "土壤生态环境处": 10,
    "固体废物与化学品处": 10,
    "自然生态保护处": 10,
    "核与辐射安全监管处": 9,
    "环境影响评价处": 11,
    "应对气候变化处": 8,
    "科技与财务处": 12,
    "人事处": 9,
    "宣传教育处": 8,
    "生态环境保护督察办公室": 13,
}
DIVISIONS = tuple(
    Staffing(
        name,
        size,
        CIVIL_SERVICE,
        deputy="副主任" if name.endswith("办公室") else "副处长",
        head="主任" if name.endswith("办公室") else "处长",
        groups=2 if size >= 16 else 0,
    )
    for name, size in DIVISION_SIZES.items()
)
RETIREE_BRANCHES = (
    Staffing("离退休干部第一党支部", 46, RETIRED, "退休干部", "退休干部", groups=3),
    Staffing("离退休干部第二党支部", 32, RETIRED, "退休干部", "退休干部"),
)
# The department's leaders: members of the 办公室 branch, attached to branches they contact.
LEADERS = (
    Post("厅长、党组书记", 50, 58),
    Post("副厅长、党组成员", 47, 58),
    Post("副厅长、党组成员", 45, 57),
    Post("驻厅纪检监察组组长、党组成员", 48, 58),
)


@dataclass(frozen=True)
class Affiliated:
    """A 直属单位 and the Party org it has: one branch, or a 总支/党委 over several branches."""

    unit: str
    kind: str  # Org.Kind value of the unit's top org
    branches: tuple[Staffing, ...]


AFFILIATED = (
    Affiliated(
        "省环境监测中心站",
        "general_branch",
        (
            Staffing("综合党支部", 14, ENGINEERING, "站长", "副站长"),
            Staffing("监测分析第一党支部", 18, ENGINEERING, "室主任", "副主任", groups=2),
            Staffing("监测分析第二党支部", 17, ENGINEERING, "室主任", "副主任"),
        ),
    ),
    Affiliated(
        "省环境科学研究院",
        "committee",
        (
            Staffing("院机关党支部", 12, RESEARCH, "院长", "副院长"),
            Staffing("大气环境研究所党支部", 16, RESEARCH, "所长", "副所长", groups=2),
            Staffing("水环境研究所党支部", 15, RESEARCH, "所长", "副所长"),
            Staffing("生态与土壤研究所党支部", 14, RESEARCH, "所长", "副所长"),
        ),
    ),
    Affiliated(
        "省生态环境执法总队",
        "branch",
        (Staffing("党支部", 42, ENFORCEMENT, "总队长", "副总队长", groups=3),),
    ),
    Affiliated(
        "省固体废物管理中心", "branch", (Staffing("党支部", 11, ENGINEERING, "主任", "副主任"),)
    ),
    Affiliated(
        "省辐射环境监督站", "branch", (Staffing("党支部", 13, ENGINEERING, "站长", "副站长"),)
    ),
    Affiliated(
        "省环境宣传教育中心", "branch", (Staffing("党支部", 8, ENGINEERING, "主任", "副主任"),)
    ),
)
INSPECTION_TEAM = "第二轮省级生态环境保护督察第一组临时党支部"
GROUP_NUMERALS = "一二三四五六七八九十"

# City and county names are invented from these halves (青州市, 临安县 …).
PLACE_FIRST = (
    "东西南北安宁平青临清江河山永长丰和新兴泰云华金玉龙凤宝"
    "白黄柳桐松梅兰瑞丹广德崇阜茂嘉盛锦沙鹤望汉"
)
PLACE_SECOND = "州阳安宁平川山城江源原口丘林水海陵溪峰泉湖岗庄桥关"


def pick_name(rng: random.Random, female: bool) -> str:
    surname = rng.choices(SURNAMES, cum_weights=SURNAME_WEIGHTS)[0]
    own = FEMALE_CHARS if female else MALE_CHARS
    if rng.random() < 0.3:
        return surname + rng.choice(own)
    return surname + rng.choice(SHARED_FIRST + own) + rng.choice(own)


def place_names(rng: random.Random, count: int, suffix: str) -> list[str]:
    """`count` distinct invented place names (as many as the halves allow, then numbered)."""
    combos = [a + b for a in PLACE_FIRST for b in PLACE_SECOND if a != b]
    rng.shuffle(combos)
    names = [name + suffix for name in combos[:count]]
    extra = count - len(names)
    names += [f"{combos[i % len(combos)]}第{i // len(combos) + 2}{suffix}" for i in range(extra)]
    return names


def _levels(*pairs: tuple[str, int]) -> tuple[tuple[str, ...], tuple[int, ...]]:
    """Education levels and their cumulative weights (random.choices draws faster with them)."""
    return tuple(e for e, _ in pairs), tuple(itertools.accumulate(w for _, w in pairs))


ACADEMIC_EDUCATION = _levels(("博士研究生", 35), ("硕士研究生", 45), ("大学本科", 20))
# (age below, levels): the older the cadre, the fewer postgraduate and the more 大专/中专 degrees.
EDUCATION_BY_AGE = (
    (40, _levels(("博士研究生", 4), ("硕士研究生", 36), ("大学本科", 56), ("大学专科", 4))),
    (55, _levels(("博士研究生", 4), ("硕士研究生", 22), ("大学本科", 60), ("大学专科", 14))),
    (
        200,
        _levels(
            ("硕士研究生", 8), ("大学本科", 52), ("大学专科", 25), ("中等专科", 10), ("高中", 5)
        ),
    ),
)


@dataclass
class Person:
    """One generated member, before it becomes a Member row."""

    name: str
    gender: str
    ethnicity: str
    birth_date: dt.date
    id_number: str
    education: str
    joined_on: dt.date
    full_on: dt.date | None
    category: str
    post: str
    phone: str
    rank: int  # 0 head, 1 deputy, 2 staff: who sits on committees first


class PersonFactory:
    """Believable members: the name fits the gender, the ID number fits birth date and gender."""

    def __init__(self, rng: random.Random, today: dt.date, *, min_age: int, probation_months: int):
        self.rng = rng
        self.today = today
        self.min_join_age = min_age
        self.probation_days = probation_months * 30
        self.used_ids: set[str] = set()

    def person(self, post: Post, rank: int, ladder: Ladder) -> Person:
        rng = self.rng
        female = rng.random() < (0.3 if rank == 0 else 0.4)
        low, high = post.min_age, post.max_age
        if female and ladder.retired:
            low = 55  # women cadres retired at 55
        elif female:
            high = min(high, 57)
        age = rng.randint(low, max(low, high))
        birth = self.today - dt.timedelta(days=int((age + rng.random()) * 365.25))
        joined, full, category = self._membership(birth, age, rank)
        return Person(
            name=pick_name(rng, female),
            gender="female" if female else "male",
            ethnicity=rng.choice(ETHNICITIES),
            birth_date=birth,
            id_number=self.id_number(birth, female),
            education=self._education(age, ladder),
            joined_on=joined,
            full_on=full,
            category=category,
            post=post.title,
            phone=rng.choice(PHONE_PREFIXES) + f"{rng.randrange(10**8):08d}",
            rank=rank,
        )

    def _membership(
        self, birth: dt.date, age: int, rank: int
    ) -> tuple[dt.date, dt.date | None, str]:
        rng = self.rng
        earliest = add_years(birth, self.min_join_age) + dt.timedelta(days=1)
        if rank == 2 and age <= 35 and rng.random() < 0.12:
            # 预备党员: admitted within the last year, so no 转正 yet.
            joined = self.today - dt.timedelta(days=rng.randint(20, self.probation_days - 10))
            return max(joined, earliest), None, "probationary"
        latest = self.today - dt.timedelta(days=self.probation_days + 60)
        span = max(0, (latest - earliest).days)
        # Most join at university or in their first working years; some much later.
        offset = int(min(span, rng.triangular(0, span, min(span, 4 * 365))))
        joined = earliest + dt.timedelta(days=offset)
        return joined, add_years(joined, 1), "full"

    def _education(self, age: int, ladder: Ladder) -> str:
        if ladder.academic:
            levels = ACADEMIC_EDUCATION
        else:
            levels = next(table for below, table in EDUCATION_BY_AGE if age < below)
        return self.rng.choices(levels[0], cum_weights=levels[1])[0]

    def id_number(self, birth: dt.date, female: bool) -> str:
        """A checksum-valid number, unique in this run; odd sequence digit for men."""
        while True:
            order = self.rng.randrange(500) * 2 + (0 if female else 1)
            first17 = f"{self.rng.choice(AREA_CODES)}{birth:%Y%m%d}{order:03d}"
            if first17 not in self.used_ids:
                self.used_ids.add(first17)
                return first17 + check_digit(first17)

    def staff(self, staffing: Staffing, count: int) -> list[Person]:
        """`count` people for one org: a head, one or two deputies, the rest from the ladder."""
        head = Post(staffing.head, 42, 59) if not staffing.ladder.retired else RETIRED.staff[0]
        deputy = Post(staffing.deputy, 35, 57) if not staffing.ladder.retired else RETIRED.staff[0]
        deputies = 2 if count >= 15 else 1
        people = [self.person(head, 0, staffing.ladder)] if count else []
        people += [self.person(deputy, 1, staffing.ladder) for _ in range(min(deputies, count - 1))]
        posts = staffing.ladder.staff
        weights = [post.weight for post in posts]
        for post in self.rng.choices(posts, weights, k=max(0, count - len(people))):
            people.append(self.person(post, 2, staffing.ladder))
        return people
