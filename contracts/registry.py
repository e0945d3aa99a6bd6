"""Every contract by (type, version): how readers turn an envelope's data into a model."""

from __future__ import annotations

from contracts.alliance import v1 as alliance_v1
from contracts.antenne import v1 as antenne_v1
from contracts.base import Contract
from contracts.ledger import decisions as ledger_decisions
from contracts.ledger import transfers
from contracts.partner import v1 as partner_v1

CONTRACTS: tuple[type[Contract], ...] = (
    antenne_v1.MemberRegistered,
    antenne_v1.ExchangeRecorded,
    antenne_v1.ExchangeConfirmed,
    antenne_v1.MemberProfileUpdated,
    antenne_v1.MemberStatusChanged,
    antenne_v1.MemberConsentsChanged,
    antenne_v1.HelpRequestOpened,
    antenne_v1.HelpRequestMatched,
    antenne_v1.HelpRequestClosed,
    antenne_v1.HelpOfferMade,
    antenne_v1.HelpOfferWithdrawn,
    antenne_v1.ExchangeDisputed,
    antenne_v1.ExchangeRejected,
    antenne_v1.ExchangeReversed,
    antenne_v1.DonationMade,
    antenne_v1.DonationUsed,
    antenne_v1.DonationReturned,
    antenne_v1.PoolGranted,
    antenne_v1.ExchangeHeld,
    antenne_v1.ExchangeApproved,
    antenne_v1.ActivityHeld,
    antenne_v1.AttendanceRecorded,
    antenne_v1.MemberMovedOut,
    antenne_v1.MemberMovedIn,
    antenne_v1.DonationApproved,
    antenne_v1.DonationRejected,
    antenne_v1.OpeningBalanceRecorded,
    ledger_decisions.BalanceChanged,
    ledger_decisions.OverdraftFlagged,
    ledger_decisions.MemberRehomed,
    # Two-phase transfers: asked and answered by antennes (in their chains) and partners ...
    transfers.TransferRequested,
    transfers.TransferFulfilled,
    transfers.TransferRejected,
    # ... and decided by the ledger, which also publishes its other decisions.
    transfers.TransferPrepared,
    transfers.TransferRefused,
    transfers.TransferCommitted,
    transfers.TransferReleased,
    transfers.ClearingRecorded,
    alliance_v1.PartnerTransfer,
    alliance_v1.PartnerAnswer,
    partner_v1.ExchangeShared,
    partner_v1.WeekFigures,
    partner_v1.ExchangeWithdrawn,
    partner_v1.WeekClosed,
)

_BY_KEY: dict[tuple[str, int], type[Contract]] = {(c.TYPE, c.VERSION): c for c in CONTRACTS}


class UnknownContractError(LookupError):
    """No contract is known for this type and version (a newer producer, or a typo)."""

    def __init__(self, type_name: str, version: int) -> None:
        super().__init__(f"no contract for type {type_name!r} version {version}")
        self.type_name = type_name
        self.version = version


def contract_for(type_name: str, version: int) -> type[Contract]:
    """The contract class for a type and version."""
    try:
        return _BY_KEY[(type_name, version)]
    except KeyError:
        raise UnknownContractError(type_name, version) from None
