"""TLS: with a certificate configured, clients must speak TLS and trust the server's certificate."""

from __future__ import annotations

import asyncio
import ssl
import subprocess
from pathlib import Path

import nats
import pytest

from services.credentials.generate import Installation
from services.credentials.permissions import ADMIN_USER, antenne_inbox_prefix, antenne_user
from services.messaging.streams import create_streams, ensure_streams
from services.ports import free_port
from tests.integration.federation.conftest import start_secured_nats

pytestmark = pytest.mark.integration


def _self_signed_certificate(folder: Path) -> tuple[Path, Path]:
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-keyout", str(key), "-out", str(cert), "-subj", "/CN=127.0.0.1",
         "-addext", "subjectAltName=IP:127.0.0.1"],
        check=True, capture_output=True, timeout=60,
    )  # fmt: skip
    return cert, key


def test_a_client_that_trusts_the_certificate_connects_over_tls_and_one_without_tls_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cert, key = _self_signed_certificate(tmp_path)
    installation = Installation(
        ("jette",), nats_url=f"tls://127.0.0.1:{free_port()}", tls_cert=cert, tls_key=key
    )
    secured = start_secured_nats(tmp_path, installation, scheme="tls")
    trusting = ssl.create_default_context(cafile=str(cert))

    async def scenario() -> tuple[int, type[BaseException]]:
        admin = await nats.connect(secured.url(ADMIN_USER), tls=trusting)
        await ensure_streams(admin.jetstream())
        await admin.close()
        jette = await nats.connect(
            secured.url(antenne_user("jette")), tls=trusting, inbox_prefix=antenne_inbox_prefix("jette")
        )
        ack = await jette.jetstream().publish("bp.jette.member.registered", b"{}")
        await jette.close()
        plain_url = secured.url(antenne_user("jette")).replace("tls://", "nats://")
        try:
            # No trust in this certificate (the system's store does not hold it): refused.
            await nats.connect(plain_url, connect_timeout=2, allow_reconnect=False, max_reconnect_attempts=1)
        except Exception as error:
            return ack.seq, type(error)
        raise AssertionError("a client without the certificate connected")

    try:
        seq, refused = asyncio.run(scenario())
        # A service trusts a private CA through SSL_CERT_FILE: its tls:// URL is all it is given.
        monkeypatch.setenv("SSL_CERT_FILE", str(cert))
        create_streams(secured.url(ADMIN_USER))
    finally:
        secured.server.stop()

    assert seq == 1
    assert refused is not None
