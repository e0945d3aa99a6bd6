"""Every NATS subject and stream name, once."""

from __future__ import annotations

import re

ANTENNE_ID_PATTERN = r"^[a-z][a-z0-9-]{1,39}$"
_ANTENNE_ID = re.compile(ANTENNE_ID_PATTERN)

ANTENNE_STREAM = "BP_ANTENNES"
ANTENNE_SUBJECTS = "bp.*.>"

# The ledger's decisions, one subject tree per addressed antenne, so each antenne reads only its own.
LEDGER_STREAM = "BP_LEDGER"
LEDGER_SUBJECTS = "ledger.>"
# The producer id in the envelope of the ledger's messages: their chain is the ledger's, not an antenne's.
LEDGER_PRODUCER = "ledger"

DEADLETTER_STREAM = "BP_DEADLETTER"
DEADLETTER_SUBJECTS = "deadletter.>"

# Alliance clearing: partners send on `alliance.<partner>.requests.<type>`, the ledger answers on
# `alliance.<partner>.decisions.<type>`; one stream each way, so each side's position is its stream's.
ALLIANCE_REQUESTS_STREAM = "BP_ALLIANCE_REQUESTS"
ALLIANCE_REQUESTS_SUBJECTS = "alliance.*.requests.>"
ALLIANCE_DECISIONS_STREAM = "BP_ALLIANCE_DECISIONS"
ALLIANCE_DECISIONS_SUBJECTS = "alliance.*.decisions.>"
PARTNER_STREAM = "BP_PARTNERS"
PARTNER_SUBJECTS = "partner.>"
PARTNER_FEED_STREAM = "BP_FEED"  # in a partner's own account: the feed it received, kept for replay


class InvalidAntenneIdError(ValueError):
    """An antenne id must be a lowercase subject-safe token, such as `jette`."""

    def __init__(self, antenne_id: str) -> None:
        super().__init__(
            f"invalid antenne id {antenne_id!r}: use 2-40 lowercase letters, digits or '-', "
            "starting with a letter"
        )


def check_antenne_id(antenne_id: str) -> str:
    """Return the antenne id if it is safe to put in a subject, else raise."""
    if not _ANTENNE_ID.match(antenne_id):
        raise InvalidAntenneIdError(antenne_id)
    return antenne_id


def antenne_subject(antenne_id: str, type_name: str) -> str:
    """`bp.<antenne_id>.<aggregate>.<event>` for a contract type `<aggregate>.<event>`."""
    return f"bp.{check_antenne_id(antenne_id)}.{type_name}"


def ledger_subject(antenne_id: str, type_name: str) -> str:
    """`ledger.<antenne_id>.<aggregate>.<event>`: a ledger decision addressed to one antenne."""
    return f"ledger.{check_antenne_id(antenne_id)}.{type_name}"


def ledger_subjects_of(antenne_id: str) -> str:
    """Every ledger subject addressed to one antenne (the filter of its durable consumer)."""
    return f"ledger.{check_antenne_id(antenne_id)}.>"


def deadletter_subject(consumer: str) -> str:
    """Where a consumer parks a message it cannot apply, with the reason in a header."""
    return f"deadletter.{consumer}"


def alliance_subjects(partner_id: str) -> str:
    """Everything about one partner's clearing: `alliance.<partner>.>`."""
    return f"alliance.{check_antenne_id(partner_id)}.>"


def alliance_request_subject(partner_id: str, type_name: str) -> str:
    """Where a partner sends a transfer or an answer: `alliance.<partner>.requests.<type>`."""
    return f"alliance.{check_antenne_id(partner_id)}.requests.{type_name}"


def alliance_decision_subject(partner_id: str, type_name: str) -> str:
    """Where the ledger tells a partner what it decided: `alliance.<partner>.decisions.<type>`."""
    return f"alliance.{check_antenne_id(partner_id)}.decisions.{type_name}"


def partner_of_subject(subject: str) -> str:
    """The partner id in an `alliance.<partner>.` subject, checked."""
    return check_antenne_id(subject.split(".")[1])


def partner_subject(partner_id: str, type_name: str) -> str:
    """`partner.<partner_id>.<what>` for a feed contract type `partner.<what>`."""
    return f"partner.{check_antenne_id(partner_id)}.{type_name.removeprefix('partner.')}"
