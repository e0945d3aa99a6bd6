"""Every message the pages show is in the Dutch and the French catalogue, with the same placeholders."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from services.web import LANGUAGES
from services.web.i18n import LOCALE_DIR

ROOT = Path(__file__).parents[3] / "services"
# The shared package and every service's pages (`services/<service>/web`).
PAGE_FOLDERS = [ROOT / "web", *sorted(p for p in ROOT.glob("*/web") if p.is_dir())]
PLACEHOLDER = re.compile(r"%\((\w+)\)s")


def _used() -> dict[str, str]:
    found: dict[str, str] = {}
    for folder in PAGE_FOLDERS:
        for filename, lineno, message, _, _ in extract_from_dir(
            folder,
            method_map=[("**.py", "python"), ("**.html", "jinja2.ext:babel_extract")],
            keywords={"_": None, "N_": None},
        ):
            text = message[0] if isinstance(message, tuple) else message
            found.setdefault(text, f"{folder.name}/{filename}:{lineno}")
    return found


USED = _used()


def test_the_pages_use_messages() -> None:
    assert len(USED) > 100
    assert "Record hours" in USED


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_message_used_is_translated(lang: str) -> None:
    with (LOCALE_DIR / lang / "LC_MESSAGES" / "messages.po").open("rb") as po:
        catalog = read_po(po)
    translated = {m.id: m.string for m in catalog if m.id and m.string}
    missing = {text: where for text, where in USED.items() if text not in translated}
    assert missing == {}
    wrong = [
        t
        for t in USED
        if PLACEHOLDER.findall(t)
        and set(PLACEHOLDER.findall(t)) != set(PLACEHOLDER.findall(str(translated[t])))
    ]
    assert wrong == []
