"""What a delivered master gets wrong against the timeline it was rendered from, in words: duration
within one frame, picture size, frame rate, and an audio stream where one belongs."""

from __future__ import annotations

from talos_assets.spec import FilmPlan


def stream_problems(facts, expected_frames: int, plan: FilmPlan, with_audio: bool = True) -> list[str]:
    """What a master gets wrong against the timeline, in words (empty when it is right)."""
    problems = []
    expected_s = expected_frames / plan.fps
    if abs(facts.duration_s - expected_s) > 1.0 / plan.fps + 1e-3:
        problems.append(f"duration {facts.duration_s:.3f}s vs timeline {expected_s:.3f}s")
    if (facts.width, facts.height) != (plan.width, plan.height):
        problems.append(f"size {facts.width}x{facts.height} vs {plan.width}x{plan.height}")
    if facts.fps is None or abs(facts.fps - plan.fps) > 0.01:
        problems.append(f"fps {facts.fps} vs {plan.fps}")
    if with_audio and not facts.has_audio:
        problems.append("no audio stream")
    return problems
