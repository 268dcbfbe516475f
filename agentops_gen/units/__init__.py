"""Stage 0: the vocabulary every stage shares (durations, generated names, PromQL syntax); imports no stage."""
