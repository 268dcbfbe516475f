"""Stage 5: parse everything that was rendered (and every PromQL string) before anything is written."""
