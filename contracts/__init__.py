"""Versioned integration contracts shared by every BuurtPensioen service: the one source of each schema."""
