"""Fuzzed imports (SECURITY.md item 21): whatever the bytes or cells, the importer answers with
Chinese problems, never an exception, and the upload page never answers 500."""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tiejun.lib.tabular import TableError, inspect_file
from tiejun.org.importer import HEADERS, plan_import
from tiejun.org.models import Member

FUZZ = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
# Text a worksheet can hold: openpyxl refuses control characters, as Excel does.
sheet_text = st.text(st.characters(blacklist_categories=("Cc", "Cs")), max_size=30)
cell = st.one_of(
    st.none(), sheet_text, st.integers(), st.floats(allow_nan=True),
    st.booleans(), st.dates(min_value=dt.date(1900, 1, 1)),
    st.sampled_from(["汉", "男", "预备", "大气环境处党支部", "2019.7.1", "１２３", "'0"]),
)  # fmt: skip


@pytest.mark.django_db
@FUZZ
@given(st.binary(max_size=4096), st.sampled_from(["a.xlsx", "a.xls", "a.csv"]))
def test_fuzz_random_bytes_give_problems_not_exceptions(data, name):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / name
        path.write_bytes(data or b" ")
        try:
            kind = inspect_file(path, name)
        except TableError:
            return
        plan = plan_import(path=path, kind=kind, user=None)
    assert plan.problems and all(p.message for p in plan.problems)


@pytest.mark.django_db
@FUZZ
@given(st.lists(st.lists(cell, min_size=12, max_size=12), min_size=1, max_size=8))
def test_fuzz_random_cells_under_the_standard_header(rows):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "a.xlsx"
        book = openpyxl.Workbook()
        book.active.append(list(HEADERS.values()))
        for row in rows:
            book.active.append(row)
        book.save(path)
        plan = plan_import(path=path, kind="xlsx", user=None)
    assert all(isinstance(p.message, str) and p.message for p in plan.problems)
    assert not Member.objects.exists()


@FUZZ
@given(st.binary(max_size=2048), st.sampled_from(["a.xlsx", "a.xls", "a.csv", "a.exe"]))
def test_fuzz_the_upload_page_never_answers_500(client, people, data, name):
    client.force_login(people.office)
    response = client.post("/members/import/", {"file": SimpleUploadedFile(name, data)})
    assert response.status_code in (200, 302)
    if response.status_code == 302:
        assert client.get(response["Location"]).status_code == 200
