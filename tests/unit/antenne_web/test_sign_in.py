"""Signing in to the pages: passwords and desk codes, CSRF on every form, lock-out, cookie flags."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from services.antenne.web.accounts import MAX_FAILURES, Accounts, WeakPasswordError
from services.antenne.web.sessions import RateLimiter, Sessions
from services.antenne.web.store import TableStore
from tests.unit.antenne_web.conftest import PASSWORD, antenne_of, csrf_of, desk_of, sign_in


def test_pages_need_a_signed_in_coordinator(client: TestClient) -> None:
    answer = client.get("/desk/hours")
    assert answer.status_code == 303
    assert answer.headers["location"] == "/signin?next=/desk/hours"
    assert client.get("/me").headers["location"] == "/signin/member"


def test_a_coordinator_signs_in_with_a_password_and_gets_a_safe_cookie(client: TestClient) -> None:
    token = csrf_of(client.get("/signin").text)
    answer = client.post("/signin", data={"username": "Anna", "password": PASSWORD, "csrf": token})
    assert answer.status_code == 303
    cookie = answer.headers["set-cookie"]
    assert "bp_session=" in cookie
    assert "HttpOnly" in cookie
    assert "SameSite=lax" in cookie
    assert "Secure" not in cookie  # plain http on loopback
    assert client.get("/desk").status_code == 200


def test_cookies_are_secure_behind_https(client: TestClient) -> None:
    token = csrf_of(client.get("/signin", headers={"x-forwarded-proto": "https"}).text)
    answer = client.post(
        "https://testserver/signin", data={"username": "anna", "password": PASSWORD, "csrf": token}
    )
    assert "Secure" in answer.headers["set-cookie"]


def test_a_form_without_its_csrf_token_is_refused(client: TestClient) -> None:
    client.get("/signin")
    answer = client.post("/signin", data={"username": "anna", "password": PASSWORD, "csrf": "forged"})
    assert answer.status_code == 403
    assert "bp_session" not in answer.headers.get("set-cookie", "")


def test_a_signed_in_form_needs_the_sessions_token(client: TestClient) -> None:
    sign_in(client)
    answer = client.post("/desk/hours", data={"helper": "JET-0001", "csrf": "someone-elses"})
    assert answer.status_code == 403
    assert "Dit formulier is verlopen" in answer.text


def test_a_wrong_password_is_said_next_to_the_field_in_the_readers_language(client: TestClient) -> None:
    token = csrf_of(client.get("/signin?lang=fr").text)
    answer = client.post("/signin", data={"username": "anna", "password": "wrong password", "csrf": token})
    assert answer.status_code == 400
    assert 'id="password-error"' in answer.text
    assert "ne correspondent pas" in answer.text


def test_five_wrong_passwords_lock_the_account(client: TestClient) -> None:
    token = csrf_of(client.get("/signin").text)
    for _ in range(MAX_FAILURES):
        client.post("/signin", data={"username": "anna", "password": "not it at all", "csrf": token})
    answer = client.post("/signin", data={"username": "anna", "password": PASSWORD, "csrf": token})
    assert answer.status_code == 400
    assert "Te veel pogingen" in answer.text


def test_the_lock_opens_after_its_time() -> None:
    now = [1000.0]
    accounts = Accounts(TableStore("memory:"), clock=lambda: now[0])
    accounts.add_coordinator("bert", PASSWORD)
    outcomes = [accounts.sign_in_coordinator("bert", "nope nope nope") for _ in range(MAX_FAILURES)]
    assert [o.locked for o in outcomes] == [False] * (MAX_FAILURES - 1) + [True]
    assert accounts.sign_in_coordinator("bert", PASSWORD).locked
    now[0] += 15 * 60 + 1
    assert accounts.sign_in_coordinator("bert", PASSWORD).who is not None


def test_passwords_are_stored_as_argon2_hashes_and_must_be_long() -> None:
    store = TableStore("memory:")
    accounts = Accounts(store)
    accounts.add_coordinator("bert", PASSWORD)
    [(stored,)] = store.run("SELECT password_hash FROM web_accounts")
    assert stored.startswith("$argon2id$")
    assert PASSWORD not in stored
    with pytest.raises(WeakPasswordError):
        accounts.add_coordinator("carla", "short")


def test_sign_ins_from_one_address_are_rate_limited() -> None:
    now = [0.0]
    limiter = RateLimiter(limit=3, window=60, clock=lambda: now[0])
    assert [limiter.allow("10.0.0.1") for _ in range(4)] == [True, True, True, False]
    assert limiter.allow("10.0.0.2")
    now[0] = 61
    assert limiter.allow("10.0.0.1")


def test_sessions_expire_and_end_at_sign_out() -> None:
    now = [0.0]
    sessions = Sessions(TableStore("memory:"), clock=lambda: now[0])
    from services.antenne.application.roles import Role

    token = sessions.open("coordinator", "anna", Role.COORDINATOR, "Anna")
    assert sessions.find(token) is not None
    assert sessions.find("guessed") is None
    sessions.close(token)
    assert sessions.find(token) is None
    later = sessions.open("coordinator", "anna", Role.COORDINATOR, "Anna")
    now[0] = 11 * 3600
    assert sessions.find(later) is None


def test_a_member_signs_in_with_the_code_from_the_desk(client: TestClient) -> None:
    member_id = antenne_of(client).register_member("Maria Peeters")
    number = antenne_of(client).get_member(member_id).number
    code = desk_of(client).accounts.issue_code(number, str(member_id))
    token = csrf_of(client.get("/signin/member").text)
    wrong = client.post("/signin/member", data={"number": number, "code": "00000000", "csrf": token})
    assert wrong.status_code == 400
    spaced = f"{code[:4]} {code[4:]}"
    answer = client.post("/signin/member", data={"number": number.lower(), "code": spaced, "csrf": token})
    assert answer.status_code == 303
    page = client.get("/me")
    assert "Maria Peeters" in page.text
    assert client.get("/desk").status_code == 303  # a member is not a coordinator


def test_a_one_time_code_works_once() -> None:
    accounts = Accounts(TableStore("memory:"))
    code = accounts.issue_code("JET-0001", "m-1", one_time=True)
    assert accounts.sign_in_member("JET-0001", code).who == "m-1"
    assert accounts.sign_in_member("JET-0001", code).who is None


def test_a_new_code_replaces_the_old_one() -> None:
    accounts = Accounts(TableStore("memory:"))
    old = accounts.issue_code("JET-0001", "m-1")
    new = accounts.issue_code("JET-0001", "m-1")
    assert accounts.sign_in_member("JET-0001", old).who is None or old == new
    assert accounts.sign_in_member("JET-0001", new).who == "m-1"


def test_signing_out_ends_the_session(client: TestClient) -> None:
    token = sign_in(client)
    assert client.post("/signout", data={"csrf": token}).status_code == 303
    assert client.get("/desk").status_code == 303


@pytest.mark.parametrize("elsewhere", ["https://evil.example/", "//evil.example/", "/\\evil.example/"])
def test_signing_in_never_sends_the_browser_to_another_site(client: TestClient, elsewhere: str) -> None:
    token = csrf_of(client.get("/signin").text)
    answer = client.post("/signin", data={"username": "anna", "password": PASSWORD, "csrf": token,
                                          "next": elsewhere})  # fmt: skip
    assert answer.headers["location"] == "/desk"
