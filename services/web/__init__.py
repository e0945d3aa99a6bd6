"""The web pages' shared parts: templates, Dutch and French messages, durations, one layout, one CSS file.

Used by every service that serves pages (the antenne's desk and member pages, reporting's overview).
How to use it, in a service's composition root:

    from services.web import WebPages

    pages = WebPages(Path(__file__).parent / "templates")   # your templates; base.html comes from here
    pages.mount_static(app)                                    # /static/web/buurtpensioen.css
    ...
    @router.get("/overview", response_class=HTMLResponse)
    def overview(request: Request) -> HTMLResponse:
        return pages.render(request, "overview.html", {"title": "..."})

A template extends `base.html` and fills `{% block content %}` (and `title`, `nav` if it wants). In every
template `_("Text")` translates into the request's language (`_("Hello %(name)s", name=x)` formats after
translating), `lang` is that language, `quarters|duration` shows quarter hours as "1 u 15" (nl) or
"1 h 15" (fr), and `"2026-11"|month` a month as "november 2026" or "novembre 2026". The language is
`?lang=nl|fr` (remembered in a cookie), else the cookie, else the browser's Accept-Language, else Dutch;
`base.html` shows the switch.

Messages live in `services/web/locale/<lang>/LC_MESSAGES/messages.po` (one catalogue for every service's
pages, read at run time: nothing to compile). A message missing from a catalogue shows in English. Keep a
service's page code and templates in `services/<service>/web/` (templates in its `templates/`): the
catalogue test then fails on any message not translated in nl and fr. Mark a message defined away from
where it is shown with `N_("...")`. After adding messages:

    .venv/bin/pybabel extract -F services/web/babel.cfg -k N_ -o /tmp/messages.pot .
    .venv/bin/pybabel update -i /tmp/messages.pot -d services/web/locale --no-fuzzy-matching

then fill in the new `msgstr` of both `.po` files.
Forms read a duration with `parse_duration(hours, minutes)` (quarter-hour steps), which raises
`DurationError` whose `message` is a msgid to show next to the field.
"""

from __future__ import annotations

from services.web.durations import DurationError, format_duration, format_month, parse_duration
from services.web.i18n import DEFAULT_LANGUAGE, LANGUAGES, N_, gettext_for, language_of
from services.web.pages import STATIC_PATH, WebPages

__all__ = [
    "DEFAULT_LANGUAGE",
    "LANGUAGES",
    "N_",
    "STATIC_PATH",
    "DurationError",
    "WebPages",
    "format_duration",
    "format_month",
    "gettext_for",
    "language_of",
    "parse_duration",
]
