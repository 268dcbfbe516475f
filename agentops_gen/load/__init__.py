"""Stage 1: YAML files in, plain data plus a map from field path to source location out."""
