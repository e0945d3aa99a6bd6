"""`python -m services.ledger serve ...`: the ledger without the `buurtpensioen` command."""

from __future__ import annotations

from services.ledger.cli import app

app(prog_name="python -m services.ledger")
