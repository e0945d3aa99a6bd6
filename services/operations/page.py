"""The status as one HTML page for the project coordinator (written by `status --html FILE`)."""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING

from services.operations.status import age, delivery, ledger_position, ledger_view_text, reporting_position

if TYPE_CHECKING:
    from services.operations.snapshot import AntenneState, Snapshot

REFRESH_SECONDS = 60


def render_page(snapshot: Snapshot, found: list[str]) -> str:
    """A self-contained page: the verdict first, then one row per antenne, then the problems."""
    verdict = "Alles in orde / Tout va bien / All is well" if not found else f"{len(found)} problem(s)"
    rows = "\n".join(_row(snapshot, antenne) for antenne in snapshot.antennes)
    problems = "".join(f"<li>{escape(problem)}</li>" for problem in found)
    audit = snapshot.audit
    books = "unavailable" if audit is None else ("balanced" if audit.balanced else "NOT balanced")
    return f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="refresh" content="{REFRESH_SECONDS}">
<title>BuurtPensioen federation status</title>
<style>
body {{ font-family: system-ui, sans-serif; margin: 2rem; color: #1a1a1a; }}
table {{ border-collapse: collapse; }} th, td {{ padding: .4rem .8rem; border-bottom: 1px solid #ccc; }}
th {{ text-align: left; }} .ok {{ color: #05620f; }} .problem {{ color: #a30000; font-weight: bold; }}
</style>
</head>
<body>
<h1>BuurtPensioen federation</h1>
<p class="{"ok" if not found else "problem"}">{escape(verdict)}</p>
<p>Read {snapshot.taken_at:%Y-%m-%d %H:%M:%S} UTC. The ledger's books: {books}.</p>
<table>
<caption>Antennes and where their events are</caption>
<thead><tr><th scope="col">Antenne</th><th scope="col">Up</th><th scope="col">Relay</th>
<th scope="col">Events relayed</th><th scope="col">Waiting</th><th scope="col">Ledger</th>
<th scope="col">Reporting</th><th scope="col">Last known balances</th></tr></thead>
<tbody>
{rows}
</tbody>
</table>
{f"<h2>Problems</h2><ul>{problems}</ul>" if found else ""}
</body>
</html>
"""


def _row(snapshot: Snapshot, antenne: AntenneState) -> str:
    if not antenne.up:
        cells = [antenne.antenne_id, "DOWN", "", "", "", "", "", ""]
    else:
        ledger = delivery(antenne, snapshot.ledger, ledger_position(snapshot, antenne.antenne_id))
        reporting = delivery(antenne, snapshot.reporting, reporting_position(snapshot, antenne.antenne_id))
        cells = [
            antenne.antenne_id,
            "yes",
            "connected" if antenne.relay_connected else "DISCONNECTED",
            str(antenne.relay_position or 0),
            str(antenne.backlog),
            *(
                ("up to date" if d.caught_up else f"{d.behind} behind" if d.behind else "unknown")
                + (f", last event {age(snapshot, d.last_applied_at)}" if d.last_applied_at else "")
                for d in (ledger, reporting)
            ),
            ledger_view_text(snapshot, antenne),
        ]
    return "<tr>" + "".join(f"<td>{escape(cell)}</td>" for cell in cells) + "</tr>"
