"""Pure agent code: numpy/torch/warp in, numpy/specs out. Nothing here imports Dagster."""
