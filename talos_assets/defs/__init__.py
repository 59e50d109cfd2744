"""The thin Dagster layer: each module turns one agent's pure functions into partitioned assets."""
