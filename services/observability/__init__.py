"""What every service shows an operator alike: Prometheus metrics and structured logs."""
