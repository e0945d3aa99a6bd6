"""Dates for tests: help performed recently, so that it stays within any antenne's backdating limit."""

from __future__ import annotations

from datetime import date, timedelta

RECENT = date.today() - timedelta(days=3)
RECENT_ISO = RECENT.isoformat()
