"""Prism's film grammar: shot size, lens, duration and camera move for a beat, and where each
character stands on screen.

The classic coverage rules: a new location (scene heading) opens with an establishing shot;
dialogue is shot on the speaker (a medium two-shot first to set the geography, close-ups when the
line is intense); action lines become wide/medium/close-up by arousal, and short character-less
details become inserts. Lenses lengthen with tighter sizes (24 mm establishing .. 85 mm close-up);
arousal shortens shots and dialogue holds long enough to be read (~2.7 words/s); camera moves follow
emotion. The 180-degree rule is kept per scene: the scene's characters get a fixed left-to-right
stage order, which also carries into the next scene for the characters who stay.
"""

from __future__ import annotations

from talos_assets.agents.direction.beats import Scene
from talos_assets.spec import CameraMove, Emotion, ShotSize

_CAMERA_FOR_EMOTION = {
    Emotion.joy: CameraMove.pan, Emotion.sadness: CameraMove.pull_out, Emotion.anger: CameraMove.handheld,
    Emotion.fear: CameraMove.handheld, Emotion.surprise: CameraMove.push_in, Emotion.calm: CameraMove.static,
    Emotion.determination: CameraMove.dolly, Emotion.awe: CameraMove.tilt,
}
# Focal length per shot size (35 mm equivalent): wide lenses show the place, long lenses isolate a
# face and compress the background, the classic coverage kit.
LENS_FOR_SIZE: dict[ShotSize, float] = {
    ShotSize.establishing: 24.0, ShotSize.wide: 28.0, ShotSize.medium: 45.0, ShotSize.close_up: 85.0,
    ShotSize.insert: 120.0,
}
_BASE_LENS = 24.0


def choose_shot_size(index: int, arousal: float, emotion: Emotion, *, first_in_scene: bool | None = None,
                     kind: str = "action", has_characters: bool = True, words: int = 10) -> ShotSize:
    """Shot size from position in the scene, beat kind and arousal (tighter as arousal rises)."""
    if first_in_scene if first_in_scene is not None else index == 0:
        return ShotSize.establishing
    if kind == "dialogue":
        return ShotSize.close_up if arousal > 0.35 else ShotSize.medium
    if not has_characters and words <= 10:
        return ShotSize.insert  # a short line about a thing, not a person: a detail shot
    if emotion in (Emotion.awe,):
        return ShotSize.wide
    if arousal > 0.6:
        return ShotSize.close_up
    if arousal > 0.1:
        return ShotSize.medium
    return ShotSize.wide


def choose_lens(size: ShotSize, emotion: Emotion) -> float:
    lens = LENS_FOR_SIZE[size]
    if emotion == Emotion.awe and size in (ShotSize.establishing, ShotSize.wide):
        lens *= 0.75  # a wider lens for vastness
    if emotion in (Emotion.fear, Emotion.anger) and size == ShotSize.close_up:
        lens = 100.0  # tighter and flatter: the character is cornered
    return lens


def lens_zoom(lens_mm: float) -> float:
    """Camera zoom for a focal length, relative to the 24 mm establishing lens.

    Optically the framing scales with f/24. Axis already scales figures up for tighter shot sizes
    (its staging table), which supplies about the other half of that magnification, so the camera
    takes the square-root-like share (f/24)^0.47; the product matches f/24 within ~10 % for
    establishing..close-up.
    """
    return min(3.0, max(1.0, (lens_mm / _BASE_LENS) ** 0.47))


def shot_duration(arousal: float) -> float:
    """Pacing: calm beats hold ~5 s, frantic ones ~2 s."""
    return round(3.5 - 1.5 * max(-1.0, min(1.0, arousal)), 2)


def dialogue_duration(text: str, arousal: float) -> float:
    """A line must be heard: ~2.7 words/s speech plus a breath, but never slower than the pacing allows."""
    words = len(text.split())
    return round(min(10.0, max(0.8 * shot_duration(arousal), words / 2.7 + 0.6)), 2)


def choose_camera(size: ShotSize, emotion: Emotion, arousal: float, kind: str, index: int) -> CameraMove:
    if size == ShotSize.establishing:
        if index == 0:
            return CameraMove.static
        return CameraMove.tilt if emotion == Emotion.awe else (CameraMove.pan if arousal > 0.2 else CameraMove.static)
    if kind == "dialogue":
        # coverage of dialogue stays steady so the face reads; fear/anger get the operator's hand
        if emotion in (Emotion.fear, Emotion.anger) and arousal > 0.5:
            return CameraMove.handheld
        if emotion == Emotion.surprise:
            return CameraMove.push_in
        return CameraMove.static
    if size == ShotSize.insert:
        return CameraMove.push_in if arousal > 0.3 else CameraMove.static
    return _CAMERA_FOR_EMOTION[emotion]


def screen_sides(stage_order: list[str]) -> dict[str, str]:
    """Left/center/right for each character of a scene's left-to-right order."""
    n = len(stage_order)
    out = {}
    for i, c in enumerate(stage_order):
        pos = (i + 0.5) / n if n else 0.5
        out[c] = "left" if pos < 0.45 else ("right" if pos > 0.55 else "center")
    return out


def carry_stage_order(scenes: list[Scene]) -> None:
    """Characters who carry over into the next scene keep their left-to-right order there too (only
    the shared ones are reordered, in the slots they already hold), so a cut to a new place does not
    swap who stands where without a reason."""
    for prev, sc in zip(scenes, scenes[1:]):
        shared = [c for c in sc.cast if c in prev.cast]
        ordered = iter([c for c in prev.cast if c in shared])
        sc.cast = [next(ordered) if c in shared else c for c in sc.cast]


def camera_note(size: ShotSize, move: CameraMove, lens: float, kind: str, speaker: str | None, chars: list[str]) -> str:
    """The storyboard's one-line camera note, e.g. 'close-up on mira, 85mm, static'."""
    who = f"on {speaker}" if kind == "dialogue" and speaker else (" & ".join(chars) if chars else "the place")
    two = " two-shot" if kind == "dialogue" and len(chars) > 1 else ""
    return f"{size.value}{two} {who}, {lens:.0f}mm, {move.value}"
