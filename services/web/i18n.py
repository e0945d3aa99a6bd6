"""Dutch and French messages from gettext catalogues, read at run time; which language a request wants."""

from __future__ import annotations

import gettext
from functools import cache
from io import BytesIO
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

if TYPE_CHECKING:
    from starlette.requests import Request

LANGUAGES = ("nl", "fr")  # shown in the switch; English is only the fallback of a missing message
DEFAULT_LANGUAGE = "nl"
LANGUAGE_NAMES = {"nl": "Nederlands", "fr": "Français"}
COOKIE = "lang"
LOCALE_DIR = Path(__file__).parent / "locale"
DOMAIN = "messages"


class Gettext(Protocol):
    """`_("Text", name=value)`: translate, then fill the `%(name)s` placeholders."""

    def __call__(self, message: str, /, **values: object) -> str: ...


def N_(message: str) -> str:  # noqa: N802 (the gettext convention)
    """Mark a message for the catalogues where it is defined; `_` translates it where it is shown."""
    return message


@cache
def translations(lang: str) -> gettext.NullTranslations:
    """The catalogue of one language, compiled in memory from its `.po` file (English: none)."""
    path = LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po"
    if not path.exists():
        return gettext.NullTranslations()
    with path.open("rb") as po:
        catalog = read_po(po, locale=lang)
    compiled = BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    return Translations(compiled, domain=DOMAIN)


def gettext_for(lang: str) -> Gettext:
    """The `_` of one language."""
    catalogue = translations(lang)

    def translate(message: str, /, **values: object) -> str:
        text = catalogue.gettext(message)
        return text % values if values else text

    return translate


def language_of(request: Request) -> str:
    """`?lang=`, else the cookie, else the first supported Accept-Language, else Dutch."""
    for wanted in (request.query_params.get(COOKIE), request.cookies.get(COOKIE)):
        if wanted in LANGUAGES:
            return wanted
    for part in request.headers.get("accept-language", "").split(","):
        code = part.split(";")[0].strip().lower()[:2]
        if code in LANGUAGES:
            return code
    return DEFAULT_LANGUAGE
