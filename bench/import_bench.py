"""Member import throughput: a realistic sheet of N rows imported fresh, as updates, unchanged.

`run(rows)` returns rows per second for: checking only (the preview), a fresh import, the same
members again with a changed 职务 (pure updates), the same file once more (unchanged), and the
raw `bulk_create` of the same Member objects for comparison. It uses the current database when
Django is set up, else a throw-away SQLite file under var/bench/ (migrated first).

    .venv/bin/python bench/import_bench.py [ROWS]
"""

from __future__ import annotations

import datetime as dt
import os
import random
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
VAR = ROOT / "var" / "bench"
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田"
    "董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
)
GIVEN = (
    "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂华玉萍红玲芬燕彩春菊凤"
    "洁梅琳素云莲真环雪荣爱香月瑞凡佳嘉琼勤珍莉"
)
AREAS = ("110101", "310104", "330106", "320102", "440103", "510107", "420102", "610103")
EDUCATION = ("大学本科", "本科", "硕士研究生", "硕士", "博士", "大专", "大学专科", "高中")
POSTS = ("科员", "副主任科员", "主任科员", "副处长", "处长", "一级主任科员", "四级调研员")
BRANCHES = 200


def setup_django() -> Path | None:
    """Django against the current settings, or a fresh SQLite file under var/bench/ (returned,
    so the caller can remove it)."""
    import django
    from django.conf import settings

    if settings.configured:
        django.setup()
        return None
    VAR.mkdir(parents=True, exist_ok=True)
    database = VAR / f"import-bench-{os.getpid()}.sqlite3"
    _remove(database)
    os.environ["DATABASE_URL"] = f"sqlite:///{database}"
    os.environ.setdefault("TIEJUN_DATA_KEY_FILE", str(VAR / "data.key"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tiejun.settings")
    sys.path.insert(0, str(ROOT))
    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    return database


def _remove(database: Path) -> None:
    for leftover in database.parent.glob(f"{database.name}*"):  # with -wal and -shm
        leftover.unlink()


def _branches() -> list[Any]:
    from tiejun.org.models import Org
    from tiejun.testing import make_org

    root = Org.objects.filter(code="BENCH-ROOT").first() or make_org(
        "基准测试机关党委", Org.Kind.committee, code="BENCH-ROOT"
    )
    existing = {org.code: org for org in Org.objects.filter(code__startswith="BENCH-B")}
    return [
        existing.get(f"BENCH-B{n:03d}")
        or make_org(f"第{n}处室党支部", Org.Kind.branch, root, code=f"BENCH-B{n:03d}")
        for n in range(1, BRANCHES + 1)
    ]


def _member_rows(count: int, branches: list[Any], seed: int) -> list[dict[str, Any]]:
    """Rows as a provincial department's sheet holds them: unique valid IDs, varied forms."""
    from tiejun.lib.chinese import to_simplified  # noqa: F401  (warms opencc like a server)
    from tiejun.testing import make_id_number

    rng = random.Random(seed)
    seen: set[str] = set()
    rows: list[dict[str, Any]] = []
    while len(rows) < count:
        birth = dt.date(1960, 1, 1) + dt.timedelta(days=rng.randrange(0, 365 * 40))
        female = rng.random() < 0.45
        number = make_id_number(birth, rng.randrange(0, 499), female, rng.choice(AREAS))
        if number in seen:
            continue
        seen.add(number)
        rows.append(_row(rng, birth, female, number, rng.choice(branches)))
    return rows


def _row(rng: random.Random, birth: dt.date, female: bool, number: str, org: Any) -> dict[str, Any]:
    joined = birth + dt.timedelta(days=365 * rng.randrange(19, 40) + rng.randrange(0, 365))
    joined = min(joined, dt.date(2024, 6, 1))
    probationary = rng.random() < 0.03
    return {
        "姓名": rng.choice(SURNAMES)
        + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2)))),
        "性别": "女" if female else "男",
        "民族": rng.choice(("汉族",) * 9 + ("回族", "满", "蒙古族")),
        "出生日期": birth,
        "身份证号": number,
        "学历": rng.choice(EDUCATION),
        "入党日期": joined,
        "转正日期": None if probationary else joined + dt.timedelta(days=365),
        "人员类别": "预备党员" if probationary else rng.choice(("正式党员", "正式")),
        "所在党组织": org.name,
        "职务": rng.choice(POSTS),
        "手机号码": f"1{rng.choice('3589')}{rng.randrange(10**8, 10**9)}",
    }


def write_sheet(path: Path, rows: list[dict[str, Any]]) -> Path:
    import xlsxwriter

    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("党员信息")
    text = book.add_format({"num_format": "@"})
    date = book.add_format({"num_format": "yyyy-mm-dd"})
    headers = list(rows[0])
    sheet.write_string(0, 0, "党员信息采集表")
    sheet.write_row(1, 0, headers)
    for r, row in enumerate(rows, start=2):
        for c, value in enumerate(row.values()):
            if isinstance(value, dt.date):
                sheet.write_datetime(r, c, value, date)
            elif value is not None:
                sheet.write_string(
                    r, c, value, text if headers[c] in ("身份证号", "手机号码") else None
                )
    book.close()
    return path


class _Clock:
    """Wall-clock and CPU seconds of one step (CPU time tells a busy machine from slow code)."""

    def __enter__(self) -> _Clock:
        self.wall, self.cpu = time.perf_counter(), time.process_time()
        return self

    def __exit__(self, *exc: object) -> None:
        self.wall = time.perf_counter() - self.wall
        self.cpu = time.process_time() - self.cpu


def _timed_import(path: Path) -> _Clock:
    from tiejun.org.importer import import_members

    with _Clock() as clock:
        plan = import_members(path=path, kind="xlsx", user=None, source=path.name)
    if not plan.saved:
        raise RuntimeError("; ".join(str(p) for p in plan.problems[:5]))
    return clock


class _Rollback(Exception):
    """Undo the raw bulk_create so the members can be imported afterwards."""


def _check_and_raw_insert(path: Path) -> tuple[_Clock, _Clock]:
    """Checking only (the preview), and bulk_create of the Member objects it built."""
    from django.db import transaction

    from tiejun.org.importer import plan_import
    from tiejun.org.models import Member

    with _Clock() as checking:
        plan = plan_import(path=path, kind="xlsx", user=None)
    if plan.problems:
        raise RuntimeError("; ".join(str(p) for p in plan.problems[:5]))
    try:
        with transaction.atomic():
            with _Clock() as inserting:
                Member.objects.bulk_create(plan.new, batch_size=500)
            raise _Rollback
    except _Rollback:
        pass
    return checking, inserting


def run(rows: int = 10000) -> dict[str, float]:
    """Rows per second (wall clock, and per CPU second) of each step; see the module text."""
    throwaway = setup_django()
    try:
        return _measure(rows)
    finally:
        if throwaway is not None:
            from django.db import connections

            connections.close_all()
            _remove(throwaway)


def _measure(rows: int) -> dict[str, float]:
    from tiejun.lib import chinese

    chinese.search_key("预热")  # load pypinyin's dictionaries, as a running server has
    branches = _branches()
    data = _member_rows(rows, branches, seed=random.SystemRandom().randrange(10**9))
    with tempfile.TemporaryDirectory() as folder:
        fresh = write_sheet(Path(folder) / "fresh.xlsx", data)
        for row in data:
            row["职务"] = "二级调研员" if row["职务"] != "二级调研员" else "科员"
        changed = write_sheet(Path(folder) / "changed.xlsx", data)
        steps = dict(
            zip(("check_only", "raw_bulk_create"), _check_and_raw_insert(fresh), strict=True)
        )
        steps["fresh"] = _timed_import(fresh)
        steps["update"] = _timed_import(changed)
        steps["unchanged"] = _timed_import(changed)
    figures = {"rows": float(rows)}
    for name, clock in steps.items():
        figures[f"{name}_rows_per_s"] = rows / clock.wall
    for name, clock in steps.items():
        figures[f"{name}_rows_per_cpu_s"] = rows / clock.cpu
    figures["fresh_vs_raw"] = steps["raw_bulk_create"].wall / steps["fresh"].wall
    figures["fresh_vs_raw_cpu"] = steps["raw_bulk_create"].cpu / steps["fresh"].cpu
    return {key: round(value, 2) for key, value in figures.items()}


if __name__ == "__main__":
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 10000
    os.environ.pop("DJANGO_SETTINGS_MODULE", None)  # always the throw-away SQLite file
    result = run(count)
    for name, value in result.items():
        print(f"{name:28} {value:>12,.2f}")
