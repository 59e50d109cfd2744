"""Echo: measurable checks of a film (flicker, palette, exposure, beat sync, Chroma's fills, learned
text alignment), the report with its gates, and the revision requests they trigger."""

from talos_assets.agents.evaluation.alignment import text_alignment_margins
from talos_assets.agents.evaluation.clips import SAMPLES_PER_CLIP, score_clips
from talos_assets.agents.evaluation.chroma import chroma_palette_adherence, graded_swatches
from talos_assets.agents.evaluation.film_frames import decoded_film_frames
from talos_assets.agents.evaluation.metrics import (
    FLICKER_GRID,
    exposure_stats,
    flicker_series,
    palette_adherence,
    score_frames,
    temporal_flicker,
)
from talos_assets.agents.evaluation.report import (
    EvaluationReport,
    EvaluationThresholds,
    RevisionKind,
    RevisionRequest,
    build_report,
    revision_requests,
)

__all__ = ["SAMPLES_PER_CLIP", "score_clips", "text_alignment_margins", "chroma_palette_adherence", "graded_swatches", "decoded_film_frames", "FLICKER_GRID",
           "exposure_stats", "flicker_series", "palette_adherence", "score_frames", "temporal_flicker", "EvaluationReport",
           "EvaluationThresholds", "RevisionKind", "RevisionRequest", "build_report", "revision_requests"]
