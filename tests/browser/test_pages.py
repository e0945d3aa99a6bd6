"""The pages every visitor may meet: errors, the central service unreachable, and the keyboard alone."""

from __future__ import annotations

import time

import httpx
from playwright.sync_api import Page, expect

from tests.browser.conftest import Antenne, Checks
from tests.browser.test_desk_flow import sign_in_as_coordinator


def test_an_unknown_page_is_said_in_the_readers_language(
    page: Page, antenne: Antenne, checks: Checks
) -> None:
    answer = page.goto(f"{antenne.url}/nowhere?lang=fr")
    assert answer is not None
    assert answer.status == 404
    expect(page.locator("h1")).to_have_text("Cette page n'existe pas.")
    checks.page(page, "fr-error-not-found")


def test_the_desk_says_when_the_central_service_is_unreachable(
    page: Page, cut_off_antenne: Antenne, checks: Checks
) -> None:
    deadline = time.monotonic() + 20
    while httpx.get(f"{cut_off_antenne.url}/healthz").json()["relay"]["last_error"] is None:
        assert time.monotonic() < deadline, "the relay never tried the central service"
        time.sleep(0.2)
    sign_in_as_coordinator(page, cut_off_antenne, "nl")
    notice = page.locator(".notice")
    expect(notice).to_contain_text("De centrale dienst is nu niet bereikbaar.")
    expect(notice).to_contain_text("Uw werk is hier in de antenne bewaard")
    checks.page(page, "nl-central-service-unreachable")


def test_the_pages_work_with_the_keyboard_alone(page: Page, antenne: Antenne) -> None:
    page.goto(f"{antenne.url}/signin?lang=nl")
    page.keyboard.press("Tab")
    expect(page.locator(".skip-link")).to_be_focused()
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    expect(page.locator("#username")).to_be_focused()
    page.keyboard.type(antenne.username)
    page.keyboard.press("Tab")
    page.keyboard.type(antenne.password)
    page.keyboard.press("Enter")
    page.wait_for_url("**/desk")
    outline = page.evaluate(
        "() => { const link = document.querySelector('nav a'); link.focus();"
        " return getComputedStyle(link).outlineStyle; }"
    )
    assert outline == "solid"  # focus is visible
