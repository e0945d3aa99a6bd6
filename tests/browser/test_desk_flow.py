"""A coordinator runs a permanence in the browser, in Dutch and in French, every page checked by axe-core."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import SCREENSHOTS, Antenne, Checks
from tests.support.dates import RECENT_ISO

# What the pages say in each language, where the test looks for it.
SAYS = {
    "nl": {"duration": "1 u 15", "reason": "biedt Vervoer aan", "confirmed": "bevestigd", "pool": "0 u 30",
           "hours_error": "Kies 0, 15, 30 of 45 minuten.", "visitors": "Bezoekers van vandaag",
           "statement": "Overzicht van"},
    "fr": {"duration": "1 h 15", "reason": "offre : Transport", "confirmed": "confirmée", "pool": "0 h 30",
           "hours_error": "Choisissez 0, 15, 30 ou 45 minutes.", "visitors": "Visiteurs du jour",
           "statement": "Relevé de"},
}  # fmt: skip


def submit(page: Page, action: str) -> None:
    page.click(f'main form[action="{action}"] button[type=submit]')


def sign_in_as_coordinator(page: Page, antenne: Antenne, lang: str, checks: Checks | None = None) -> None:
    page.goto(f"{antenne.url}/?lang={lang}")
    page.click('a[href="/signin"]')
    page.fill("#username", antenne.username)
    page.fill("#password", antenne.password)
    if checks:
        checks.page(page, f"{lang}-coordinator-sign-in")
    submit(page, "/signin")
    page.wait_for_url("**/desk")


def register(page: Page, name: str, lang: str, checks: Checks | None = None, **profile: str) -> str:
    """Intake, capacities first; the new member's number."""
    page.click('nav a[href="/desk/members/new"]')
    page.fill("#talents", profile.get("talents", ""))
    page.fill("#energy", profile.get("energy", ""))
    page.check(f'input[name="gives"][value="{profile.get("gives", "transport")}"]')
    page.check('input[name="languages"][value="nl"]')
    page.check('input[name="languages"][value="fr"]')
    page.fill("#display_name", name)
    page.fill("#sector", "Centrum")
    if "asks" in profile:
        page.check(f'input[name="asks"][value="{profile["asks"]}"]')
    if checks:
        checks.page(page, f"{lang}-intake")
    submit(page, "/desk/members/new")
    expect(page.locator("h1")).to_contain_text(name)
    return page.locator("h1 .tag").inner_text()


@pytest.mark.parametrize("lang", ["nl", "fr"])
def test_a_coordinator_runs_a_permanence(page: Page, antenne: Antenne, checks: Checks, lang: str) -> None:
    says = SAYS[lang]
    page.goto(f"{antenne.url}/?lang={lang}")
    checks.page(page, f"{lang}-home")
    sign_in_as_coordinator(page, antenne, lang, checks)
    helper_name, asker_name = f"Jean Claes {lang}", f"Maria Peeters {lang}"
    helper = register(page, helper_name, lang, talents="driving", energy="people")
    asker = register(page, asker_name, lang, checks, talents="baking", asks="transport", gives="company")
    checks.page(page, f"{lang}-member")

    page.click('a[href$="/post"]')
    page.check('input[name="kind"][value="request"]')
    page.select_option("#category", "transport")
    page.fill("#description", "to the doctor")
    checks.page(page, f"{lang}-post-request")
    page.click("main form button[type=submit]")

    page.click('nav a[href="/desk"]')
    card = page.locator("article.card", has_text=asker_name)
    expect(card).to_contain_text(helper_name)
    expect(card).to_contain_text(says["reason"])
    checks.page(page, f"{lang}-dashboard")
    card.locator("h3 a").click()
    checks.page(page, f"{lang}-request")
    page.locator("main ol > li", has_text=helper_name).locator("form button").click()
    page.click('input[value="accept"] ~ button')
    page.click('a[href^="/desk/hours?"]')
    expect(page.locator("#helper")).to_have_value(helper)
    page.fill("#hours", "1")
    page.select_option("#minutes", "15")
    page.fill("#performed_on", RECENT_ISO)
    checks.page(page, f"{lang}-record-hours")
    submit(page, "/desk/hours")
    expect(page.locator("h1")).to_contain_text(says["duration"])
    checks.page(page, f"{lang}-exchange")
    page.click('form[action$="/confirm"] button')
    expect(page.locator("#exchange-status")).to_have_text(says["confirmed"])

    page.click('nav a[href="/desk/hours"]')
    page.fill("#helper", helper)
    page.fill("#recipient", asker)
    page.fill("#hours", "1")
    page.evaluate("document.querySelector('#minutes').innerHTML += '<option value=\"20\">20</option>'")
    page.select_option("#minutes", "20")  # a tampered form: the server still refuses it
    submit(page, "/desk/hours")
    expect(page.locator("#minutes-error")).to_contain_text(says["hours_error"])
    expect(page.locator("#minutes")).to_have_attribute("aria-invalid", "true")
    checks.page(page, f"{lang}-record-hours-errors")

    page.click('nav a[href="/desk/donations"]')
    page.fill("#donor", helper)
    page.check('input[name="to"][value="pool"]')
    page.fill("#hours", "0")
    page.select_option("#minutes", "30")
    submit(page, "/desk/donations")
    expect(page.locator("#pool-balance")).not_to_have_text("0 u")
    page.fill("#grant_to", asker)
    page.select_option("#reason", "isolation")
    page.fill("#grant_hours", "0")
    page.select_option("#grant_minutes", "15")
    submit(page, "/desk/pool/grant")
    checks.page(page, f"{lang}-gifts-and-pool")

    page.click('nav a[href="/desk/gatherings"]')
    page.check('input[name="kind"][value="permanence"]')
    page.locator(".choice", has_text=helper_name).locator("input").check()
    page.locator(".choice", has_text=asker_name).locator("input").check()
    checks.page(page, f"{lang}-attendance")
    submit(page, "/desk/gatherings")
    page.click('nav a[href="/desk"]')
    expect(page.locator("section", has_text=says["visitors"])).to_contain_text(asker_name)

    page.click('nav a[href="/desk/search"]')
    page.fill("#q", asker)
    page.click('main form[role="search"] button')
    page.locator("main li a", has_text=asker_name).click()
    page.click('a[href$="/statement"]')
    expect(page.locator("h1")).to_contain_text(says["statement"])
    checks.page(page, f"{lang}-statement")
    page.emulate_media(media="print")
    page.screenshot(path=str(SCREENSHOTS / f"{lang}-statement-print.png"), full_page=True)
    page.emulate_media(media="screen")

    page.go_back()
    page.click('form[action$="/code"] button')
    expect(page.locator("#member-code")).to_have_text(re.compile(r"^\d{4} \d{4}$"))
    checks.page(page, f"{lang}-sign-in-code")
