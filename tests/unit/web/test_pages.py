"""The shared page layout: the request's language, the switch, the duration filter, the catalogues."""

from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse
from fastapi.testclient import TestClient

from services.web import LANGUAGES, WebPages, gettext_for
from services.web.i18n import LOCALE_DIR


@pytest.fixture
def client(tmp_path: Path) -> TestClient:
    (tmp_path / "page.html").write_text(
        '{% extends "base.html" %}{% block content %}<p id="t">{{ _("Hours") }}: {{ q|duration }}</p>'
        "{% endblock %}"
    )
    pages = WebPages(tmp_path)
    app = FastAPI()
    pages.mount_static(app)

    @app.get("/page", response_class=HTMLResponse)
    def page(request: Request) -> HTMLResponse:
        return pages.render(request, "page.html", {"title": "t", "q": 5})

    return TestClient(app)


def test_dutch_is_the_default(client: TestClient) -> None:
    body = client.get("/page").text
    assert '<html lang="nl">' in body
    assert "Uren: 1 u 15" in body


def test_the_switch_is_remembered_in_a_cookie(client: TestClient) -> None:
    chosen = client.get("/page?lang=fr")
    assert "Heures: 1 h 15" in chosen.text
    assert "lang=fr" in chosen.headers["set-cookie"]
    assert "HttpOnly" in chosen.headers["set-cookie"]
    assert "Heures" in client.get("/page").text  # the cookie, without the query


def test_the_browser_language_is_used_when_nothing_was_chosen(client: TestClient) -> None:
    assert "Heures" in client.get("/page", headers={"Accept-Language": "fr-BE,fr;q=0.9"}).text
    assert "Uren" in client.get("/page", headers={"Accept-Language": "de-DE"}).text


def test_the_switch_links_every_language_and_marks_the_current_one(client: TestClient) -> None:
    body = client.get("/page?lang=fr").text
    assert 'hreflang="nl"' in body
    assert " ".join(body.split()).count('aria-current="true"') == 1
    assert 'hreflang="fr" aria-current="true"' in " ".join(body.split())


def test_the_stylesheet_is_served(client: TestClient) -> None:
    css = client.get("/static/web/buurtpensioen.css")
    assert css.status_code == 200
    assert ":focus-visible" in css.text


def test_a_missing_message_falls_back_to_english() -> None:
    assert gettext_for("fr")("A sentence nobody translated") == "A sentence nobody translated"
    assert (
        gettext_for("fr")("Hi %(name)s, nobody translated me", name="Jean") == "Hi Jean, nobody translated me"
    )
    assert gettext_for("fr")("Hello %(name)s", name="Jean") == "Bonjour Jean"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_catalogue_translates_every_message(lang: str) -> None:
    with (LOCALE_DIR / lang / "LC_MESSAGES" / "messages.po").open("rb") as po:
        catalog = read_po(po)
    untranslated = [m.id for m in catalog if m.id and not m.string]
    assert untranslated == []
    assert len(catalog) > 5
