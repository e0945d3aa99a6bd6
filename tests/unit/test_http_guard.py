"""The guard every service runs: secure headers on every answer, a limit on request bodies."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from services.http_guard import install_http_guard


@pytest.fixture
def client() -> Iterator[TestClient]:
    app = FastAPI()

    @app.post("/echo")
    async def echo(body: dict[str, str]) -> dict[str, int]:
        return {"fields": len(body)}

    install_http_guard(app, max_body_bytes=1000)
    with TestClient(app) as running:
        yield running


def test_every_answer_carries_the_secure_headers(client: TestClient) -> None:
    response = client.post("/echo", json={"a": "b"})

    assert response.status_code == 200
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["referrer-policy"] == "no-referrer"
    assert response.headers["content-security-policy"] == "default-src 'none'; frame-ancestors 'none'"
    assert response.headers["cache-control"] == "no-store"
    assert "strict-transport-security" not in response.headers  # only over https


def test_hsts_over_https() -> None:
    app = FastAPI()
    install_http_guard(app)
    with TestClient(app, base_url="https://testserver") as client:
        assert "max-age" in client.get("/openapi.json").headers["strict-transport-security"]


def test_a_declared_body_over_the_limit_is_refused_before_the_app_reads_it(client: TestClient) -> None:
    response = client.post("/echo", json={"a": "x" * 2000})

    assert response.status_code == 413
    assert response.json() == {"detail": "request body larger than 1000 bytes"}
    assert response.headers["x-content-type-options"] == "nosniff"


def test_a_chunked_body_over_the_limit_is_refused_too(client: TestClient) -> None:
    def chunks() -> Iterator[bytes]:
        yield b'{"a": "'
        for _ in range(30):
            yield b"x" * 100
        yield b'"}'

    response = client.post("/echo", content=chunks(), headers={"Content-Type": "application/json"})

    assert response.status_code == 413
