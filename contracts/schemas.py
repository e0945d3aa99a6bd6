"""Export every contract, and the envelope, as JSON Schema files."""

from __future__ import annotations

import json
from pathlib import Path

from contracts.envelope import Envelope
from contracts.registry import CONTRACTS


def json_schemas() -> dict[str, dict[str, object]]:
    """File name -> JSON Schema, for the envelope and every contract version."""
    schemas: dict[str, dict[str, object]] = {"envelope.json": Envelope.model_json_schema()}
    for contract in CONTRACTS:
        schema = contract.model_json_schema()
        schema["$id"] = f"urn:buurtpensioen:{contract.TYPE}:v{contract.VERSION}"
        schema["x-type"] = contract.TYPE
        schema["x-version"] = contract.VERSION
        schemas[f"{contract.TYPE}.v{contract.VERSION}.json"] = schema
    return schemas


def export_json_schemas(directory: Path) -> list[Path]:
    """Write every schema into `directory`; return the files written."""
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for name, schema in json_schemas().items():
        path = directory / name
        path.write_text(json.dumps(schema, indent=2, sort_keys=True) + "\n")
        written.append(path)
    return written
