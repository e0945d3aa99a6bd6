"""The words the report pages show for tables and columns, as msgids of the shared catalogues.

`N_` only marks a msgid for the catalogue test; the templates translate with `_` at render time.
"""

from __future__ import annotations

from services.web import N_

TABLES = {
    "members": N_("Members"),
    "requests": N_("Help requests"),
    "exchanges": N_("Help given, by category"),
    "reciprocity": N_("Reciprocity"),
    "solidarity": N_("Gifts and the solidarity pool"),
    "attendance": N_("Permanences and gatherings"),
    "languages": N_("Languages spoken"),
    "reach": N_("Reach"),
}

COLUMNS = {
    "month": N_("Month"),
    "new": N_("New"),
    "active": N_("Active (3 months)"),
    "paused": N_("Paused"),
    "left": N_("Left"),
    "registered": N_("Registered"),
    "opened": N_("Asked"),
    "matched": N_("Matched"),
    "median_days_to_match": N_("Median days to a match"),
    "unmatched": N_("Not matched"),
    "category": N_("Category"),
    "exchanges": N_("Exchanges"),
    "quarters": N_("Hours"),
    "gave_or_received": N_("Gave or received"),
    "gave_and_received": N_("Gave and received"),
    "percent": N_("Share (%)"),
    "donations": N_("Gifts"),
    "donated_quarters": N_("Hours given away"),
    "pool_grants": N_("Pool grants"),
    "pool_quarters": N_("Hours granted"),
    "permanences": N_("Permanences"),
    "permanence_attendance": N_("Visits to the permanence"),
    "gatherings": N_("Gatherings"),
    "gathering_attendance": N_("Gathering attendance"),
    "language": N_("Language"),
    "members": N_("Members"),
    "isolated": N_("Noted as isolated"),
    "isolated_reached": N_("Isolated members reached"),
    "target_group": N_("Target group"),
    "goal": N_("Goal (15%)"),
    "percent_of_goal": N_("Of the goal (%)"),
}

CATEGORIES = {  # the same words as the antenne's pages
    "transport": N_("Transport"),
    "shopping": N_("Shopping"),
    "digital": N_("Computer and phone help"),
    "company": N_("Company, a visit"),
    "outings": N_("Outings"),
    "pets": N_("Pets"),
    "small_jobs": N_("Small jobs"),
    "administration": N_("Paperwork"),
    "other": N_("Other"),
}

LANGUAGES = {  # the same words as the antenne's pages, where it has them
    "nl": N_("Dutch"),
    "fr": N_("French"),
    "en": N_("English"),
    "ar": N_("Arabic"),
    "tr": N_("Turkish"),
    "es": N_("Spanish"),
    "pl": N_("Polish"),
    "unknown": N_("Not known"),
}

QUARTER_COLUMNS = frozenset({"quarters", "donated_quarters", "pool_quarters"})
