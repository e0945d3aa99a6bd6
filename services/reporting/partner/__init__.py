"""The anonymised feed for alliance partners: pseudonyms, messages, their publisher, an example reader."""
