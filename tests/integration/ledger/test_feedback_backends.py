"""The ledger's feedback outbox on SQLite and PostgreSQL: its chains live in the ledger's tracking table."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from services.ledger.application import Ledger
from services.ledger.domain import OverdraftPolicy
from services.persistence import eventsourcing_env
from tests.unit.ledger.test_feedback import (
    test_a_cross_antenne_exchange_tells_each_home_its_own_members_balance,
    test_successive_balances_chain_and_a_restart_publishes_nothing_twice,
)

pytestmark = pytest.mark.integration

# Collected here, the imported tests get this module's `ledger` fixture: the same cases on real stores.
__all__ = [
    "test_a_cross_antenne_exchange_tells_each_home_its_own_members_balance",
    "test_successive_balances_chain_and_a_restart_publishes_nothing_twice",
]


@pytest.fixture
def ledger(database_url: str) -> Iterator[Ledger]:
    with Ledger(env=eventsourcing_env(database_url), overdraft=OverdraftPolicy(default_limit=4)) as opened:
        yield opened
