"""The ledger's published decisions: a schema snapshot for review, and no personal data in any of them."""

from __future__ import annotations

import json
import os
from pathlib import Path

from contracts.ledger import decisions
from contracts.registry import CONTRACTS
from contracts.schemas import json_schemas
from tests.unit.contracts.test_antenne_contracts import PERSONAL

SNAPSHOT = Path(__file__).with_name("ledger_decisions_schemas.json")
DECISIONS = [c for c in CONTRACTS if c.__module__ == decisions.__name__]


def _decision_schemas() -> dict[str, object]:
    names = {f"{c.TYPE}.v{c.VERSION}.json" for c in DECISIONS}
    return {name: schema for name, schema in sorted(json_schemas().items()) if name in names}


def test_the_ledger_decision_schemas_match_the_reviewed_snapshot() -> None:
    current = json.dumps(_decision_schemas(), indent=2, sort_keys=True) + "\n"
    if os.environ.get("UPDATE_SNAPSHOTS") == "1":
        SNAPSHOT.write_text(current)
    # A change here is a change of the public API: review it, then run with UPDATE_SNAPSHOTS=1.
    assert current == SNAPSHOT.read_text()


def test_no_decision_carries_personal_data() -> None:
    assert len(DECISIONS) == 3
    for contract in DECISIONS:
        assert not PERSONAL & set(contract.model_fields), contract.TYPE
