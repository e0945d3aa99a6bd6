"""The antenne application: the use cases of a permanence desk, one method each, grouped by desk."""

from __future__ import annotations

from services.antenne.application.activities import ActivitiesDesk
from services.antenne.application.base import ConcurrentChangeError, DateAsISO, Practice, id_for
from services.antenne.application.donations import DonationsDesk
from services.antenne.application.imports import ImportBatch, ImportDesk, ImportOutcome, ImportRow
from services.antenne.application.matching import MatchingDesk, RequestFilter
from services.antenne.application.members import MemberFilter, MembersDesk
from services.antenne.application.moving import Handover, MovingDesk
from services.antenne.application.privacy import PrivacyDesk
from services.antenne.application.statements import Statement, StatementLine, StatementMonth, StatementsDesk
from services.antenne.application.timebank import ExchangeDetails, TimebankDesk
from services.antenne.application.transfers import TransferLine, TransfersDesk
from services.antenne.application.vouchers import Voucher, VoucherOutcome, VoucherResult, VouchersDesk


class Antenne(
    ImportDesk,
    VouchersDesk,
    MovingDesk,
    MembersDesk,
    MatchingDesk,
    TimebankDesk,
    StatementsDesk,
    DonationsDesk,
    ActivitiesDesk,
    PrivacyDesk,
    TransfersDesk,
):
    """One antenne: its members, their requests and offers, the timebank between them, donations and pool."""


__all__ = [
    "Antenne",
    "ConcurrentChangeError",
    "DateAsISO",
    "ExchangeDetails",
    "Handover",
    "ImportBatch",
    "ImportOutcome",
    "ImportRow",
    "MemberFilter",
    "Practice",
    "RequestFilter",
    "Statement",
    "StatementLine",
    "StatementMonth",
    "TransferLine",
    "Voucher",
    "VoucherOutcome",
    "VoucherResult",
    "id_for",
]
