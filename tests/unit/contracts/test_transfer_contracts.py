"""The ledger's transfer and alliance contracts: a schema snapshot for review, and the side rules."""

from __future__ import annotations

import json
import os
from pathlib import Path
from uuid import uuid4

import pytest
from pydantic import ValidationError

from contracts.alliance import v1 as alliance_v1
from contracts.ledger import transfers
from contracts.ledger.transfers import Side
from contracts.registry import CONTRACTS
from contracts.schemas import json_schemas

SNAPSHOT = Path(__file__).with_name("transfer_schemas.json")
MODULES = {transfers.__name__, alliance_v1.__name__}
OURS = [c for c in CONTRACTS if c.__module__ in MODULES]


def test_the_transfer_schemas_match_the_reviewed_snapshot() -> None:
    names = {f"{c.TYPE}.v{c.VERSION}.json" for c in OURS}
    schemas = {name: schema for name, schema in sorted(json_schemas().items()) if name in names}
    current = json.dumps(schemas, indent=2, sort_keys=True) + "\n"
    if os.environ.get("UPDATE_SNAPSHOTS") == "1":
        SNAPSHOT.write_text(current)
    assert current == SNAPSHOT.read_text()


def test_a_side_is_kept_by_exactly_one_antenne_or_partner() -> None:
    assert Side(antenne="jette", member=str(uuid4())).keeper == "antenne:jette"
    assert Side(partner="bdbd", member="p-1").keeper == "partner:bdbd"
    with pytest.raises(ValidationError):
        Side(antenne="jette", partner="bdbd", member=str(uuid4()))
    with pytest.raises(ValidationError):
        Side(member="p-1")


def test_a_buurtpensioen_member_is_known_by_their_global_id_only() -> None:
    with pytest.raises(ValidationError):
        Side(antenne="jette", member="Maria Peeters")
