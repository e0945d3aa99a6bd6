"""Schemathesis against every service's OpenAPI: no server error, no answer outside its documented schema.

Each operation gets a bounded number of generated requests (valid ones, and invalid ones that must be
refused with a 4xx), with the service's own token so the requests reach the use cases. The run is
derandomised: the same cases every time, so a failure reproduces. `BP_FUZZ_EXAMPLES` raises the bound.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from uuid import uuid4

import pytest
import schemathesis
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis.checks import not_a_server_error, response_schema_conformance
from schemathesis.generation import GenerationMode

from services.antenne.main import create_app as antenne_app
from services.antenne.settings import Settings as AntenneSettings
from services.ledger.main import create_app as ledger_app
from services.ledger.settings import Settings as LedgerSettings
from services.observability import metrics
from services.ports import free_port
from services.reporting.main import create_app as reporting_app
from services.reporting.settings import Settings as ReportingSettings
from tests.support.auth import bearer

TOKEN = "fuzz-token-" + uuid4().hex
EXAMPLES = int(os.environ.get("BP_FUZZ_EXAMPLES", "12"))
NOWHERE = f"nats://127.0.0.1:{free_port()}"
CHECKS = [not_a_server_error, response_schema_conformance]


@dataclass
class Tally:
    """How many cases ran, and what failed (operation and the first line of the failure)."""

    cases: int = 0
    failures: list[str] = field(default_factory=list)


def _fuzz(app: FastAPI, mode: GenerationMode) -> Tally:
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    tally = Tally()
    for result in schema.get_all_operations():
        operation = result.ok()  # type: ignore[union-attr]

        @given(case=operation.as_strategy(generation_mode=mode))
        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=list(HealthCheck),
            phases=[Phase.explicit, Phase.generate],  # no shrinking: report the first failure as found
        )
        def run(case: Any) -> None:
            tally.cases += 1
            case.call_and_validate(headers=bearer(TOKEN), checks=CHECKS)

        try:
            run()
        except Unsatisfiable:  # nothing invalid to send (no parameters, no body): nothing to fuzz
            continue
        except Exception as failure:  # collect every operation's failure, not just the first
            first_line = (str(failure).strip().splitlines() or [type(failure).__name__])[0]
            tally.failures.append(f"{operation.label}: {first_line}")
    return tally


@pytest.fixture(scope="module", autouse=True)
def _metrics_do_not_wait_for_nats() -> Iterator[None]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(metrics, "JETSTREAM_TIMEOUT_SECONDS", 0.01)
        yield


def _antenne() -> FastAPI:
    folder = Path(tempfile.mkdtemp(prefix="bp-fuzz-"))
    database_url = f"sqlite:///{folder / 'jette.db'}"
    return antenne_app(AntenneSettings(antenne_id="jette", token=TOKEN, database_url=database_url),
                       run_relay=False)  # fmt: skip


def _ledger() -> FastAPI:
    key_file = Path(tempfile.mkdtemp(prefix="bp-fuzz-key-")) / "signing-key.pem"
    settings = LedgerSettings(
        token=TOKEN, database_url="memory:", signing_key_file=key_file, nats_url=NOWHERE
    )
    return ledger_app(settings, run_consumer=False)


def _reporting() -> FastAPI:
    return reporting_app(ReportingSettings(token=TOKEN, database_url="memory:", nats_url=NOWHERE),
                         run_consumer=False)  # fmt: skip


APPS = {"antenne": _antenne, "ledger": _ledger, "reporting": _reporting}


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE], ids=str)
@pytest.mark.parametrize("service", list(APPS))
def test_no_server_error_and_no_schema_violation(service: str, mode: GenerationMode) -> None:
    app = APPS[service]()
    with TestClient(app):  # runs the lifespan: the stores are open while schemathesis calls the app
        tally = _fuzz(app, mode)

    print(f"schemathesis {service} {mode}: {tally.cases} cases")
    assert tally.failures == [], "\n".join(tally.failures)
    assert tally.cases >= EXAMPLES
