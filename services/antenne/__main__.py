"""`python -m services.antenne serve|relay|republish ...`: an antenne without the `buurtpensioen` command."""

from __future__ import annotations

from services.antenne.cli import app

app(prog_name="python -m services.antenne")
