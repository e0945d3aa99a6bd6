"""NATS JetStream plumbing shared by the services: streams, the embedded server, the chain consumer."""
