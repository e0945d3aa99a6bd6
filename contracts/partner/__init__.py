"""What alliance partners receive: the anonymised feed."""
