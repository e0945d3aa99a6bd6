"""Pure mapping: a stored domain event of the antenne -> the integration event it publishes, or None.

Only ids, amounts, categories, dates and coarse facts leave the antenne: a member's name, contact details,
number and every free text stay here (invariant 8). Member.Credited and Member.Debited are internal: the
ledger books the same movement from ExchangeConfirmed and ExchangeReversed, so publishing them would count
it twice. The member roll is internal: member numbers are the antenne's own.
"""

from __future__ import annotations

from functools import singledispatch
from typing import TYPE_CHECKING, Any
from uuid import UUID

from eventsourcing.domain import DomainEvent

from contracts.antenne import v1
from contracts.base import Contract  # at run time: singledispatch reads the annotations
from contracts.envelope import Envelope, event_id, wrap
from contracts.ledger.transfers import (
    RejectReason,
    Side,
    TransferFulfilled,
    TransferKind,
    TransferRejected,
    TransferRequested,
)
from services.antenne.domain import Exchange, Member
from services.antenne.domain.activities import Activity
from services.antenne.domain.donations import Donation, SolidarityPool
from services.antenne.domain.requests import HelpOffer, HelpRequest
from services.antenne.domain.transfers import Transfer, TransferAnswer

if TYPE_CHECKING:
    from eventsourcing.domain import DomainEventProtocol


@singledispatch
def contract_of(domain_event: DomainEvent) -> Contract | None:
    """The public payload of a domain event, or None for an internal one."""
    return None


@contract_of.register
def _member_registered(e: Member.Registered) -> Contract:
    return v1.MemberRegistered(
        member_id=e.originator_id,
        registered_on=e.registered_on,
        age_band=e.age_band,
        shares_with_alliance=e.consents.get("alliance_sharing", False),
        **_coarse(e.facts),
    )


@contract_of.register
def _profile_updated(e: Member.ProfileUpdated) -> Contract:
    return v1.MemberProfileUpdated(member_id=e.originator_id, age_band=e.age_band, **_coarse(e.facts))


def _coarse(facts: dict[str, Any]) -> dict[str, Any]:
    # Only the facts a partner may count: never the `personal` part of the event.
    return {
        "sector": facts["sector"],
        "gives": facts["gives"],
        "asks": facts["asks"],
        "languages": facts["languages"],
        "isolated": facts.get("isolated", False),
    }


@contract_of.register
def _consents_changed(e: Member.ConsentsChanged) -> Contract:
    # Only the consent alliance partners depend on travels; the others concern this antenne alone.
    return v1.MemberConsentsChanged(
        member_id=e.originator_id, shares_with_alliance=e.consents.get("alliance_sharing", False)
    )


@contract_of.register
def _status_changed(e: Member.StatusChanged) -> Contract:
    return v1.MemberStatusChanged(member_id=e.originator_id, status=e.status, changed_on=e.changed_on)


@contract_of.register
def _moved_out(e: Member.MovedOut) -> Contract:
    return v1.MemberMovedOut(member_id=e.originator_id, to_antenne=e.to_antenne, balance=e.balance,
                             moved_on=e.moved_on)  # fmt: skip


@contract_of.register
def _opening_balance(e: Member.OpeningBalanceRecorded) -> Contract:
    # `Member.Imported` (source, file, row, key) stays here: only the amount and the import's id travel.
    return v1.OpeningBalanceRecorded(member_id=e.originator_id, quarters=e.quarters, import_id=e.import_id,
                                     recorded_on=e.recorded_on)  # fmt: skip


@contract_of.register
def _moved_in(e: Member.MovedIn) -> Contract:
    # The profile itself went to this antenne directly (invariant 8): only the facts of the move travel.
    return v1.MemberMovedIn(member_id=e.originator_id, from_antenne=e.from_antenne, balance=e.balance,
                            moved_on=e.moved_on)  # fmt: skip


@contract_of.register
def _exchange_recorded(e: Exchange.Recorded) -> Contract:
    return v1.ExchangeRecorded(
        exchange_id=e.originator_id,
        helper_id=e.helper_id,
        recipient_id=e.recipient_id,
        quarters=e.quarters,
        category=e.category,
        performed_on=e.performed_on,
    )


@contract_of.register
def _exchange_confirmed(e: Exchange.Confirmed) -> Contract:
    return v1.ExchangeConfirmed(
        exchange_id=e.originator_id,
        helper_id=e.helper_id,
        recipient_id=e.recipient_id,
        quarters=e.quarters,
        category=e.category,
        performed_on=e.performed_on,
        confirmed_on=e.confirmed_on,
        automatically=e.confirmation == "automatic",
    )


@contract_of.register
def _exchange_held(e: Exchange.Held) -> Contract:
    return v1.ExchangeHeld(exchange_id=e.originator_id, rules=e.rules, four_eyes=e.four_eyes)


@contract_of.register
def _exchange_approved(e: Exchange.Approved) -> Contract:
    # The reviewer's login stays here: only the decision and its day travel.
    return v1.ExchangeApproved(exchange_id=e.originator_id, approved_on=e.approved_on)


@contract_of.register
def _exchange_disputed(e: Exchange.Disputed) -> Contract:
    return v1.ExchangeDisputed(exchange_id=e.originator_id, disputed_on=e.disputed_on)


@contract_of.register
def _exchange_rejected(e: Exchange.Rejected) -> Contract:
    return v1.ExchangeRejected(exchange_id=e.originator_id, rejected_on=e.rejected_on)


@contract_of.register
def _exchange_reversed(e: Exchange.Reversed) -> Contract:
    return v1.ExchangeReversed(
        exchange_id=e.originator_id,
        helper_id=e.helper_id,
        recipient_id=e.recipient_id,
        quarters=e.quarters,
        reversed_on=e.reversed_on,
    )


@contract_of.register
def _request_taken(e: HelpRequest.Taken) -> Contract:
    return v1.HelpRequestOpened(
        request_id=e.originator_id,
        member_id=e.member_id,
        category=e.category,
        sector=e.sector,
        opened_on=e.taken_on,
    )


@contract_of.register
def _request_matched(e: HelpRequest.HelperAccepted) -> Contract:
    return v1.HelpRequestMatched(request_id=e.originator_id, helper_id=e.helper_id)


@contract_of.register
def _request_done(e: HelpRequest.Done) -> Contract:
    return v1.HelpRequestClosed(
        request_id=e.originator_id,
        outcome=v1.RequestOutcome.DONE,
        closed_on=e.done_on,
        exchange_id=e.exchange_id,
    )


@contract_of.register
def _request_cancelled(e: HelpRequest.Cancelled) -> Contract:
    return v1.HelpRequestClosed(
        request_id=e.originator_id, outcome=v1.RequestOutcome.CANCELLED, closed_on=e.cancelled_on
    )


@contract_of.register
def _request_expired(e: HelpRequest.Expired) -> Contract:
    return v1.HelpRequestClosed(
        request_id=e.originator_id, outcome=v1.RequestOutcome.EXPIRED, closed_on=e.expired_on
    )


@contract_of.register
def _offer_made(e: HelpOffer.Made) -> Contract:
    return v1.HelpOfferMade(
        offer_id=e.originator_id, member_id=e.member_id, category=e.category, made_on=e.made_on
    )


@contract_of.register
def _offer_withdrawn(e: HelpOffer.Withdrawn) -> Contract:
    return v1.HelpOfferWithdrawn(offer_id=e.originator_id, withdrawn_on=e.withdrawn_on)


@contract_of.register
def _donation_made(e: Donation.Made) -> Contract:
    earmarked = e.earmarked_for_member is not None or e.earmarked_for_request is not None
    return v1.DonationMade(
        donation_id=e.originator_id, donor_id=e.donor_id, quarters=e.quarters, made_on=e.made_on,
        to_member_id=e.to_member_id, to_pool=e.to_member_id is None and not earmarked,
        earmarked_for_member=e.earmarked_for_member, earmarked_for_request=e.earmarked_for_request,
        expires_on=e.expires_on, returns_to=e.returns_to, flagged_by=e.flagged_by,
    )  # fmt: skip


@contract_of.register
def _donation_approved(e: Donation.Approved) -> Contract:
    # Only a gift to a member is ever flagged, so `to_member_id` is set; the reviewer stays here.
    return v1.DonationApproved(
        donation_id=e.originator_id, donor_id=e.donor_id, to_member_id=e.to_member_id, quarters=e.quarters,
        approved_on=e.approved_on,
    )  # fmt: skip


@contract_of.register
def _donation_rejected(e: Donation.Rejected) -> Contract:
    return v1.DonationRejected(donation_id=e.originator_id, rejected_on=e.rejected_on)


@contract_of.register
def _donation_used(e: Donation.Used) -> Contract:
    # The amount is the donation's own, fixed at creation: carried so that the event reads on its own.
    return v1.DonationUsed(
        donation_id=e.originator_id, beneficiary_id=e.beneficiary_id, quarters=e.quarters, used_on=e.used_on
    )


@contract_of.register
def _donation_returned(e: Donation.Returned) -> Contract:
    return v1.DonationReturned(
        donation_id=e.originator_id, donor_id=e.donor_id, quarters=e.quarters,
        returned_to=e.returned_to, returned_on=e.returned_on,
    )  # fmt: skip


@contract_of.register
def _pool_granted(e: SolidarityPool.Granted) -> Contract:
    return v1.PoolGranted(
        grant_id=e.grant_id,
        member_id=e.member_id,
        quarters=e.quarters,
        reason=e.reason,
        granted_on=e.granted_on,
    )


@contract_of.register
def _activity_held(e: Activity.Held) -> Contract:
    return v1.ActivityHeld(activity_id=e.originator_id, kind=e.kind, held_on=e.held_on)


@contract_of.register
def _attendance_recorded(e: Activity.AttendanceRecorded) -> Contract:
    return v1.AttendanceRecorded(activity_id=e.originator_id, member_ids=e.member_ids)


@contract_of.register
def _transfer_asked(e: Transfer.Asked) -> Contract:
    # Who asked, and when, stay here: the ledger needs the two sides, the amount, the kind and the day.
    return TransferRequested(
        transfer_id=e.originator_id,
        payer=Side(antenne=e.payer_antenne, member=str(e.payer_id)),
        payee=Side(antenne=e.payee_antenne, member=str(e.payee_id)),
        quarters=e.quarters, kind=TransferKind(e.kind), performed_on=e.performed_on, expires_at=e.expires_at,
    )  # fmt: skip


@contract_of.register
def _transfer_answered(e: TransferAnswer.Given) -> Contract:
    if e.accepted:
        return TransferFulfilled(transfer_id=e.transfer_id)
    return TransferRejected(transfer_id=e.transfer_id, reason=RejectReason(e.reason or RejectReason.DECLINED))


def to_envelope(
    domain_event: DomainEventProtocol[UUID],
    *,
    antenne_id: str,
    position: int,
    previous_position: int | None,
) -> Envelope | None:
    """The envelope to publish for a stored event at `position`, chained to `previous_position`."""
    if not isinstance(domain_event, DomainEvent):
        return None
    payload = contract_of(domain_event)
    if payload is None:
        return None
    aggregate_id = domain_event.originator_id
    version = domain_event.originator_version
    return wrap(
        payload,
        antenne_id=antenne_id,
        aggregate_id=aggregate_id,
        aggregate_version=version,
        occurred_at=domain_event.timestamp,
        position=position,
        previous_position=previous_position,
        # Everything that happens to one aggregate shares the id of its first event.
        correlation_id=event_id(antenne_id, aggregate_id, 1),
        causation_id=event_id(antenne_id, aggregate_id, version - 1) if version > 1 else None,
    )
