"""A coordinator sends hours to another antenne and accepts hours sent here, in French; axe on each page."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import uuid4

from playwright.sync_api import Page, expect

from contracts.envelope import wrap_ledger_decision
from contracts.ledger.transfers import Side, TransferPrepared
from services.antenne.ledger_view import make_ledger_view
from tests.browser.conftest import Antenne, Checks
from tests.browser.test_desk_flow import register, sign_in_as_coordinator, submit
from tests.support.dates import RECENT_ISO

LAKEN_MEMBER = "6f1c0e55-8d4e-4a57-9d1f-0b6f2c1d9a10"


def _held_for(antenne: Antenne, member_id: str) -> None:
    """The ledger's `transfer.prepared` for a member here, as the feedback consumer would store it."""
    now = datetime.now(UTC)
    payload = TransferPrepared(
        transfer_id=uuid4(), payer=Side(antenne="laken", member=LAKEN_MEMBER),
        payee=Side(antenne="jette", member=member_id), quarters=6, payee_quarters=6,
        expires_at=now + timedelta(days=7), decided_at=now - timedelta(minutes=3),
    )  # fmt: skip
    envelope = wrap_ledger_decision(
        payload, addressee="jette", aggregate_id=payload.transfer_id, aggregate_version=1, occurred_at=now,
        position=1, previous_position=None,  # the first decision this antenne (NATS-less) ever sees
    )  # fmt: skip
    view = make_ledger_view(antenne.database_url)
    try:
        assert view.apply(envelope, payload)
    finally:
        view.close()


def test_a_coordinator_sends_and_accepts_hours_with_another_antenne(
    page: Page, antenne: Antenne, checks: Checks
) -> None:
    sign_in_as_coordinator(page, antenne, "fr")
    number = register(page, "Odette Lambert", "fr", talents="knitting")
    _held_for(antenne, page.locator("dd code").inner_text())

    page.click('nav a[href="/desk/transfers"]')
    waiting = page.locator(".card", has_text="Odette Lambert")
    expect(waiting).to_contain_text("1 h 30")
    expect(waiting).to_contain_text("il y a 3 minutes")
    checks.page(page, "fr-transfers")

    submit(page, "/desk/transfers")
    expect(page.locator("#payee_antenne-error")).to_contain_text("nom court de l'autre antenne")
    expect(page.locator("#payee_id")).to_have_attribute("aria-invalid", "true")
    checks.page(page, "fr-transfers-errors")

    page.fill("#payer", number)
    page.fill("#payee_antenne", "laken")
    page.fill("#payee_id", LAKEN_MEMBER)
    page.check('input[name="kind"][value="donation"]')
    page.fill("#hours", "0")
    page.select_option("#minutes", "45")
    page.fill("#performed_on", RECENT_ISO)
    submit(page, "/desk/transfers")
    expect(page.locator(".flash")).to_contain_text("Le service central décide")
    expect(page.locator("section", has_text="Envoyé d'ici")).to_contain_text("attend le service central")

    waiting.locator('form[action$="/accept"] button').click()
    expect(page.locator(".flash")).to_contain_text("Accepté.")
    expect(page.locator("section", has_text="Reçu ici")).to_contain_text("accepté ici")
    checks.page(page, "fr-transfers-answered")
