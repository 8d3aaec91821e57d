"""Member import: every row checked against the member rules, then all rows saved or none.

The rules are those of the member form and `services.create_member` / `update_member` (the same
`Member.clean()`, the same field checks, the same change chain), applied in batches: the orgs,
the existing members and their open history rows are looked up once per batch of rows, members
and their history rows are written with bulk queries, and the audit entries go in one append.
So the number of queries grows with batches, not with rows.

Matching: a row whose ID number is already on file updates that member (key: the ID digest);
importing the same file twice therefore changes nothing the second time. A row's org is found
by its code, its name, or else the name as other systems write it (tiejun.org.names: the formal
name, or with its parents before it); an org found that last way is named in a warning.

Every visible worksheet with a header is imported (a committee office collects one sheet per
branch), sheets without one (notes, lookup lists) are skipped with a note, and when more than
one sheet holds data every finding names its sheet.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from functools import lru_cache
from itertools import islice
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connections, router, transaction
from django.utils import timezone

from tiejun.accounts import audit
from tiejun.accounts.models import User
from tiejun.bulk_sql import insert_rows
from tiejun.lib import chinese, crypto, idcard
from tiejun.lib.dates import DateError, parse_date
from tiejun.lib.ethnicity import normalize_ethnicity
from tiejun.lib.gcpause import gc_paused
from tiejun.lib.phone import LIST_SEPARATORS, normalize_phone
from tiejun.lib.tabular import (
    Header,
    NoHeaderError,
    Row,
    Sheet,
    TableError,
    find_header,
    is_blank,
    list_sheets,
    read_table,
    row_values,
)
from tiejun.org import services
from tiejun.org.import_orgs import OrgIndex
from tiejun.org.models import EDUCATION_CHOICES, Member, MemberChange, Org

# The standard headers, in the order of the template and the export.
HEADERS = {
    "name": "姓名", "gender": "性别", "ethnicity": "民族", "birth_date": "出生日期",
    "id_number": "身份证号", "education": "学历", "joined_on": "入党日期", "full_on": "转正日期",
    "category": "人员类别", "org": "所在党组织", "post": "职务", "phone": "手机号码",
}  # fmt: skip
# The export adds the org code after them, so a re-import finds the org even where two share a name.
ORG_CODE_HEADER = "组织代码"
REQUIRED = ("name", "ethnicity", "id_number", "joined_on", "category", "org")
# The template's example row starts with this; such rows are skipped, never imported.
EXAMPLE_MARK = "示例"
_ALIAS_NAMES = {
    "name": ["党员姓名"],
    "gender": [],
    "ethnicity": [],
    "birth_date": ["出生年月日", "生日"],
    "id_number": ["身份证号码", "公民身份号码", "公民身份证号码", "身份证", "证件号码"],
    "education": ["文化程度", "最高学历"],
    "joined_on": ["入党时间", "入党年月日", "加入党组织日期", "加入中国共产党日期"],
    "full_on": ["转正时间", "转正年月日", "转为正式党员日期", "转为正式党员时间"],
    "category": ["党员类别", "党员类型", "类别"],
    "org": ["所在支部", "所在党支部", "党组织名称", "党组织", "所属党组织", "所属支部", "党支部"],
    "post": [
        "现任职务",
        "行政职务",
        "职务职级",
        "职务(岗位)",
        "工作岗位",
        "岗位",
        "工作单位及职务",
    ],
    "phone": ["手机", "手机号", "联系电话", "联系方式", "电话", "移动电话"],
    "org_code": ["组织代码", "党组织代码"],
}
GENDERS: dict[str, str] = {"男": Member.Gender.male, "男性": Member.Gender.male,
           "女": Member.Gender.female, "女性": Member.Gender.female}  # fmt: skip
CATEGORIES: dict[str, str] = {
    "正式党员": Member.Category.full, "正式": Member.Category.full,
    "中共党员": Member.Category.full, "预备党员": Member.Category.probationary,
    "中共正式党员": Member.Category.full, "预备": Member.Category.probationary,
    "中共预备党员": Member.Category.probationary,
}  # fmt: skip
EDUCATION_ALIASES = {
    **{value: value for value, _label in EDUCATION_CHOICES},
    "博士": "博士研究生", "研究生": "硕士研究生", "硕士": "硕士研究生", "本科": "大学本科",
    "大学": "大学本科", "大专": "大学专科", "专科": "大学专科", "中专": "中等专科",
    "中技": "中等专科", "技校": "中等专科", "职高": "高中", "初中": "初中及以下",
    "小学": "初中及以下", "初中以下": "初中及以下",
}  # fmt: skip
BATCH_ROWS = 500
PREVIEW_ROWS = 20
_EXCEL_NUMBER_DAMAGE = (
    "身份证号被 Excel 存成了数字，只保留了前15位，末几位已变成0；"
    "请将该列设为文本格式后重新填写身份证号"
)


def _field_aliases() -> dict[str, str]:
    from tiejun.lib.tabular import header_key

    aliases = {}
    for name, extra in _ALIAS_NAMES.items():
        for text in [HEADERS[name]] if name in HEADERS else []:
            aliases[header_key(text)] = name
        for text in extra:
            aliases[header_key(text)] = name
    return aliases


ALIASES = _field_aliases()


@dataclass(frozen=True)
class Problem:
    """One finding about one cell: the sheet (in a workbook of several), the spreadsheet row,
    the column as headed, and why."""

    row: int
    column: str
    message: str
    sheet: str = ""

    def __str__(self) -> str:
        where = f"工作表“{self.sheet}” " if self.sheet else ""
        if self.row:
            where += f"第{self.row}行 [{self.column}] "
        return where + self.message


@dataclass
class PreviewRow:
    row: int
    action: str  # "new", "updated", "unchanged"
    name: str
    id_masked: str
    org_name: str
    fields: list[str] = field(default_factory=list)
    sheet: str = ""


@dataclass
class ImportPlan:
    """What an import would do (or did): counts, the first rows, warnings and every error."""

    rows: int = 0
    new: list[Member] = field(default_factory=list)
    updated: list[services.ChangeEntry] = field(default_factory=list)
    unchanged: int = 0
    problems: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    preview: list[PreviewRow] = field(default_factory=list)
    saved: bool = False
    several_sheets: bool = False  # findings and rows then name their sheet

    @property
    def ok(self) -> bool:
        return not self.problems

    def counts(self) -> dict[str, int]:
        return {"rows": self.rows, "new": len(self.new), "updated": len(self.updated),
                "unchanged": self.unchanged, "errors": len(self.problems)}  # fmt: skip


class _Bad(Exception):
    """A cell's value is not acceptable; the message is shown to the user."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


# -- cells to values ------------------------------------------------------------------------


@lru_cache(maxsize=8192)
def _repeated_text(value: str) -> str:
    # Genders, groups, categories, orgs and posts repeat down a sheet: clean each once.
    return chinese.clean(value)


def _vocabulary_text(value: object) -> str:
    return _repeated_text(value) if isinstance(value, str) else _text(value)


def _text(value: object) -> str:
    if isinstance(value, str) and value.isascii():
        return " ".join(value.split())  # what chinese.clean does to ASCII, without NFKC's cost
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return chinese.clean(value)


@lru_cache(maxsize=4096)
def _vocabulary_key(text: str) -> str:
    return chinese.fold_name(text)


def _choice(value: object, lookup: Callable[[str], str | None], label: str, allowed: str) -> str:
    text = _vocabulary_text(value)
    if not text:
        return ""
    found = lookup(_vocabulary_key(text))
    if found is None:
        raise _Bad(f"“{text[:20]}”不是有效的{label}，应为{allowed}")
    return found


def clean_name(value: object) -> str:
    name = _text(value).replace(" ", "")
    if not name:
        raise _Bad("请填写姓名")
    return name


def clean_gender(value: object) -> str:
    return _choice(value, GENDERS.get, "性别", "“男”或“女”")


def clean_ethnicity(value: object) -> str:
    text = _vocabulary_text(value)
    if not text:
        raise _Bad("请填写民族")
    found = normalize_ethnicity(text)
    if found is None:
        raise _Bad(f"“{text[:20]}”不是56个民族之一，请填写如“汉族”“回族”")
    return found


def clean_education(value: object) -> str:
    return _choice(value, education_level, "学历", "、".join(v for v, _l in EDUCATION_CHOICES))


@lru_cache(maxsize=256)
def education_level(key: str) -> str | None:
    """The level a folded cell names: EDUCATION_ALIASES, and the same levels as cadre sheets
    write them, with the degree in brackets (大学本科（学士）, 研究生（博士）), 全日制 or 在职
    before, 毕业 or 学历 after. 肄业, 结业 and 在读 are not the level finished: unknown."""
    if key in EDUCATION_ALIASES:
        return EDUCATION_ALIASES[key]
    degree = "".join(_BRACKETED.findall(key))
    base = _BRACKETED.sub("", key).removeprefix("全日制").removeprefix("在职")
    base = base.removesuffix("毕业").removesuffix("学历")
    if base == "研究生" and "博士" in degree:
        return "博士研究生"
    return EDUCATION_ALIASES.get(base)


_BRACKETED = re.compile(r"\(([^()]*)\)")  # cells are NFKC-folded: （学士） is (学士)


def clean_category(value: object) -> str:
    category = _choice(value, CATEGORIES.get, "人员类别", "“正式党员”或“预备党员”")
    if not category:
        raise _Bad("请填写人员类别（正式党员或预备党员）")
    return category


def clean_post(value: object) -> str:
    return _vocabulary_text(value)


def clean_phone(value: object) -> str:
    text = _text(value)
    phone = normalize_phone(text)
    if phone is None and LIST_SEPARATORS.search(text):
        raise _Bad("一格只能填写一个号码，如 13800138000；其他号码请记在别处")
    if phone is None:
        raise _Bad("手机号码应为数字，如 13800138000")
    return phone


def check_id_number(value: object) -> idcard.IdCheck:
    """The ID check, plus the one damage idcard cannot see: an integer cell that lost its tail."""
    if isinstance(value, bool):
        value = str(value)
    if isinstance(value, int) and value >= 10**15 and str(value).endswith("000"):
        return idcard.IdCheck(number=str(value), errors=[_EXCEL_NUMBER_DAMAGE])
    check = idcard.validate(value)
    if check.number.endswith("000") and any("校验位" in e for e in check.errors):
        check.errors.append(
            "末三位为0，可能是 Excel 把身份证号存成了数字；请将该列设为文本后重新填写"
        )
    return check


def _date(value: object, date1904: bool) -> dt.date | None:
    try:
        return parse_date(value, date1904=date1904)
    except DateError as error:
        raise _Bad(error.message) from None


# Plain cells: field → cleaner. Dates, the ID number and the org are handled by the row reader.
CLEANERS: dict[str, Callable[[object], str]] = {
    "name": clean_name, "gender": clean_gender, "ethnicity": clean_ethnicity,
    "education": clean_education, "category": clean_category, "post": clean_post,
    "phone": clean_phone,
}  # fmt: skip


# -- rows to members ------------------------------------------------------------------------


@dataclass
class _Parsed:
    """A row whose cells passed; what it means (new, update) is decided per batch."""

    row: int
    values: dict[str, Any]
    digest: str


ORG_KEYS = ("org", "org_code")


class _Batch:
    """Up to BATCH_ROWS parsed rows, resolved against the database together."""

    def __init__(self, importer: _Importer, rows: list[_Parsed]) -> None:
        self.importer = importer
        self.rows = rows

    def resolve(self) -> None:
        importer = self.importer
        importer.orgs.load({OrgIndex.key(p.values[k]) for p in self.rows for k in ORG_KEYS})
        digests = [p.digest for p in self.rows]
        existing = Member.objects.filter(id_digest__in=digests).select_related("org")
        if importer.lock:
            existing = existing.select_for_update(of=("self",))
        by_digest = {m.id_digest: m for m in existing}
        visible = importer.visible_members(list(by_digest.values()))
        opened = services.open_changes_of([m.pk for m in by_digest.values()])
        for parsed in self.rows:
            importer.finish_row(parsed, by_digest.get(parsed.digest), visible, opened)


class _Importer:
    """One pass over a file: every row parsed, checked, and classified as new or update."""

    def __init__(self, *, user: User | None, today: dt.date, lock: bool) -> None:
        self.user = user
        self.today = today
        self.lock = lock
        self.orgs = OrgIndex(user, today)
        self.plan = ImportPlan()
        self.seen: dict[str, tuple[str, int]] = {}  # ID digest → where it first appeared
        self.header = Header(0, {})
        self.date1904 = False
        self.sheet = ""  # the sheet being read, named by its findings and rows

    def run(self, path: Path, kind: str) -> ImportPlan:
        sheets = list_sheets(path, kind)
        if not sheets:
            raise TableError("工作簿中没有可读取的工作表（都已隐藏？）。")
        skipped = self._run_sheets(path, kind, sheets)
        if len(skipped) == len(sheets):
            raise _no_header_anywhere(list(skipped.values()))
        self._name_sheets(data_sheets=len(sheets) - len(skipped))
        if skipped:
            listed = "、".join(f"“{name}”" for name in skipped)
            self.plan.warnings.append(Problem(0, "", f"未导入没有党员信息表头的工作表：{listed}"))
        if not self.plan.rows and self.plan.ok:
            self.plan.problems.append(Problem(0, "", "文件中没有数据行（表头下面是空的）。"))
        return self.plan

    def _run_sheets(self, path: Path, kind: str, sheets: list[Sheet]) -> dict[str, NoHeaderError]:
        """Each sheet in turn; returns those without a header, by name."""
        skipped = {}
        for sheet in sheets:
            self.sheet = sheet.name
            try:
                self._run_sheet(path, kind, sheet)
            except NoHeaderError as error:  # notes, lookup lists
                skipped[sheet.name] = error
            except TableError as error:  # a header short of a required column, a damaged sheet
                self.plan.problems.append(Problem(0, "", error.message, self.sheet))
        return skipped

    def _name_sheets(self, data_sheets: int) -> None:
        """Findings and rows name their sheet only when more than one sheet held data."""
        plan = self.plan
        plan.several_sheets = data_sheets > 1
        if not plan.several_sheets:
            plan.problems = [replace(problem, sheet="") for problem in plan.problems]
            plan.warnings = [replace(warning, sheet="") for warning in plan.warnings]
            plan.preview = [replace(row, sheet="") for row in plan.preview]

    def _run_sheet(self, path: Path, kind: str, sheet: Sheet) -> None:
        with read_table(path, kind, sheet) as table:
            self.date1904 = table.date1904
            required = {name: HEADERS[name] for name in REQUIRED}
            self.header = find_header(table.rows, ALIASES, required)
            for chunk in _chunks(table.rows, BATCH_ROWS):
                parsed = [p for p in (self.parse_row(n, cells) for n, cells in chunk) if p]
                if parsed:
                    _Batch(self, parsed).resolve()

    def column(self, name: str) -> str:
        return self.header.labels.get(name) or CHANGE_LABELS.get(name, "—")

    def problem(self, row: int, name: str, message: str) -> None:
        self.plan.problems.append(Problem(row, self.column(name), message, self.sheet))

    def warning(self, row: int, name: str, message: str) -> None:
        column = self.column(name) if name else ""
        self.plan.warnings.append(Problem(row, column, message, self.sheet))

    def parse_row(self, number: int, cells: tuple[Any, ...]) -> _Parsed | None:
        raw = row_values(cells, self.header.columns)
        if all(is_blank(value) for value in raw.values()):
            return None  # empty rows between and after the data
        if _text(raw.get("name")).lstrip("（(【[").startswith(EXAMPLE_MARK):
            self.warning(number, "name", "模板中的示例行，已跳过")
            return None
        self.plan.rows += 1
        before = len(self.plan.problems)
        values: dict[str, Any] = {}
        for name, cleaner in CLEANERS.items():
            try:
                values[name] = cleaner(raw.get(name))
            except _Bad as bad:
                self.problem(number, name, bad.message)
        for name in ("birth_date", "joined_on", "full_on"):
            try:
                values[name] = _date(raw.get(name), self.date1904)
            except _Bad as bad:
                self.problem(number, name, bad.message)
        values["org"] = _vocabulary_text(raw.get("org"))
        values["org_code"] = _text(raw.get("org_code")).replace(" ", "")
        self._check_required(number, values)
        digest = self._check_id(number, raw.get("id_number"), values)
        if len(self.plan.problems) > before or digest is None:
            return None
        return _Parsed(number, values, digest)

    def _check_required(self, number: int, values: dict[str, Any]) -> None:
        if not values["org"] and not values["org_code"]:
            self.problem(number, "org", "请填写所在党组织")
        if "joined_on" in values and values["joined_on"] is None:
            self.problem(number, "joined_on", "请填写入党日期")
        for name in ("joined_on", "full_on"):
            if values.get(name) and values[name] > self.today:
                self.problem(number, name, f"{HEADERS[name]}不能晚于今天")

    def _check_id(self, number: int, raw: object, values: dict[str, Any]) -> str | None:
        check = check_id_number(raw)
        for message in check.errors:
            self.problem(number, "id_number", message)
        for message in check.warnings:
            self.warning(number, "id_number", message)
        if not check.ok:
            return None
        self._match_id(number, check, values)
        digest = crypto.lookup_digest(check.number)
        if digest in self.seen:
            sheet, row = self.seen[digest]
            where = f"工作表“{sheet}”" if sheet != self.sheet else ""
            self.problem(number, "id_number", f"与{where}第{row}行的身份证号重复")
            return None
        self.seen[digest] = (self.sheet, number)
        values["id_number"] = check.number
        return digest

    def _match_id(self, number: int, check: idcard.IdCheck, values: dict[str, Any]) -> None:
        """Gender and birth date may be left empty (taken from the ID) but may not contradict it."""
        id_gender = Member.Gender(check.gender or Member.Gender.male)
        if not values.get("gender"):
            values["gender"] = id_gender.value
        elif "gender" in values and values["gender"] != id_gender:
            self.problem(
                number, "gender", f"性别与身份证号不一致（身份证号显示为{id_gender.label}）"
            )
        if not values.get("birth_date"):
            values["birth_date"] = check.birth_date
        elif "birth_date" in values and values["birth_date"] != check.birth_date:
            shown = check.birth_date.isoformat() if check.birth_date else ""
            self.problem(number, "birth_date", f"出生日期与身份证号不一致（身份证号中为 {shown}）")

    def _org(self, number: int, values: dict[str, Any]) -> Org:
        """By code when the row has one (names repeat in big trees), else by name."""
        code, name = values["org_code"], values["org"]
        org = self.orgs.get(code or name)
        if isinstance(org, str):
            raise _Bad(org)
        if code and name and not self.orgs.names_match(name, org):
            raise _Bad(f"组织代码“{code}”是“{org.name}”，与所在党组织“{name[:30]}”不一致")
        if not code and self.orgs.first_loose_use(name):
            self.warning(number, "org", f"“{name[:40]}”按“{org.name}”（组织代码 {org.code}）"
                         "导入，请核对")  # fmt: skip
        return org

    def visible_members(self, members: list[Member]) -> set[int]:
        ids = [member.pk for member in members]
        if self.user is None or not ids:
            return set(ids)
        return set(
            Member.objects.visible_to(self.user).filter(pk__in=ids).values_list("pk", flat=True)
        )

    def finish_row(
        self,
        parsed: _Parsed,
        existing: Member | None,
        visible: set[int],
        opened: dict[int, services.OpenInterval],
    ) -> None:
        number, values = parsed.row, parsed.values
        try:
            org = self._org(number, values)
        except _Bad as bad:
            self.problem(number, "org_code" if values["org_code"] else "org", bad.message)
            return
        if existing is not None and existing.pk not in visible:
            self.problem(number, "id_number", "该身份证号已登记在您管理范围以外的党员档案中；"
                         "党员转入请办理组织关系转接")  # fmt: skip
            return
        member = existing or Member()
        before = member.snapshot() if existing else {}
        services.apply_data(member, self._member_data(values, org, existing))
        try:
            services.validate_member(member, in_bulk=True)
        except ValidationError as error:
            for name, messages in error.message_dict.items():
                self.problem(number, name, "；".join(m.rstrip("。") for m in messages))
            return
        self._classify(number, member, before, opened.get(member.pk))

    @staticmethod
    def _member_data(
        values: dict[str, Any], org: Org, existing: Member | None
    ) -> services.MemberData:
        return services.MemberData(
            name=values["name"], gender=values["gender"], ethnicity=values["ethnicity"],
            birth_date=values["birth_date"], id_number=values["id_number"],
            education=values["education"], joined_on=values["joined_on"],
            full_on=values["full_on"], category=values["category"], org=org,
            post=values["post"], phone=values["phone"],
            status=existing.status if existing else Member.Status.active,
        )  # fmt: skip

    def _classify(
        self,
        number: int,
        member: Member,
        before: dict[str, Any],
        last: services.OpenInterval | None,
    ) -> None:
        plan = self.plan
        if not before:
            plan.new.append(member)
            self._preview(number, "new", member, [])
            return
        changes = services.member_diff(before, member.snapshot())
        if not changes:
            plan.unchanged += 1
            self._preview(number, "unchanged", member, [])
            return
        try:
            services.check_effective_on(last.effective_on if last else None, self.today)
        except ValidationError as error:
            self.problem(number, "—", "；".join(error.messages))
            return
        member.version += 1
        plan.updated.append(services.ChangeEntry(member, services.change_kind(changes), changes))
        self._preview(number, "updated", member, sorted(changes))

    def _preview(self, number: int, action: str, member: Member, fields: list[str]) -> None:
        if len(self.plan.preview) < PREVIEW_ROWS:
            labels = [CHANGE_LABELS.get(name, name) for name in fields]
            org = member.org.name
            self.plan.preview.append(
                PreviewRow(number, action, member.name, member.id_masked, org, labels, self.sheet)
            )


def _no_header_anywhere(errors: list[NoHeaderError]) -> NoHeaderError:
    if len(errors) == 1:
        return errors[0]
    return NoHeaderError(
        f"{len(errors)} 张工作表中都找不到表头行（应有“"
        + "”“".join(HEADERS[name] for name in REQUIRED)
        + "”等列），请使用导入模板。"
    )


# Labels of the tracked fields, for "what changed" in the preview.
CHANGE_LABELS = {**HEADERS, "org_code": ORG_CODE_HEADER, "org_id": HEADERS["org"],
                 "id_masked": HEADERS["id_number"], "status": "党籍状态"}  # fmt: skip


def _chunks(rows: Iterator[Row], size: int) -> Iterator[list[Row]]:
    while chunk := list(islice(rows, size)):
        yield chunk


# -- the two entry points ---------------------------------------------------------------------


def plan_import(
    *, path: Path, kind: str, user: User | None, today: dt.date | None = None, lock: bool = False
) -> ImportPlan:
    """Read and check a file without saving anything: the preview and `--dry-run`."""
    from tiejun.lib.tabular import TableError

    importer = _Importer(user=user, today=today or dt.date.today(), lock=lock)
    try:
        with gc_paused():
            return importer.run(path, kind)
    except TableError as error:
        return ImportPlan(problems=[Problem(0, "", error.message)])


@transaction.atomic
def import_members(
    *,
    path: Path,
    kind: str,
    user: User | None,
    source: str = "",
    request: Any = None,
    username: str = "",
    today: dt.date | None = None,
) -> ImportPlan:
    """Check the file again and save every row, or nothing at all if any row fails."""
    today = today or dt.date.today()
    plan = plan_import(path=path, kind=kind, user=user, today=today, lock=True)
    summary = {"file": source, **plan.counts()}
    if not plan.ok:
        audit.record("member.import", request=request, user=user, username=username,
                     result="failed", detail=summary)  # fmt: skip
        return plan
    with gc_paused():
        _save(plan, user=user, today=today, reason=f"批量导入：{source}" if source else "批量导入")
        entries = [*_audit_entries(plan, request=request, user=user, username=username,
                                   source=source),
                   audit.entry_fields("member.import", request=request, user=user,
                                      username=username, detail=summary)]  # fmt: skip
        audit.record_many(entries)
    plan.saved = True
    return plan


# Columns an import may change on an existing member (the ID is the key, so it never changes).
_UPDATE_FIELDS = [*services.EDITABLE_FIELDS, "org", "org_path", "search_text", "version",
                  "updated_at"]  # fmt: skip


def _save(plan: ImportPlan, *, user: User | None, today: dt.date, reason: str) -> None:
    now = timezone.now()
    for start in range(0, len(plan.new), BATCH_ROWS):
        members = plan.new[start : start + BATCH_ROWS]
        _insert_members(members)
        entries = [_created_entry(member) for member in members]
        services.open_changes(entries, effective_on=today, by=user, reason=reason, created=True)
    for start in range(0, len(plan.updated), BATCH_ROWS):
        entries = plan.updated[start : start + BATCH_ROWS]
        for entry in entries:
            entry.member.updated_at = now
        _write_updates([e.member for e in entries])
        services.open_changes(entries, effective_on=today, by=user, reason=reason)


def _insert_members(members: list[Member]) -> None:
    """INSERT new members, then read their ids back by ID digest (one query)."""
    insert_rows(members)
    digests = [member.id_digest for member in members]
    ids = dict(Member.objects.filter(id_digest__in=digests).values_list("id_digest", "pk"))
    database = router.db_for_write(Member)
    for member in members:
        member.pk = ids[member.id_digest]
        member._state.adding = False
        member._state.db = database


def _created_entry(member: Member) -> services.ChangeEntry:
    state = member.snapshot()
    changes = services.member_diff({}, state)
    return services.ChangeEntry(member, MemberChange.Kind.imported, changes, state)


def _write_updates(members: list[Member]) -> None:
    """One parameterised UPDATE per member, sent as one executemany for the batch.

    QuerySet.bulk_update builds a CASE expression per field and row and needs 60 ms a member on
    SQLite; this sends the same values through the fields' own conversions.
    """
    connection = connections[router.db_for_write(Member)]
    fields = [f for f in Member._meta.concrete_fields if f.name in _UPDATE_FIELDS]
    quote = connection.ops.quote_name
    assignments = ", ".join(f"{quote(field.column)} = %s" for field in fields)
    sql = f"UPDATE {quote(Member._meta.db_table)} SET {assignments} WHERE {quote('id')} = %s"
    rows = [
        [f.get_db_prep_save(getattr(m, f.attname), connection) for f in fields] + [m.pk]
        for m in members
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)


def _audit_entries(
    plan: ImportPlan, *, request: Any, user: User | None, username: str, source: str
) -> Iterator[dict[str, Any]]:
    """One entry a member saved; who, from where and which file are the same for them all."""
    created = audit.entry_fields("member.create", request=request, user=user, username=username,
                                 detail={"import": source})  # fmt: skip
    for member in plan.new:
        yield {**created, **audit.object_fields(member)}
    updated = audit.entry_fields("member.update", request=request, user=user, username=username)
    for entry in plan.updated:
        yield {**updated, **audit.object_fields(entry.member),
               "detail": {"import": source, "fields": sorted(entry.changes)}}  # fmt: skip
