"""Per-installation NATS credentials and the server configuration that enforces who may say what."""
