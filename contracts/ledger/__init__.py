"""Contracts the central ledger publishes or hands out."""
