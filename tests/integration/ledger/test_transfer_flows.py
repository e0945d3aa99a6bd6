"""Cross-antenne and partner flows over a real JetStream into a ledger on PostgreSQL, and a rebuild.

Antennes put their transfer requests and answers in their own chains; a partner sends on its alliance
subjects; the ledger decides and publishes its decisions for the partner from its own log.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from uuid import UUID, uuid4

import nats
import pytest

from contracts.alliance.v1 import PartnerAnswer, PartnerTransfer
from contracts.antenne.v1 import MemberMovedIn, MemberMovedOut
from contracts.ledger.transfers import (
    RejectReason,
    Side,
    TransferFulfilled,
    TransferKind,
    TransferRejected,
    TransferRequested,
)
from contracts.subjects import ALLIANCE_DECISIONS_STREAM, alliance_request_subject
from services.ledger.alliance import Alliance, PartnerAgreement
from services.ledger.alliance_link import AllianceLink
from services.ledger.application import Ledger
from services.ledger.transfers import TransferState, partner_transfer_id
from services.messaging.consumer import ChainConsumer
from services.messaging.nats_server import NatsServer
from services.messaging.streams import ALLIANCE_STREAMS, ensure_streams
from services.persistence import eventsourcing_env
from tests.integration.ledger.relay import Relay
from tests.support.dates import RECENT
from tests.unit.ledger.antenne_events import AntenneEvents

pytestmark = pytest.mark.integration

ALLIANCE = Alliance((PartnerAgreement("bdbd", "Bras dessus Bras dessous", bilateral_limit=200),))


def _ledger(database_url: str) -> Ledger:
    return Ledger(env=eventsourcing_env(database_url), alliance=ALLIANCE)


@asynccontextmanager
async def _running(
    nats_url: str, ledger: Ledger, name: str = "ledger", publish: bool = True
) -> AsyncIterator[AllianceLink]:
    consumer = ChainConsumer(nats_url, durable=name, sink=ledger, gap_retry_seconds=0.1)
    link = AllianceLink(ledger, nats_url, durable=f"{name}-alliance", poll_seconds=0.05, publish=publish)
    stop = asyncio.Event()
    tasks = [asyncio.create_task(consumer.run(stop)), asyncio.create_task(link.run(stop))]
    try:
        yield link
    finally:
        stop.set()
        await asyncio.wait_for(asyncio.gather(*tasks), 15)


async def _until(condition: Callable[[], bool], timeout: float = 20.0) -> None:
    async with asyncio.timeout(timeout):
        while not condition():
            await asyncio.sleep(0.05)


def _state(ledger: Ledger, transfer_id: UUID) -> TransferState | None:
    made = ledger.desk.books.cross_transfer(transfer_id)
    return made.state if made is not None else None


def _ask(
    payer: Side, payee: Side, quarters: int, kind: TransferKind = TransferKind.EXCHANGE
) -> TransferRequested:
    return TransferRequested(transfer_id=uuid4(), payer=payer, payee=payee, quarters=quarters, kind=kind,
                             performed_on=RECENT)  # fmt: skip


def test_a_cross_antenne_exchange_commits_and_a_rejected_donation_is_released(
    nats_server: NatsServer, postgres_dsn: str
) -> None:
    laken, jette = AntenneEvents("laken"), AntenneEvents("jette")
    payer_reg, payee_reg = laken.register(), jette.register()
    payer = Side(antenne="laken", member=str(payer_reg.aggregateid))
    payee = Side(antenne="jette", member=str(payee_reg.aggregateid))
    exchange, gift = _ask(payer, payee, 6), _ask(payer, payee, 2, TransferKind.DONATION)
    laken.emit(exchange, exchange.transfer_id)
    laken.emit(gift, gift.transfer_id)

    async def scenario(ledger: Ledger) -> None:
        relay = await Relay.connect(nats_server.url)
        async with _running(nats_server.url, ledger):
            await relay.publish(*laken.published, payee_reg)
            await relay.publish(*laken.published, msg_id_suffix=":again")  # redelivered after the window
            await _until(lambda: _state(ledger, gift.transfer_id) is TransferState.PREPARED)
            assert ledger.balance(payer_reg.aggregateid) == -8  # both held at the payer's side
            answers = [
                jette.emit(TransferFulfilled(transfer_id=exchange.transfer_id), exchange.transfer_id),
                jette.emit(TransferRejected(transfer_id=gift.transfer_id, reason=RejectReason.DECLINED),
                           gift.transfer_id),
            ]  # fmt: skip
            await relay.publish(*answers)
            await _until(lambda: _state(ledger, gift.transfer_id) is TransferState.RELEASED)
            await _until(lambda: _state(ledger, exchange.transfer_id) is TransferState.COMMITTED)
        await relay.close()

    with _ledger(postgres_dsn) as ledger:
        asyncio.run(scenario(ledger))
        assert (ledger.balance(payer_reg.aggregateid), ledger.balance(payee_reg.aggregateid)) == (-6, 6)
        assert ledger.audit().sum_of_accounts == 0


def test_after_a_move_the_balance_follows_and_the_old_home_can_no_longer_spend(
    nats_server: NatsServer, postgres_dsn: str
) -> None:
    laken, jette = AntenneEvents("laken"), AntenneEvents("jette")
    mover, helper = laken.register(), laken.register()
    laken.exchange(mover.aggregateid, helper.aggregateid, 12)  # the mover earns 12 in Laken
    member = mover.aggregateid
    laken.emit(MemberMovedOut(member_id=member, to_antenne="jette", balance=12, moved_on=RECENT), member, 2)
    jette.emit(MemberMovedIn(member_id=member, from_antenne="laken", balance=12, moved_on=RECENT), member, 3)
    stale = _ask(Side(antenne="laken", member=str(member)), Side(antenne="evere", member=str(uuid4())), 4)
    fresh = _ask(Side(antenne="jette", member=str(member)), Side(antenne="evere", member=str(uuid4())), 4)

    async def scenario(ledger: Ledger) -> None:
        relay = await Relay.connect(nats_server.url)
        async with _running(nats_server.url, ledger):
            await relay.publish(*laken.published, *jette.published)
            await _until(lambda: ledger.last_position("jette") == 1)
            await relay.publish(laken.emit(stale, stale.transfer_id), jette.emit(fresh, fresh.transfer_id))
            await _until(lambda: _state(ledger, fresh.transfer_id) is TransferState.PREPARED)
            await _until(lambda: _state(ledger, stale.transfer_id) is TransferState.REFUSED)
        await relay.close()

    with _ledger(postgres_dsn) as ledger:
        asyncio.run(scenario(ledger))
        assert ledger.statement(member).home_antenne == "jette"
        assert ledger.cross_transfer(stale.transfer_id).reason == "moved_away"
        assert ledger.balance(member) == 12 - 4  # the balance followed; 4 are held for Evere


async def _decisions(nats_url: str) -> list[str]:
    nc = await nats.connect(nats_url)
    try:
        info = await nc.jetstream().stream_info(ALLIANCE_DECISIONS_STREAM)
        subjects: list[str] = []
        for seq in range(1, (info.state.last_seq or 0) + 1):
            subjects.append((await nc.jetstream().get_msg(ALLIANCE_DECISIONS_STREAM, seq=seq)).subject or "")
        return subjects
    finally:
        await nc.close()


def test_a_partner_transfer_both_ways_with_decisions_published_once_and_a_rebuild_equal_to_the_ledger(
    nats_server: NatsServer, postgres_server: object, postgres_dsn: str, tmp_path: object
) -> None:
    jette = AntenneEvents("jette")
    ours, theirs = jette.register(), "bdbd-member-17"
    member = Side(antenne="jette", member=str(ours.aggregateid))
    sent = PartnerTransfer(
        idempotency_key="bdbd-2026-0001",
        from_partner_member=theirs,
        to_member=ours.aggregateid,
        to_antenne="jette",
        quarters=10,
        kind=TransferKind.EXCHANGE,
        performed_on=RECENT,
    )
    incoming = partner_transfer_id("bdbd", sent.idempotency_key)
    outgoing = _ask(member, Side(partner="bdbd", member=theirs), 3, TransferKind.DONATION)

    async def partner_sends(*messages: PartnerTransfer | PartnerAnswer) -> None:
        nc = await nats.connect(nats_server.url)
        await ensure_streams(nc.jetstream(), ALLIANCE_STREAMS)
        for number, message in enumerate(messages):
            subject = alliance_request_subject("bdbd", message.TYPE)
            headers = {"Nats-Msg-Id": f"{uuid4()}-{number}"}  # a resend the stream cannot catch
            await nc.jetstream().publish(subject, message.model_dump_json().encode(), headers=headers)
        await nc.close()

    async def traffic(ledger: Ledger) -> None:
        relay = await Relay.connect(nats_server.url)
        async with _running(nats_server.url, ledger) as link:
            await relay.publish(ours)
            await partner_sends(sent, sent)  # the same idempotency key twice
            await _until(lambda: _state(ledger, incoming) is TransferState.PREPARED)
            await relay.publish(jette.emit(TransferFulfilled(transfer_id=incoming), incoming))
            await relay.publish(jette.emit(outgoing, outgoing.transfer_id))
            await _until(lambda: _state(ledger, outgoing.transfer_id) is TransferState.PREPARED)
            await partner_sends(PartnerAnswer(transfer_id=outgoing.transfer_id, fulfilled=True))
            await _until(lambda: _state(ledger, outgoing.transfer_id) is TransferState.COMMITTED)
            await _until(lambda: link.published == 4)
        async with _running(nats_server.url, ledger) as restarted:  # a restart republishes nothing
            await asyncio.sleep(0.5)
            assert restarted.published == 0
        await relay.close()

    with _ledger(postgres_dsn) as ledger:
        asyncio.run(traffic(ledger))
        assert ledger.partner_position("bdbd") == -10 + 3
        assert (ledger.balance(ours.aggregateid), ledger.cross_transfer(incoming).state) == (
            7,
            TransferState.COMMITTED,
        )
        month = datetime.now(UTC).strftime("%Y-%m")
        statement = ledger.settlement("bdbd", month)
        assert (statement.paid_out, statement.received, statement.closing_position) == (3, 10, -7)
        live = _books(ledger, [ours.aggregateid], [incoming, outgoing.transfer_id])

    subjects = asyncio.run(_decisions(nats_server.url))
    assert subjects == [
        "alliance.bdbd.decisions.transfer.prepared", "alliance.bdbd.decisions.transfer.committed",
        "alliance.bdbd.decisions.transfer.prepared", "alliance.bdbd.decisions.transfer.committed",
    ]  # fmt: skip

    # Invariant 7: a ledger rebuilt from the streams alone equals the live one.
    rebuilt_dsn = postgres_server.create_database(f"rebuild_{uuid4().hex[:12]}")  # type: ignore[attr-defined]

    async def rebuild(ledger: Ledger) -> None:
        async with _running(nats_server.url, ledger, name="rebuild", publish=False):
            await _until(lambda: _state(ledger, outgoing.transfer_id) is TransferState.COMMITTED)

    with _ledger(rebuilt_dsn) as rebuilt:
        asyncio.run(rebuild(rebuilt))
        assert _books(rebuilt, [ours.aggregateid], [incoming, outgoing.transfer_id]) == live


def _books(ledger: Ledger, members: list[UUID], transfers: list[UUID]) -> tuple[object, ...]:
    audit = ledger.audit()
    states = [(t, ledger.cross_transfer(t).state, ledger.cross_transfer(t).decided_at) for t in transfers]
    return (
        [ledger.balance(m) for m in members],
        ledger.partner_position("bdbd"),
        states,
        (audit.accounts, audit.sum_of_accounts, audit.confirmed_quarters),
    )
