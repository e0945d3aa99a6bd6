"""A member signs in with the code from the desk, confirms help, offers help and gives hours: nl and fr."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import Antenne, Checks
from tests.browser.desk import api, member, sign_in_code
from tests.support.dates import RECENT_ISO

SAYS = {
    "nl": {"balance": "0 u 30", "after_gift": "0 u 15", "saved": "Dank u, het is bewaard.",
           "empty_hours": "Vul een tijd in die langer is dan nul.", "question": "Hebt u deze hulp gekregen?"},
    "fr": {"balance": "0 h 30", "after_gift": "0 h 15", "saved": "Merci, c'est enregistré.",
           "empty_hours": "Indiquez une durée supérieure à zéro.", "question": "Avez-vous reçu cette aide ?"},
}  # fmt: skip


def _help(antenne: Antenne, helper: str, recipient: str, quarters: int, *, confirm: bool) -> None:
    body = {"helper_id": helper, "recipient_id": recipient, "quarters": quarters, "category": "shopping",
            "performed_on": RECENT_ISO}  # fmt: skip
    exchange = api(antenne, "POST", "/exchanges", body)["exchange_id"]
    if confirm:
        api(antenne, "POST", f"/exchanges/{exchange}/confirm")


@pytest.mark.parametrize("lang", ["nl", "fr"])
def test_a_member_uses_their_pages(page: Page, antenne: Antenne, checks: Checks, lang: str) -> None:
    says = SAYS[lang]
    helper, _ = member(antenne, f"Luc Vermeulen {lang}")
    rosa, number = member(antenne, f"Rosa Janssens {lang}")
    _help(antenne, rosa, helper, 8, confirm=True)  # Rosa gave two hours...
    _help(antenne, helper, rosa, 6, confirm=False)  # ...and received an hour and a half, to confirm
    code = sign_in_code(antenne, rosa)

    page.goto(f"{antenne.url}/?lang={lang}")
    page.click('a[href="/signin/member"]')
    page.fill("#number", number.lower())
    page.fill("#code", code)
    checks.page(page, f"{lang}-member-sign-in")
    page.click('main form[action="/signin/member"] button')
    expect(page.locator("main")).to_contain_text(says["question"])
    checks.page(page, f"{lang}-my-hours")

    page.click('form[action$="/confirm"] button')
    expect(page.locator(".flash")).to_have_text(says["saved"])
    expect(page.locator("#balance")).to_have_text(says["balance"])
    checks.page(page, f"{lang}-my-hours-confirmed")

    page.click('nav a[href="/me/post"]')
    page.check('input[name="kind"][value="offer"]')
    page.select_option("#category", "pets")
    page.fill("#description", "walking the dog")
    checks.page(page, f"{lang}-member-post")
    page.click('main form[action="/me/post"] button')
    expect(page.locator(".flash")).to_have_text(says["saved"])

    page.click('nav a[href="/me/donate"]')
    page.click('main form[action="/me/donate"] button')
    expect(page.locator("#hours-error")).to_contain_text(says["empty_hours"])
    expect(page.locator(".error-summary")).to_be_visible()
    checks.page(page, f"{lang}-give-hours-errors")
    page.fill("#hours", "0")
    page.select_option("#minutes", "15")
    page.click('main form[action="/me/donate"] button')
    expect(page.locator("#balance")).to_have_text(says["after_gift"])

    page.set_viewport_size({"width": 390, "height": 844})  # a phone
    page.reload()
    checks.page(page, f"{lang}-my-hours-phone")
