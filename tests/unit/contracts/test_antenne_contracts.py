"""The antenne's published contracts: a schema snapshot for review, and no personal data in any of them."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from contracts.antenne import v1
from contracts.base import Contract
from contracts.registry import CONTRACTS
from contracts.schemas import json_schemas

SNAPSHOT = Path(__file__).with_name("antenne_v1_schemas.json")
ANTENNE_CONTRACTS = [c for c in CONTRACTS if c.__module__ == v1.__name__]

# Field names that would carry personal data or free text (invariant 8).
PERSONAL = {"name", "display_name", "phone", "email", "address", "birth_year", "birth_date", "description",
            "note", "notes", "reason_text", "number", "member_number", "talents", "story"}  # fmt: skip


def _antenne_schemas() -> dict[str, object]:
    names = {f"{c.TYPE}.v{c.VERSION}.json" for c in ANTENNE_CONTRACTS}
    return {name: schema for name, schema in sorted(json_schemas().items()) if name in names}


def test_the_antenne_schemas_match_the_reviewed_snapshot() -> None:
    current = json.dumps(_antenne_schemas(), indent=2, sort_keys=True) + "\n"
    if os.environ.get("UPDATE_SNAPSHOTS") == "1":
        SNAPSHOT.write_text(current)
    # A change here is a change of the public API: review it, then run with UPDATE_SNAPSHOTS=1.
    assert current == SNAPSHOT.read_text()


@pytest.mark.parametrize("contract", ANTENNE_CONTRACTS, ids=lambda c: c.TYPE)
def test_no_antenne_contract_has_a_field_for_personal_data(contract: type[Contract]) -> None:
    assert not set(contract.model_fields) & PERSONAL


@pytest.mark.parametrize("contract", ANTENNE_CONTRACTS, ids=lambda c: c.TYPE)
def test_every_antenne_contract_is_registered_once_by_type_and_version(contract: type[Contract]) -> None:
    assert [(c.TYPE, c.VERSION) for c in CONTRACTS].count((contract.TYPE, contract.VERSION)) == 1
