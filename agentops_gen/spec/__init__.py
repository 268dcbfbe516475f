"""Stage 2: the public spec language as pydantic v2 models (extra keys are errors)."""
