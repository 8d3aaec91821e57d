"""A big member export in a browser: the export button hands it to the worker, the job page
shows its progress without a reload, and the finished workbook downloads from it."""

from __future__ import annotations

from django.core.management import call_command

from tests.browser import download_sheet, login, shot
from tiejun.testing import PASSWORD


def test_the_office_watches_a_big_export_finish_and_downloads_it(page, people, settings, tmp_path):
    settings.TIEJUN_EXPORT_DIRECT_ROWS = 1  # the two members of `people` count as big
    settings.TIEJUN_JOB_DIR = tmp_path / "jobs"
    login(page, "office", PASSWORD)
    page.click("nav >> text=党员名册")
    page.click("text=导出 Excel")
    page.wait_for_selector("#job-status[data-status=queued]")
    assert "已转入后台生成" in page.inner_text("main")
    shot(page, "export-queued")
    call_command("db_worker", batch=True, startup_delay=False, verbosity=0)
    # The page asks every two seconds: the download appears without a reload.
    page.wait_for_selector("#job-status[data-status=done]", timeout=10_000)
    shot(page, "export-done")
    sheet = download_sheet(page, "下载 党员名册", tmp_path)
    assert sorted(row[0] for row in sheet.iter_rows(min_row=2, values_only=True)) == [
        "张海冰",
        "李文",
    ]
    page.locator("main").get_by_role("link", name="我的导出").click()
    assert "党员名册导出" in page.inner_text("main table")
