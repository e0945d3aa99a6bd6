"""The AsyncAPI 3.0 document generated from contracts/: its structure holds and it lists every contract."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from contracts.asyncapi import asyncapi_document
from contracts.registry import CONTRACTS
from services.cli import app

# The fields the AsyncAPI 3.0 specification allows on each object.
COMMON_KEYS = {"title", "summary", "description", "tags", "bindings", "externalDocs"}
OPERATION_KEYS = COMMON_KEYS | {"action", "channel", "messages", "traits", "security", "reply"}
CHANNEL_KEYS = COMMON_KEYS | {"address", "messages", "servers", "parameters"}
MESSAGE_KEYS = COMMON_KEYS | {
    "headers",
    "payload",
    "correlationId",
    "contentType",
    "name",
    "examples",
    "traits",
}
KEY = re.compile(r"^[A-Za-z0-9.\-_]+$")  # what AsyncAPI 3.0 allows as a component or channel key


def _refs(node: Any) -> list[str]:
    if isinstance(node, dict):
        own = [node["$ref"]] if "$ref" in node else []
        return own + [r for value in node.values() for r in _refs(value)]
    if isinstance(node, list):
        return [r for value in node for r in _refs(value)]
    return []


def _resolve(document: dict[str, Any], ref: str) -> Any:
    assert ref.startswith("#/"), ref
    node: Any = document
    for part in ref[2:].split("/"):
        node = node[part]
    return node


def test_the_document_has_the_structure_asyncapi_3_requires() -> None:
    document = json.loads(json.dumps(asyncapi_document()))  # JSON-ready throughout

    assert document["asyncapi"] == "3.0.0"
    assert document["info"]["title"]
    assert document["info"]["version"]
    assert set(document) <= {
        "asyncapi",
        "id",
        "info",
        "servers",
        "defaultContentType",
        "channels",
        "operations",
        "components",
    }
    for server in document["servers"].values():
        assert {"host", "protocol"} <= set(server)
    for key, channel in document["channels"].items():
        assert KEY.match(key)
        assert set(channel) <= CHANNEL_KEYS
        # Every {parameter} in an address is declared, and only those.
        assert set(re.findall(r"{(\w+)}", channel["address"])) == set(channel.get("parameters", {}))
    for key, operation in document["operations"].items():
        assert KEY.match(key)
        assert set(operation) <= OPERATION_KEYS
        assert operation["action"] in ("send", "receive")
        channel_ref = operation["channel"]["$ref"]
        # An operation's messages must be messages of its own channel.
        for message in operation["messages"]:
            assert message["$ref"].startswith(channel_ref + "/messages/")
    for key, message in document["components"]["messages"].items():
        assert KEY.match(key)
        assert set(message) <= MESSAGE_KEYS
    for key in document["components"]["schemas"]:
        assert KEY.match(key)
    for ref in _refs(document):
        assert _resolve(document, ref) is not None, f"{ref} does not resolve"


def test_every_contract_has_a_channel_and_a_message_with_its_schema() -> None:
    document = asyncapi_document()

    names = {message["name"] for message in document["components"]["messages"].values()}
    assert names == {contract.TYPE for contract in CONTRACTS}
    for contract in CONTRACTS:
        assert contract.__name__ in document["components"]["schemas"]
    addresses = {channel["address"] for channel in document["channels"].values()}
    assert "bp.{antenneId}.exchange.confirmed" in addresses
    assert "partner.{partnerId}.exchange_shared" in addresses


def test_the_asyncapi_command_writes_the_document(tmp_path: Path) -> None:
    output = tmp_path / "asyncapi.json"

    result = CliRunner().invoke(app, ["asyncapi", str(output)])

    assert result.exit_code == 0, result.output
    assert json.loads(output.read_text()) == json.loads(json.dumps(asyncapi_document()))
    assert f"{len(CONTRACTS)} channels" in result.stdout
