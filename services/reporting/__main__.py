"""`python -m services.reporting serve ...`: reporting without the `buurtpensioen` command."""

from __future__ import annotations

from services.reporting.cli import app

app(prog_name="python -m services.reporting")
