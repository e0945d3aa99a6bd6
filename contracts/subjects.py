"""Every NATS subject and stream name, once."""

from __future__ import annotations

import re

ANTENNE_ID_PATTERN = r"^[a-z][a-z0-9-]{1,39}$"
_ANTENNE_ID = re.compile(ANTENNE_ID_PATTERN)

ANTENNE_STREAM = "BP_ANTENNES"
ANTENNE_SUBJECTS = "bp.*.>"

DEADLETTER_STREAM = "BP_DEADLETTER"
DEADLETTER_SUBJECTS = "deadletter.>"

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


def deadletter_subject(consumer: str) -> str:
    """Where a consumer parks a message it cannot apply, with the reason in a header."""
    return f"deadletter.{consumer}"


def partner_subject(partner_id: str, type_name: str) -> str:
    """`partner.<partner_id>.<what>` for a feed contract type `partner.<what>`."""
    return f"partner.{check_antenne_id(partner_id)}.{type_name.removeprefix('partner.')}"
