"""A partner's transfer over NATS with its own credentials reaches the ledger (ledger's credentials), and the
ledger's decisions reach that partner, as `credentials generate` configures the server."""

from __future__ import annotations

import asyncio
from uuid import uuid4

import nats
import pytest
from nats.aio.msg import Msg

from contracts.alliance.v1 import PartnerTransfer
from contracts.ledger.transfers import TransferKind, TransferPrepared
from contracts.subjects import alliance_request_subject
from services.credentials.permissions import partner_user
from services.ledger.alliance import Alliance, PartnerAgreement
from services.ledger.alliance_link import AllianceLink
from services.ledger.application import Ledger
from services.ledger.transfers import TransferState, partner_transfer_id
from services.persistence import eventsourcing_env
from tests.integration.federation.conftest import SecuredNats
from tests.support.dates import RECENT

pytestmark = pytest.mark.integration


def test_a_partner_sends_with_its_own_user_and_reads_the_ledgers_decision(secured_nats: SecuredNats) -> None:
    alliance = Alliance((PartnerAgreement("bras-dessus", "Bras dessus Bras dessous"),))
    sent = PartnerTransfer(idempotency_key="bdbd-secured-0001", from_partner_member="bdbd-m-9",
                           to_member=uuid4(), to_antenne="jette", quarters=6, kind=TransferKind.EXCHANGE,
                           performed_on=RECENT)  # fmt: skip
    transfer_id = partner_transfer_id("bras-dessus", sent.idempotency_key)

    async def scenario(ledger: Ledger) -> Msg:
        link = AllianceLink(ledger, secured_nats.url("ledger"), poll_seconds=0.05)
        stop = asyncio.Event()
        task = asyncio.create_task(link.run(stop))
        partner = await nats.connect(secured_nats.url(partner_user("bras-dessus")))
        decisions: asyncio.Queue[Msg] = asyncio.Queue()
        await partner.subscribe("alliance.bras-dessus.decisions.>", cb=decisions.put)
        await partner.flush()
        try:
            async with asyncio.timeout(20):
                while True:  # plain publishes: resent until the ledger's decision arrives (idempotent)
                    subject = alliance_request_subject("bras-dessus", sent.TYPE)
                    await partner.publish(subject, sent.model_dump_json().encode())
                    try:
                        return await asyncio.wait_for(decisions.get(), 1.0)
                    except TimeoutError:
                        continue
        finally:
            await partner.close()
            stop.set()
            await asyncio.wait_for(task, 10)

    with Ledger(env=eventsourcing_env("memory:"), alliance=alliance) as ledger:
        decision = asyncio.run(scenario(ledger))
        assert decision.subject == "alliance.bras-dessus.decisions.transfer.prepared"
        assert TransferPrepared.model_validate_json(decision.data).transfer_id == transfer_id
        assert ledger.cross_transfer(transfer_id).state is TransferState.PREPARED
        assert len(ledger.cross_transfers()) == 1  # however many times it was sent
