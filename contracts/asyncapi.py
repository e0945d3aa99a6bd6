"""An AsyncAPI 3.0 document of every subject and message, generated from `contracts/` (never hand-written).

Two groups of channels: the antennes' events on `bp.{antenneId}.<type>` (an antenne publishes, the ledger
and reporting receive) and the partners' feed on `partner.{partnerId}.<what>` (reporting publishes, the
partner receives). Every message travels as CloudEvents JSON: the payload schema is the envelope with
`type` fixed and `data` the contract's schema. Schemas live once, under `components.schemas`.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from contracts.envelope import CONTENT_TYPE, Envelope, FeedEnvelope
from contracts.registry import CONTRACTS

ASYNCAPI_VERSION = "3.0.0"
REF = "#/components/schemas/{model}"
PARTNER_PREFIX = "partner."


def _name(type_name: str) -> str:
    """`member.registered` -> `MemberRegistered`-like id that AsyncAPI keys accept: `member_registered`."""
    return type_name.replace(".", "_")


def asyncapi_document(version: str = "1") -> dict[str, Any]:
    """The whole document as a JSON-ready dict."""
    models: list[type[BaseModel]] = [Envelope, FeedEnvelope, *CONTRACTS]
    _, definitions = models_json_schema([(m, "validation") for m in models], ref_template=REF)
    schemas: dict[str, Any] = definitions["$defs"]
    channels: dict[str, Any] = {}
    operations: dict[str, Any] = {}
    messages: dict[str, Any] = {}
    for contract in CONTRACTS:
        partner = contract.TYPE.startswith(PARTNER_PREFIX)
        channel_id, message_id = _name(contract.TYPE), f"{_name(contract.TYPE)}_v{contract.VERSION}"
        envelope = FeedEnvelope if partner else Envelope
        messages[message_id] = {
            "name": contract.TYPE,
            "title": f"{contract.TYPE} v{contract.VERSION}",
            "summary": (contract.__doc__ or "").strip().splitlines()[0],
            "contentType": CONTENT_TYPE,
            "payload": {
                "allOf": [
                    {"$ref": REF.format(model=envelope.__name__)},
                    {
                        "type": "object",
                        "properties": {
                            "type": {"const": contract.TYPE},
                            "schemaversion": {"const": contract.VERSION},
                            "data": {"$ref": REF.format(model=contract.__name__)},
                        },
                    },
                ]
            },
        }
        channels[channel_id] = _channel(contract.TYPE, message_id, partner=partner)
        operations[f"publish_{channel_id}"] = {
            "action": "send",
            "channel": {"$ref": f"#/channels/{channel_id}"},
            "summary": "Reporting publishes this to the partner."
            if partner
            else "An antenne's relay publishes this.",
            "messages": [{"$ref": f"#/channels/{channel_id}/messages/{message_id}"}],
        }
        operations[f"receive_{channel_id}"] = {
            "action": "receive",
            "channel": {"$ref": f"#/channels/{channel_id}"},
            "summary": "The partner subscribes with its own credentials."
            if partner
            else "Ledger and reporting consume this.",
            "messages": [{"$ref": f"#/channels/{channel_id}/messages/{message_id}"}],
        }
    return {
        "asyncapi": ASYNCAPI_VERSION,
        "info": {
            "title": "Het BuurtPensioen federation events",
            "version": version,
            "description": (
                "Integration events of the antennes and the anonymised feed of the alliance partners, "
                "as CloudEvents 1.0 JSON over NATS JetStream. Generated from `contracts/`."
            ),
        },
        "defaultContentType": CONTENT_TYPE,
        "servers": {
            "federation": {
                "host": "127.0.0.1:4222",
                "protocol": "nats",
                "description": "The federation's NATS server (each user sees only its allowed subjects).",
            }
        },
        "channels": channels,
        "operations": operations,
        "components": {"schemas": schemas, "messages": messages},
    }


def _channel(type_name: str, message_id: str, *, partner: bool) -> dict[str, Any]:
    if partner:
        address = f"partner.{{partnerId}}.{type_name.removeprefix(PARTNER_PREFIX)}"
        parameters = {"partnerId": {"description": "The alliance partner the feed is meant for."}}
    else:
        address = f"bp.{{antenneId}}.{type_name}"
        parameters = {"antenneId": {"description": "The antenne that published the event, such as `jette`."}}
    return {
        "address": address,
        "parameters": parameters,
        "messages": {message_id: {"$ref": f"#/components/messages/{message_id}"}},
    }
