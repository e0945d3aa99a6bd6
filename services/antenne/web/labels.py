"""The words the pages show for the domain's values, reasons and errors, as msgids of the catalogues.

`N_` only marks a msgid for the catalogue test; the templates translate with `_` at render time.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from contracts.antenne.v1 import ActivityKind, Category, GrantReason, MemberStatus
from contracts.ledger.transfers import RefuseReason, RejectReason, ReleaseReason
from services.antenne.application.base import ConcurrentChangeError
from services.antenne.application.roles import NotAllowedError
from services.antenne.domain import errors
from services.antenne.domain.donations import DonationStatus
from services.antenne.domain.postings import PostingKind
from services.antenne.domain.profile import Weekday
from services.antenne.domain.requests import RequestStatus
from services.antenne.domain.timebank import ExchangeStatus
from services.antenne.domain.transfers import TransferState
from services.web import N_

if TYPE_CHECKING:
    from services.web.i18n import Gettext


CATEGORIES = {
    Category.TRANSPORT: N_("Transport"),
    Category.SHOPPING: N_("Shopping"),
    Category.DIGITAL: N_("Computer and phone help"),
    Category.COMPANY: N_("Company, a visit"),
    Category.OUTINGS: N_("Outings"),
    Category.PETS: N_("Pets"),
    Category.SMALL_JOBS: N_("Small jobs"),
    Category.ADMINISTRATION: N_("Paperwork"),
    Category.OTHER: N_("Other"),
}
WEEKDAYS = {
    Weekday.MONDAY: N_("Monday"),
    Weekday.TUESDAY: N_("Tuesday"),
    Weekday.WEDNESDAY: N_("Wednesday"),
    Weekday.THURSDAY: N_("Thursday"),
    Weekday.FRIDAY: N_("Friday"),
    Weekday.SATURDAY: N_("Saturday"),
    Weekday.SUNDAY: N_("Sunday"),
}
LANGUAGE_CODES = {"nl": N_("Dutch"), "fr": N_("French"), "en": N_("English"), "ar": N_("Arabic"),
                  "tr": N_("Turkish"), "es": N_("Spanish")}  # fmt: skip
EXCHANGE_STATUSES = {
    ExchangeStatus.HELD: N_("waits for a coordinator's review"),
    ExchangeStatus.PENDING: N_("waits for confirmation"),
    ExchangeStatus.DISPUTED: N_("disputed"),
    ExchangeStatus.CONFIRMED: N_("confirmed"),
    ExchangeStatus.REJECTED: N_("rejected"),
    ExchangeStatus.REVERSED: N_("reversed"),
}
# Separate tables: the enums share some values ("held", "other") and would collide as keys.
REQUEST_STATUSES = {
    RequestStatus.OPEN: N_("open"),
    RequestStatus.PROPOSED: N_("helper proposed"),
    RequestStatus.MATCHED: N_("helper found"),
    RequestStatus.DONE: N_("done"),
    RequestStatus.CANCELLED: N_("cancelled"),
    RequestStatus.EXPIRED: N_("expired"),
}
MEMBER_STATUSES = {
    MemberStatus.ACTIVE: N_("active"),
    MemberStatus.PAUSED: N_("paused"),
    MemberStatus.LEFT: N_("left"),
    MemberStatus.MOVED: N_("moved to another antenne"),
}
DONATION_STATUSES = {
    DonationStatus.FLAGGED: N_("waits for a coordinator's review"),
    DonationStatus.REJECTED: N_("stopped"),
    DonationStatus.GIVEN: N_("given"),
    DonationStatus.HELD: N_("kept for its purpose"),
    DonationStatus.USED: N_("used"),
    DonationStatus.RETURNED: N_("returned"),
}
POSTINGS = {
    PostingKind.HELP: N_("Help"),
    PostingKind.REVERSAL: N_("Correction"),
    PostingKind.DONATION: N_("Gift of hours"),
    PostingKind.GRANT: N_("From the solidarity pool"),
    PostingKind.RETURN: N_("Gift returned"),
    PostingKind.MOVE: N_("Brought from another antenne"),
    PostingKind.OPENING: N_("Opening balance from the earlier records"),
}
GRANT_REASONS = {
    GrantReason.CARE_NEED: N_("Needs care"),
    GrantReason.ISOLATION: N_("Lives isolated"),
    GrantReason.DISABILITY: N_("Disability"),
    GrantReason.CARER_RELIEF: N_("Relief for a carer"),
    GrantReason.OTHER: N_("Other reason"),
}
ACTIVITIES = {
    ActivityKind.PERMANENCE: N_("Permanence (walk-in desk)"),
    ActivityKind.GATHERING: N_("Gathering"),
}

TRANSFER_STATES = {
    TransferState.ASKED: N_("waits for the centre"),
    TransferState.PREPARED: N_("held by the centre, waits for the receiving antenne"),
    TransferState.REFUSED: N_("refused by the centre"),
    TransferState.COMMITTED: N_("done: the hours went over"),
    TransferState.RELEASED: N_("cancelled: the hours went back"),
}
# Why the centre refused or released a transfer, or why an antenne declined it (one table: values differ
# only where they mean the same).
TRANSFER_REASONS = {
    RefuseReason.OVER_LIMIT: N_("the payer would go below the allowed balance"),
    RefuseReason.PARTNER_LIMIT: N_("the partner network's limit is reached"),
    RefuseReason.UNKNOWN_PARTNER: N_("the partner network is not known"),
    RefuseReason.MOVED_AWAY: N_("the member has moved to another antenne"),
    RefuseReason.SAME_KEEPER: N_("both members are at the same antenne"),
    RefuseReason.NOT_WHOLE_QUARTERS: N_("not a whole number of quarter hours"),
    RefuseReason.EXPIRED: N_("its time ran out"),
    ReleaseReason.REJECTED: N_("the receiving side declined"),
    ReleaseReason.PAYEE_MOVED: N_("the receiver moved to another antenne"),
    RejectReason.UNKNOWN_MEMBER: N_("no such member at the receiving antenne"),
    RejectReason.DECLINED: N_("declined"),
}

# Why the abuse guard holds an entry (`services.antenne.domain.rules`, by rule name).
HOLD_RULES = {
    "future-date": N_("the help is dated after the day it is recorded"),
    "large-exchange": N_("a long exchange needs a coordinator's approval"),
    "four-eyes": N_("a very long exchange needs a second coordinator"),
    "max-balance": N_("the helper would save more than the maximum"),
    "mutual-crediting": N_("two members keep crediting each other"),
    "circle": N_("credits go round a circle of three members"),
    "fast-saving": N_("the helper saves unusually fast this week"),
    "many-entries": N_("a member has many entries in a short time"),
    "donation-stream": N_("a sudden stream of gifts goes to one member"),
}

# The domain's errors, most specific first, as the sentence a volunteer or member reads.
ERRORS: tuple[tuple[type[Exception], str], ...] = (
    (NotAllowedError, N_("You may not do this with your account.")),
    (ConcurrentChangeError, N_("Someone changed this at the same moment. Please try again.")),
    (errors.MemberNotFoundError, N_("No member has this number.")),
    (errors.MemberNotActiveError, N_("This member is not active now (paused, left or moved).")),
    (errors.SelfHelpError, N_("The helper and the person helped must be two different members.")),
    (errors.QuartersOutOfRangeError, N_("This is longer than this antenne accepts for one exchange.")),
    (errors.InvalidAmountError, N_("Enter a time longer than zero.")),
    (errors.BackdatedTooFarError, N_("This date is too long ago: help is recorded soon after it happened.")),
    (errors.FourEyesError, N_("A second coordinator must approve this, not the one who recorded it.")),
    (errors.GuardRefusedError, N_("The antenne's rules refuse this exchange.")),
    (errors.OverdraftError, N_("This would take the member below the balance the antenne allows.")),
    (errors.InsufficientSavingsError, N_("There are not enough saved hours for this gift.")),
    (errors.PoolExhaustedError, N_("The solidarity pool does not hold that many hours.")),
    (errors.BlankDisplayNameError, N_("Enter a name.")),
    (errors.BirthYearOutOfRangeError, N_("Enter a birth year such as 1948.")),
    (errors.NotTheProposedHelperError, N_("This member is not the proposed helper.")),
    (errors.ExchangeAlreadyConfirmedError, N_("This help was already confirmed.")),
    (errors.ExchangeStateError, N_("This help was already handled.")),
    (errors.HelpRequestStateError, N_("This request is no longer open.")),
    (errors.DonationStateError, N_("This gift was already handled.")),
    (errors.TransferToOwnAntenneError, N_("This member is at this antenne: record hours or a gift instead.")),
    (errors.AntenneIdError, N_("Enter the other antenne's short name, such as laken.")),
    (errors.TransferInFutureError, N_("Hours are sent for help or a gift that already happened.")),
    (errors.TransferStateError, N_("This transfer was already answered or decided.")),
    (errors.TransferNotFoundError, N_("This transfer is not known here.")),
    (errors.NotFoundError, N_("This was not found.")),
    (errors.AntenneError, N_("This could not be done.")),
)

# The reasons `services.antenne.domain.matching` gives, read back into translatable sentences.
REASONS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"offers (?P<category>\w+)"), N_("offers %(category)s")),
    (re.compile(r"speaks (?P<language>\w+)"), N_("speaks %(language)s")),
    (re.compile(r"lives in sector (?P<sector>.+)"), N_("lives in sector %(sector)s")),
    (re.compile(r"available on a preferred day"), N_("is free on a preferred day")),
    (re.compile(r"received (?P<quarters>\d+) quarters more than given"), N_("received more than given")),
    (re.compile(r"already gave (?P<quarters>\d+) quarters more than received"), N_("already gave a lot")),
)


def error_code(error: Exception) -> int:
    """A short code for a domain error, to carry in a redirect's query instead of any text."""
    return next((i for i, (kind, _) in enumerate(ERRORS) if isinstance(error, kind)), len(ERRORS) - 1)


def error_of_code(code: str) -> str:
    """The msgid of an error code from a query ("" if none or unknown)."""
    return ERRORS[int(code)][1] if code.isdecimal() and int(code) < len(ERRORS) else ""


def error_message(error: Exception) -> str:
    """The msgid for a domain error."""
    for kind, message in ERRORS:
        if isinstance(error, kind):
            return message
    return N_("This could not be done.")


def reason(text: str, _: Gettext) -> str:
    """One suggestion reason in the reader's language (the domain's English if it is new)."""
    for pattern, message in REASONS:
        found = pattern.fullmatch(text)
        if found:
            values = found.groupdict()
            if "category" in values:
                values["category"] = _(CATEGORIES.get(Category(values["category"]), values["category"]))
            if "language" in values:
                values["language"] = _(LANGUAGE_CODES.get(values["language"], values["language"]))
            return _(message, **values)
    return text
