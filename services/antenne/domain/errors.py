"""The antenne's domain errors: each says what was refused and why, in one sentence."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from datetime import date, datetime
    from uuid import UUID


class AntenneError(Exception):
    """Base class of the antenne's domain errors."""


class NotFoundError(AntenneError):
    """Something named by id does not exist at this antenne."""


class ConflictError(AntenneError):
    """The command does not fit the current state of what it acts on."""


class MemberNotFoundError(NotFoundError):
    """No member with this id is registered at the antenne."""

    def __init__(self, member_id: UUID | str) -> None:
        super().__init__(f"no member {member_id} is registered at this antenne")
        self.member_id = member_id


class ExchangeNotFoundError(NotFoundError):
    """No exchange with this id was recorded at the antenne."""

    def __init__(self, exchange_id: UUID) -> None:
        super().__init__(f"no exchange {exchange_id} was recorded at this antenne")
        self.exchange_id = exchange_id


class HelpRequestNotFoundError(NotFoundError):
    """No help request with this id was taken at the antenne."""

    def __init__(self, request_id: UUID) -> None:
        super().__init__(f"no help request {request_id} was taken at this antenne")
        self.request_id = request_id


class HelpOfferNotFoundError(NotFoundError):
    """No offer with this id was made at the antenne."""

    def __init__(self, offer_id: UUID) -> None:
        super().__init__(f"no offer {offer_id} was made at this antenne")
        self.offer_id = offer_id


class BlankDisplayNameError(AntenneError):
    """A member needs a name the coordinators can call them by."""

    def __init__(self) -> None:
        super().__init__("display_name must not be blank")


class BirthYearOutOfRangeError(AntenneError):
    """A year of birth is a plausible past year."""

    def __init__(self, birth_year: int) -> None:
        super().__init__(f"birth_year {birth_year} is not a plausible year of birth")
        self.birth_year = birth_year


class MemberNotActiveError(ConflictError):
    """Only an active member takes part in new help; a paused, departed or moved member does not."""

    def __init__(self, member_id: UUID, status: str) -> None:
        super().__init__(f"member {member_id} is {status}, not active: no new help is recorded for them")
        self.member_id = member_id
        self.status = status


class MemberErasedError(ConflictError):
    """The member's personal data was erased: nothing personal is recorded for them again."""

    def __init__(self, member_id: UUID) -> None:
        super().__init__(f"the personal data of member {member_id} was erased: it cannot be changed any more")
        self.member_id = member_id


class StatusChangeError(ConflictError):
    """A member's status moves only along active <-> paused, and to left or moved once."""

    def __init__(self, member_id: UUID, current: str, wanted: str) -> None:
        super().__init__(f"member {member_id} is {current}: cannot become {wanted}")
        self.member_id = member_id


class SelfHelpError(AntenneError):
    """Help is given to someone else: a member cannot earn time credits from themself."""

    def __init__(self, member_id: UUID) -> None:
        super().__init__(f"member {member_id} cannot be both helper and recipient of an exchange")
        self.member_id = member_id


class QuartersOutOfRangeError(AntenneError):
    """An exchange lasts a whole number of quarter hours, from 1 to the antenne's maximum."""

    def __init__(self, quarters: object, maximum: int) -> None:
        super().__init__(f"quarters must be a whole number from 1 to {maximum}, got {quarters!r}")
        self.quarters = quarters
        self.maximum = maximum


class InvalidAmountError(AntenneError):
    """Balances move by whole, positive quarter hours."""

    def __init__(self, quarters: object) -> None:
        super().__init__(f"invalid amount {quarters!r}: use a positive whole number of quarter hours")
        self.quarters = quarters


class BackdatedTooFarError(AntenneError):
    """Help is recorded soon after it happened: the antenne sets how far back a date may lie."""

    def __init__(self, performed_on: date, earliest: date) -> None:
        super().__init__(
            f"performed_on {performed_on} lies before {earliest}, the antenne's backdating limit"
        )
        self.performed_on = performed_on
        self.earliest = earliest


class ExchangeAlreadyConfirmedError(ConflictError):
    """Only a pending exchange can be confirmed: confirming twice would pay twice."""

    def __init__(self, exchange_id: UUID) -> None:
        super().__init__(f"exchange {exchange_id} is already confirmed")
        self.exchange_id = exchange_id


class ExchangeStateError(ConflictError):
    """The exchange is not in the state this step needs."""

    def __init__(self, exchange_id: UUID, status: str, step: str) -> None:
        super().__init__(f"exchange {exchange_id} is {status}: it cannot be {step}")
        self.exchange_id = exchange_id
        self.status = status


class HelpRequestStateError(ConflictError):
    """The help request is not in the state this step needs."""

    def __init__(self, request_id: UUID, status: str, step: str) -> None:
        super().__init__(f"help request {request_id} is {status}: it cannot be {step}")
        self.request_id = request_id
        self.status = status


class NotTheProposedHelperError(ConflictError):
    """Only the helper a coordinator proposed can accept or decline the match."""

    def __init__(self, request_id: UUID, helper_id: UUID) -> None:
        super().__init__(f"member {helper_id} was not proposed as helper for help request {request_id}")
        self.request_id = request_id
        self.helper_id = helper_id


class DonationNotFoundError(NotFoundError):
    """No donation with this id was made at the antenne."""

    def __init__(self, donation_id: UUID) -> None:
        super().__init__(f"no donation {donation_id} was made at this antenne")
        self.donation_id = donation_id


class InsufficientSavingsError(ConflictError):
    """Only saved hours can be given away."""

    def __init__(self, quarters: int, balance: int) -> None:
        super().__init__(f"cannot give {quarters} quarters: the balance is {balance}")
        self.quarters = quarters
        self.balance = balance


class PoolExhaustedError(ConflictError):
    """The solidarity pool never goes below zero."""

    def __init__(self, quarters: int, balance: int) -> None:
        super().__init__(f"cannot grant {quarters} quarters: the solidarity pool holds {balance}")
        self.quarters = quarters
        self.balance = balance


class DonationStateError(ConflictError):
    """The donation is not in the state this step needs."""

    def __init__(self, donation_id: UUID, status: str, step: str) -> None:
        super().__init__(f"donation {donation_id} is {status}: it cannot be {step}")
        self.donation_id = donation_id


class FourEyesError(ConflictError):
    """Above the four-eyes threshold, a second coordinator approves: not the one who recorded the entry."""

    def __init__(self, exchange_id: UUID, reviewer: str) -> None:
        super().__init__(
            f"exchange {exchange_id} was recorded by {reviewer}: a second coordinator must approve it"
        )
        self.exchange_id = exchange_id


class GuardRefusedError(ConflictError):
    """The abuse guard refuses the entry; the message names each rule and why."""

    def __init__(self, reasons: list[str]) -> None:
        super().__init__("refused by the abuse guard: " + "; ".join(reasons))
        self.reasons = reasons


class OverdraftError(ConflictError):
    """Spending beyond the antenne's minimum balance is refused (invariant 6)."""

    def __init__(self, member_id: UUID, balance: int, quarters: int, minimum: int) -> None:
        super().__init__(
            f"member {member_id} has {balance} quarters: spending {quarters} passes the minimum of {minimum}"
        )
        self.member_id = member_id


class BlankNoteError(AntenneError):
    """A note says something."""

    def __init__(self) -> None:
        super().__init__("text must not be blank")


class ActivityNotFoundError(NotFoundError):
    """No activity with this id was held at the antenne."""

    def __init__(self, activity_id: UUID) -> None:
        super().__init__(f"no activity {activity_id} was held at this antenne")
        self.activity_id = activity_id


class MoveWithoutConsentError(ConflictError):
    """A profile is handed to another antenne only with the member's consent."""

    def __init__(self, member_id: UUID) -> None:
        super().__init__(
            f"member {member_id} has not consented to hand their profile over: set member_consents"
        )
        self.member_id = member_id


class OpeningBalanceError(ConflictError):
    """A member has one opening balance at most, a whole non-zero number of quarter hours."""

    def __init__(self, member_id: UUID, reason: str) -> None:
        super().__init__(f"member {member_id}: {reason}")
        self.member_id = member_id


class ImportRefusedError(AntenneError):
    """Rows of an import failed the antenne's checks: nothing was written."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__(f"nothing imported, {len(problems)} problem(s): " + "; ".join(problems))
        self.problems = problems


class TransferNotFoundError(NotFoundError):
    """No transfer with this id was asked here or announced to this antenne by the ledger."""

    def __init__(self, transfer_id: UUID) -> None:
        super().__init__(f"no transfer {transfer_id} was asked at or announced to this antenne")


class TransferToOwnAntenneError(ConflictError):
    """Both members are kept by this antenne: that is an exchange or a gift here, not a transfer."""

    def __init__(self, antenne_id: str) -> None:
        super().__init__(
            f"the payee is a member of {antenne_id}, this antenne: record an exchange or a gift instead"
        )


class TransferExpiryError(AntenneError):
    """A transfer's expiry lies in the future."""

    def __init__(self, expires_at: datetime, now: datetime) -> None:
        super().__init__(f"expires_at {expires_at.isoformat()} is not after now ({now.isoformat()})")


class TransferStateError(ConflictError):
    """The transfer is not waiting for this antenne's answer (not prepared, or answered otherwise)."""

    def __init__(self, transfer_id: UUID, state: str, step: str) -> None:
        super().__init__(f"transfer {transfer_id} is {state}: it cannot be {step}")
        self.transfer_id = transfer_id


class TransferInFutureError(AntenneError):
    """Hours are transferred for help given or a gift made, not for what has not happened yet."""

    def __init__(self, performed_on: date, today: date) -> None:
        super().__init__(f"performed_on {performed_on} is after today ({today})")


class AntenneIdError(AntenneError):
    """An antenne is named by its subject-safe id, such as `jette` or `neder-over-heembeek`."""

    def __init__(self, antenne_id: str) -> None:
        super().__init__(f"{antenne_id!r} is not an antenne id (lower-case letters, digits and dashes)")
