"""Playwright against Debian's chromium (browser downloads fail on our machines).

A pytest plugin loaded by the root conftest, so every browser test in the tree shares one
session-wide browser: Playwright's sync API refuses a second instance in the same process.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

SCREENSHOTS = Path(__file__).resolve().parents[1] / "var" / "screenshots"
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--lang=zh-CN",  # date pickers in 年/月/日 as on a Chinese desktop
]


@pytest.fixture(scope="session")
def chromium():
    from playwright.sync_api import sync_playwright

    executable = shutil.which("chromium") or shutil.which("chromium-browser")
    if executable is None:
        if os.environ.get("CI") == "true":
            pytest.fail("chromium is not installed (make test installs Debian's package)")
        pytest.skip("chromium is not installed: run `make test`, which installs it")
    # Playwright's sync API runs its own event loop; Django refuses ORM calls from a thread with
    # a running loop unless told that this is a test process.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_FLAGS)
        yield browser
        browser.close()


@pytest.fixture
def page(chromium, live_server):
    context = chromium.new_context(
        locale="zh-CN",
        viewport={"width": 1366, "height": 800},
        base_url=live_server.url,
        accept_downloads=True,
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


@pytest.fixture
def phone(chromium, live_server):
    context = chromium.new_context(
        locale="zh-CN",
        viewport={"width": 390, "height": 844},
        base_url=live_server.url,
        is_mobile=True,
        has_touch=True,
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


def login(page, username: str, password: str) -> None:
    page.goto("/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button[type=submit]")


def shot(page, name: str) -> None:
    """Screenshots for a person to look at (var/screenshots is git-ignored)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def download_sheet(page, link_text: str, folder: Path):
    """Click a download link and open the workbook it sends (its first sheet), as a user would."""
    import openpyxl

    with page.expect_download() as download:
        page.click(f"text={link_text}")
    path = folder / download.value.suggested_filename
    download.value.save_as(path)
    return openpyxl.load_workbook(path).active
