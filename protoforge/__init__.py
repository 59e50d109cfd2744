"""Protoforge Lab: trains the studio's agent models (Echo's image-text alignment CLIP, Flux's frame
interpolator) with Lightning on frames the pipeline rendered itself, tracks and registers them in
MLflow, and loads them back by registry alias. Kept import-light: heavy modules load on use.
"""

from protoforge.config import REGISTERED_NAMES, TrainConfig, TrainResult

__all__ = ["REGISTERED_NAMES", "TrainConfig", "TrainResult"]
