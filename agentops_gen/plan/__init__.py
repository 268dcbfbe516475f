"""Stage 3: everything computed once (windows, thresholds, names), as pure functions."""
