"""Quarter hours shown as hours and minutes ("1 u 15", "1 h 15") and read back from a form's two fields."""

from __future__ import annotations

from datetime import date

from babel.dates import format_date

from services.web.i18n import N_

MINUTE_STEPS = (0, 15, 30, 45)
MAX_HOURS = 99
# The hour's abbreviation per language: Dutch writes "1 u 15", French "1 h 15".
HOUR_MARK = {"nl": "u", "fr": "h", "en": "h"}


class DurationError(ValueError):
    """A duration a form cannot take; `message` is the msgid to show, translated, next to the field."""

    def __init__(self, message: str, field: str) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


def format_duration(quarters: int, lang: str = "nl") -> str:
    """Quarter hours as "1 u 15" (nl) or "1 h 15" (fr); whole hours as "2 u"; negative with a minus sign."""
    sign = "-" if quarters < 0 else ""
    hours, rest = divmod(abs(quarters), 4)
    mark = HOUR_MARK.get(lang, "h")
    minutes = f" {rest * 15}" if rest else ""
    return f"{sign}{hours} {mark}{minutes}"


def format_month(month: str, lang: str = "nl") -> str:
    """A statement's month, `2026-11`, as "november 2026" (nl) or "novembre 2026" (fr)."""
    year, number = (int(part) for part in month.split("-"))
    return format_date(date(year, number, 1), "LLLL yyyy", locale=lang)


def parse_duration(hours: str, minutes: str, *, allow_zero: bool = False) -> int:
    """The quarter hours of a form's hours field (a whole number) and minutes field (0, 15, 30 or 45)."""
    hours, minutes = hours.strip() or "0", minutes.strip() or "0"
    if not hours.isdecimal() or int(hours) > MAX_HOURS:
        raise DurationError(N_("Enter the hours as a whole number, such as 1."), "hours")
    if not minutes.isdecimal() or int(minutes) not in MINUTE_STEPS:
        raise DurationError(N_("Choose 0, 15, 30 or 45 minutes."), "minutes")
    quarters = int(hours) * 4 + int(minutes) // 15
    if quarters == 0 and not allow_zero:
        raise DurationError(N_("Enter a time longer than zero."), "hours")
    return quarters
