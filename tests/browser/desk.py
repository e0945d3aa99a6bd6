"""Setting up a test's members and help the way the desk software does: through the JSON API and the pages."""

from __future__ import annotations

import re
from typing import Any

import httpx

from tests.browser.conftest import Antenne

TOKEN = "browser-tests-token-0123456789"
CSRF = re.compile(r'name="csrf" value="([^"]+)"')
CODE = re.compile(r'id="member-code">([\d ]+)<')


def api(antenne: Antenne, method: str, path: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
    """One JSON API call with the antenne's token; its JSON answer."""
    answer = httpx.request(
        method,
        f"{antenne.url}/api/v1{path}",
        json=body,
        headers={"Authorization": f"Bearer {TOKEN}"},
        timeout=10,
    )
    answer.raise_for_status()
    result: dict[str, Any] = answer.json()
    return result


def member(antenne: Antenne, name: str) -> tuple[str, str]:
    """Register a member; their id and number."""
    member_id = str(api(antenne, "POST", "/members", {"display_name": name})["member_id"])
    return member_id, str(api(antenne, "GET", f"/members/{member_id}")["number"])


def sign_in_code(antenne: Antenne, member_id: str) -> str:
    """A coordinator signs in to the pages and gives the member a new code; the code."""
    with httpx.Client(base_url=antenne.url, timeout=10) as desk:
        token = CSRF.search(desk.get("/signin").text)
        assert token
        desk.post("/signin", data={"username": antenne.username, "password": antenne.password,
                                   "csrf": token.group(1)})  # fmt: skip
        token = CSRF.search(desk.get(f"/desk/members/{member_id}").text)
        assert token
        page = desk.post(f"/desk/members/{member_id}/code", data={"csrf": token.group(1)}).text
    code = CODE.search(page)
    assert code, page
    return code.group(1)
