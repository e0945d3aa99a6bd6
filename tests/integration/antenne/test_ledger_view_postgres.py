"""The antenne's last-known copy of the ledger's decisions, on PostgreSQL beside the antenne's events."""

from __future__ import annotations

import pytest

from tests.unit.antenne.test_ledger_view import LedgerViewBehaviour

pytestmark = pytest.mark.integration


class TestOnPostgres(LedgerViewBehaviour):
    @pytest.fixture
    def database_url(self, postgres_dsn: str) -> str:
        return postgres_dsn
