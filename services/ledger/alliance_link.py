"""The ledger's NATS link with alliance partners: takes in their transfers, publishes its decisions.

Intake: a durable pull consumer on `alliance.*.requests.>`; the partner is the subject's (the server lets
a partner publish only there), the message is a `PartnerTransfer` or a `PartnerAnswer`, decided at the
time JetStream stored it, and acknowledged after the ledger saved it. A repeat (same idempotency key,
or an answer to a final transfer) changes nothing; a message the ledger cannot act on is parked on the
dead-letter stream with the reason, never dropped.

Decisions: the relay tails the ledger's own log (its outbox) and publishes each decision about a partner
on `alliance.<partner>.decisions.<type>`, with a stable message id; it resumes after the ledger position
in the last message of the decisions stream, so a crash between save and publish costs a republish.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import nats
from nats.errors import TimeoutError as NatsTimeoutError
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy
from nats.js.errors import NotFoundError
from pydantic import ValidationError

from contracts.alliance.v1 import PartnerAnswer, PartnerTransfer
from contracts.ledger.transfers import RejectReason
from contracts.subjects import (
    ALLIANCE_DECISIONS_STREAM,
    ALLIANCE_REQUESTS_STREAM,
    ALLIANCE_REQUESTS_SUBJECTS,
    alliance_decision_subject,
    deadletter_subject,
    partner_of_subject,
)
from services.ledger.alliance import ClearingRun
from services.ledger.decisions import clearing_decision, decision_message_id, partners_of, transfer_decision
from services.ledger.domain import LedgerError
from services.ledger.transfers import CrossTransfer, TransferNotFoundError
from services.ledger.transfers_api import partner_request
from services.messaging.consumer import REASON_HEADER
from services.messaging.streams import ALLIANCE_STREAMS, STREAMS, ensure_streams
from services.persistence import redacted

if TYPE_CHECKING:
    from nats.aio.client import Client
    from nats.aio.msg import Msg
    from nats.js.client import JetStreamContext

    from services.ledger.application import Ledger

log = logging.getLogger(__name__)

POSITION_HEADER = "Bp-Ledger-Position"
DECISION_TOPICS = tuple(
    f"{cls.__module__}:{cls.__qualname__}"
    for cls in (
        CrossTransfer.Prepared,
        CrossTransfer.Refused,
        CrossTransfer.Committed,
        CrossTransfer.Released,
        ClearingRun.Recorded,
    )
)


class UnusableMessageError(Exception):
    """A partner message the ledger cannot act on: parked with this reason."""


def handle_partner_message(ledger: Ledger, subject: str, data: bytes, stored_at: datetime) -> None:
    """Apply one partner message; raises UnusableMessageError when it must be parked."""
    partner_id = partner_of_subject(subject)
    by = f"partner:{partner_id}"
    try:
        if subject.endswith(f".{PartnerTransfer.TYPE}"):
            sent = PartnerTransfer.model_validate_json(data)
            ledger.request_transfer(partner_request(partner_id, sent), by, stored_at)
        elif subject.endswith(f".{PartnerAnswer.TYPE}"):
            answer = PartnerAnswer.model_validate_json(data)
            if answer.fulfilled:
                ledger.fulfil_transfer(answer.transfer_id, by, stored_at)
            else:
                ledger.reject_transfer(
                    answer.transfer_id, by, answer.reason or RejectReason.DECLINED, stored_at
                )
        else:
            raise UnusableMessageError(f"unknown message type on {subject}")
    except TransferNotFoundError:
        raise  # an answer ahead of its request: tried again later
    except (ValidationError, LedgerError) as error:
        raise UnusableMessageError(f"{type(error).__name__}: {error}") from error


async def _connect(nats_url: str, name: str) -> Client:
    client: Client = await asyncio.wait_for(
        nats.connect(
            nats_url, name=name, connect_timeout=2, max_reconnect_attempts=-1, reconnect_time_wait=0.5
        ),
        timeout=5,
    )
    return client


@dataclass
class AllianceLink:
    """Both directions of the partner link, reconnecting after any failure."""

    ledger: Ledger
    nats_url: str
    durable: str = "ledger-alliance"
    batch: int = 100
    poll_seconds: float = 0.5
    max_early_deliveries: int = 120  # an answer waits about two minutes for its request, then is parked
    publish: bool = True  # a rebuild takes in only
    published: int = 0
    applied: int = 0
    parked: int = 0
    _position: int | None = field(default=None, init=False)

    async def run(self, stop: asyncio.Event) -> None:
        """Take in and publish until `stop` is set."""
        while not stop.is_set():
            try:
                nc = await _connect(self.nats_url, self.durable)
            except Exception as error:
                log.warning(
                    "alliance link: NATS unavailable at %s (%s); retrying", redacted(self.nats_url), error
                )
                await _sleep_unless(stop, 1.0)
                continue
            try:
                js = nc.jetstream()
                await ensure_streams(js, STREAMS + ALLIANCE_STREAMS)
                work = [self._take_in(js, stop)] + ([self._publish(js, stop)] if self.publish else [])
                await asyncio.gather(*work)
            except Exception:
                log.exception("alliance link lost; reconnecting")
                await _sleep_unless(stop, 1.0)
            finally:
                self._position = None
                await nc.close()

    async def _take_in(self, js: JetStreamContext, stop: asyncio.Event) -> None:
        config = ConsumerConfig(durable_name=self.durable, ack_policy=AckPolicy.EXPLICIT,
                                deliver_policy=DeliverPolicy.ALL, ack_wait=30, max_deliver=-1)  # fmt: skip
        subscription = await js.pull_subscribe(
            ALLIANCE_REQUESTS_SUBJECTS, durable=self.durable, stream=ALLIANCE_REQUESTS_STREAM, config=config
        )
        try:
            while not stop.is_set():
                try:
                    messages = await subscription.fetch(self.batch, timeout=1.0)
                except (TimeoutError, NatsTimeoutError):
                    continue
                for message in messages:
                    await self._handle(js, message)
        finally:
            with contextlib.suppress(Exception):
                await subscription.unsubscribe()

    async def _handle(self, js: JetStreamContext, message: Msg) -> None:
        stored_at = message.metadata.timestamp.astimezone(UTC)
        try:
            await asyncio.to_thread(
                handle_partner_message, self.ledger, message.subject, message.data, stored_at
            )
        except TransferNotFoundError as error:
            if message.metadata.num_delivered < self.max_early_deliveries:
                await message.nak(delay=1.0)  # its request is in another stream, not taken in yet
                return
            await self._park(js, message, str(error))
        except UnusableMessageError as reason:
            await self._park(js, message, str(reason))
        else:
            self.applied += 1
        await message.ack()

    async def _park(self, js: JetStreamContext, message: Msg, reason: str) -> None:
        """Keep a message the ledger cannot act on, with the reason; never drop it."""
        log.error("alliance link parks a message on %s: %s", message.subject, reason)
        headers = {REASON_HEADER: reason[:1000], "Bp-Original-Subject": message.subject}
        await js.publish(deadletter_subject(self.durable), message.data, headers=headers)
        self.parked += 1

    async def _publish(self, js: JetStreamContext, stop: asyncio.Event) -> None:
        if self._position is None:
            self._position = await _last_published(js)
        while not stop.is_set():
            published = await self._publish_some(js)
            if not published:
                await _sleep_unless(stop, self.poll_seconds)

    async def _publish_some(self, js: JetStreamContext) -> int:
        assert self._position is not None
        decisions = await asyncio.to_thread(self._decisions_after, self._position)
        for position, partner_id, message_id, contract in decisions:
            subject = alliance_decision_subject(partner_id, contract.TYPE)
            headers = {"Nats-Msg-Id": message_id, POSITION_HEADER: str(position)}
            await js.publish(subject, contract.model_dump_json().encode(), headers=headers)
            self.published += 1
        if decisions:
            self._position = decisions[-1][0]
        return len(decisions)

    def _decisions_after(self, position: int) -> list[tuple[int, str, str, Any]]:
        """(ledger position, partner, message id, contract) of each decision past `position`."""
        found = []
        notifications = self.ledger.recorder.select_notifications(
            start=position + 1, limit=self.batch, topics=DECISION_TOPICS
        )
        for notification in notifications:
            event = self.ledger.mapper.to_domain_event(notification)
            aggregate: CrossTransfer | ClearingRun = self.ledger.repository.get(
                event.originator_id, version=event.originator_version
            )
            if isinstance(aggregate, CrossTransfer):
                contract, partners = transfer_decision(aggregate), partners_of(aggregate)
            else:
                contract, partners = clearing_decision(aggregate), tuple(aggregate.partner_positions)
            for partner_id in partners:
                message_id = decision_message_id(aggregate.id, event.originator_version, partner_id)
                found.append((notification.id, partner_id, message_id, contract))
        if notifications and not found:  # decisions about antennes only: move past them all the same
            self._position = notifications[-1].id
        return found


async def _last_published(js: JetStreamContext) -> int:
    """The ledger position in the decisions stream's last message: where publishing resumes."""
    info = await js.stream_info(ALLIANCE_DECISIONS_STREAM)
    if not info.state.last_seq:
        return 0
    try:
        last = await js.get_msg(ALLIANCE_DECISIONS_STREAM, seq=info.state.last_seq)
    except NotFoundError:
        return 0
    return int((last.headers or {}).get(POSITION_HEADER, "0"))


async def _sleep_unless(stop: asyncio.Event, seconds: float) -> None:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), seconds)
