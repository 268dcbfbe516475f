"""Online checks and backtests against a running Prometheus (HTTP API, standard library only)."""
