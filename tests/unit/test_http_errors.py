"""Every service answers errors the same way: a status from its table and one sentence that says why."""

from __future__ import annotations

from eventsourcing.persistence import IntegrityError, OperationalError
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pydantic import BaseModel

from services.http_errors import install_error_handlers


class NotFoundHereError(Exception):
    """A domain error of some service."""


class Body(BaseModel):
    quarters: int


def _client() -> TestClient:
    app = FastAPI()
    install_error_handlers(app, {NotFoundHereError: 404})

    @app.get("/missing")
    def missing() -> None:
        raise NotFoundHereError("no member 42 here")

    @app.post("/read-only")
    def read_only() -> None:
        raise OperationalError("cannot execute INSERT in a read-only transaction\nCONTEXT: ...")

    @app.post("/conflict")
    def conflict() -> None:
        raise IntegrityError("duplicate key value violates unique constraint")

    @app.post("/body")
    def body(body: Body) -> None:
        return None

    return TestClient(app)


def test_a_domain_error_gets_its_status_and_its_message() -> None:
    response = _client().get("/missing")
    assert (response.status_code, response.json()) == (404, {"detail": "no member 42 here"})


def test_a_store_that_refuses_to_write_gives_503_saying_nothing_was_recorded_and_why() -> None:
    response = _client().post("/read-only")
    assert response.status_code == 503
    assert response.json()["detail"] == (
        "nothing was recorded: the store refused to write "
        "(cannot execute INSERT in a read-only transaction); try again"
    )


def test_a_write_that_lost_a_race_gives_409() -> None:
    response = _client().post("/conflict")
    assert response.status_code == 409
    assert "changed by another request" in response.json()["detail"]


def test_an_invalid_body_names_the_field_and_why_in_one_sentence() -> None:
    response = _client().post("/body", json={"quarters": "many"})
    assert response.status_code == 422
    assert response.json()["detail"].startswith("quarters: Input should be a valid integer")
