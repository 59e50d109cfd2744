"""Echo: measurable checks of a film (flicker, palette, exposure, beat sync, Chroma's fills, learned
text alignment), the report with its gates, and the revision requests they trigger. Per-shot
measures that return an `EchoFinding`: CIEDE2000 palette adherence, flow-warped flicker, jerk and
foot sliding of the pose curves, lip-sync offset and loudness."""

from talos_assets.agents.evaluation.alignment import text_alignment_margins
from talos_assets.agents.evaluation.clips import SAMPLES_PER_CLIP, score_clips
from talos_assets.agents.evaluation.chroma import chroma_palette_adherence, graded_swatches
from talos_assets.agents.evaluation.colour_difference import (
    PALETTE_ERROR_BELOW,
    PALETTE_TOLERANCE_DE00,
    PALETTE_WARN_BELOW,
    delta_e2000,
    palette_adherence_de2000,
    palette_finding,
)
from talos_assets.agents.evaluation.dialogue_sync import (
    MIX_TARGET_LUFS,
    drawn_openings,
    lip_sync_finding,
    lip_sync_offset_ms,
    loudness_finding,
)
from talos_assets.agents.evaluation.film_frames import decoded_film_frames
from talos_assets.agents.evaluation.findings import EchoFinding
from talos_assets.agents.evaluation.metrics import (
    FLICKER_GRID,
    exposure_stats,
    flicker_series,
    palette_adherence,
    score_frames,
    temporal_flicker,
)
from talos_assets.agents.evaluation.motion_quality import (
    figure_heights,
    foot_sliding,
    foot_sliding_finding,
    jerk_finding,
    jerk_series,
    joint_tracks,
    planted_feet,
)
from talos_assets.agents.evaluation.report import (
    EvaluationReport,
    EvaluationThresholds,
    RevisionKind,
    RevisionRequest,
    build_report,
    revision_requests,
)
from talos_assets.agents.evaluation.warped_flicker import (
    FLICKER_LONG_SIDE,
    flicker_finding,
    mean_warped_flicker,
    warped_flicker_series,
)

__all__ = ["SAMPLES_PER_CLIP", "score_clips", "text_alignment_margins", "chroma_palette_adherence", "graded_swatches", "decoded_film_frames", "FLICKER_GRID",
           "exposure_stats", "flicker_series", "palette_adherence", "score_frames", "temporal_flicker", "EvaluationReport",
           "EvaluationThresholds", "RevisionKind", "RevisionRequest", "build_report", "revision_requests",
           "EchoFinding", "PALETTE_TOLERANCE_DE00", "PALETTE_WARN_BELOW", "PALETTE_ERROR_BELOW", "delta_e2000",
           "palette_adherence_de2000", "palette_finding", "FLICKER_LONG_SIDE", "flicker_finding", "mean_warped_flicker",
           "warped_flicker_series", "figure_heights", "foot_sliding", "foot_sliding_finding", "jerk_finding",
           "jerk_series", "joint_tracks", "planted_feet", "MIX_TARGET_LUFS", "drawn_openings", "lip_sync_finding",
           "lip_sync_offset_ms", "loudness_finding"]
