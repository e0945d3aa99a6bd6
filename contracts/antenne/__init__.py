"""Contracts published by antennes on `bp.<antenne_id>.<aggregate>.<event>`."""
