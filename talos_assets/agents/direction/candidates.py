"""Prism's alternatives for a shot, and the plan features a learned critic scores them by.

Where direction has a free choice the story did not make (the camera move, how tight the lens is,
which variation of the acting the seed draws, how strong an effect reads), `shot_candidates` offers
K versions of the shot: the planned one first, then seeded variations. A critic trained by
Protoforge on Echo's judgements predicts each one's Echo score from `plan_features`, and
`pick_candidate` keeps the best. What the story fixed is never varied: an explicit camera, lens or
effect strength from the YAML stays as written (the caller says which fields the user set).

The plan cannot say how smoothly a seed's acting will swing, and that is where seeded variations of
one shot differ most in Echo's eyes: the features end with the candidate's acting preview
(`evaluation/acting_preview.py`: its jerk and foot sliding as Echo measures them, from the pose curves alone).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
import numpy as np

from pydantic import BaseModel

from talos_assets.spec import CameraMove, ShotPlan, ShotSize, TimeOfDay, Weather

LENS_STEPS = (0.8, 0.9, 1.0, 1.12, 1.25)  # lens multipliers a candidate may take
STRENGTH_STEPS = (0.7, 0.85, 1.0, 1.2, 1.45)  # effect-strength multipliers
QUIET_MOVES = (CameraMove.static, CameraMove.push_in, CameraMove.pull_out, CameraMove.pan, CameraMove.dolly)
BEATS = ("shot", "action", "dialogue", "title")

FEATURE_NAMES: tuple[str, ...] = (
    *(f"size:{s.value}" for s in ShotSize), *(f"camera:{c.value}" for c in CameraMove),
    *(f"time:{t.value}" for t in TimeOfDay), *(f"weather:{w.value}" for w in Weather), *(f"beat:{b}" for b in BEATS),
    "lens_mm/100", "valence", "arousal", "dominance", "characters", "effects", "effect_strength", "props",
    "actions", "interior", "seconds", "seed_phase_sin", "seed_phase_cos",
    "acting_previewed", "acting_jerk", "acting_foot_sliding",
)


class ActingPreview(BaseModel):
    """Echo's motion measures of a candidate's pose curves, before it is drawn
    (`evaluation.acting_preview`); None when the shot has nobody to act."""

    jerk: float | None = None  # figure heights / frame^3 at 24 fps, worst joint of the worst character
    foot_sliding: float | None = None  # figure heights / frame at 24 fps, while a foot should be planted


Preview = Callable[[ShotPlan], ActingPreview]


def plan_features(shot: ShotPlan, acting: ActingPreview | None = None) -> np.ndarray:
    """The shot's plan (and its acting preview, when there is one) as the critic's input vector
    (named by FEATURE_NAMES)."""
    def onehot(value, values) -> list[float]:
        return [1.0 if value == v else 0.0 for v in values]

    # the seed only matters through the variation it draws; a phase keeps it bounded and smooth
    phase = 2 * np.pi * ((shot.seed % 997) / 997.0)
    row = (onehot(shot.shot_size, list(ShotSize)) + onehot(shot.camera, list(CameraMove))
           + onehot(shot.setting.time_of_day, list(TimeOfDay)) + onehot(shot.setting.weather, list(Weather))
           + onehot(shot.beat, BEATS)
           + [(shot.lens_mm or 24.0) / 100.0, shot.valence, shot.arousal, shot.dominance, float(len(shot.characters)),
              float(len(shot.effects)), float(sum(e.strength for e in shot.effects)), float(len(shot.props)),
              float(len(shot.actions)), 1.0 if shot.setting.interior else 0.0, shot.frames / max(1, shot.fps),
              float(np.sin(phase)), float(np.cos(phase))])
    moved = acting is not None and acting.jerk is not None
    row += [1.0 if moved else 0.0, acting.jerk if moved else 0.0,
            (acting.foot_sliding or 0.0) if moved else 0.0]
    return np.asarray(row, dtype=np.float32)


def candidate_features(candidates: Sequence[ShotPlan], preview: Preview | None = None) -> np.ndarray:
    """Every candidate's features, with its acting previewed when a preview is given (K x len(FEATURE_NAMES))."""
    return np.stack([plan_features(c, preview(c) if preview else None) for c in candidates])


def shot_candidates(shot: ShotPlan, k: int, rng: np.random.Generator, fixed: Sequence[str] = ()) -> list[ShotPlan]:
    """K versions of the shot: the planned one first, then variations of what the user left free.

    `fixed` names fields the story set explicitly ('camera', 'lens_mm', 'effects'): never varied.
    A title card or an insert has nothing to vary and is returned alone.
    """
    if k <= 1 or shot.beat == "title" or shot.shot_size == ShotSize.insert:
        return [shot]
    out = [shot]
    for _ in range(k - 1):
        update: dict = {"seed": int(rng.integers(0, 2**31 - 1))}
        if "camera" not in fixed and shot.camera != CameraMove.handheld:  # handheld is the emotion's choice
            update["camera"] = QUIET_MOVES[int(rng.integers(len(QUIET_MOVES)))]
        if "lens_mm" not in fixed and shot.lens_mm:
            update["lens_mm"] = round(float(np.clip(shot.lens_mm * LENS_STEPS[int(rng.integers(len(LENS_STEPS)))], 8, 300)), 1)
        if "effects" not in fixed and shot.effects:
            gain = STRENGTH_STEPS[int(rng.integers(len(STRENGTH_STEPS)))]
            update["effects"] = [e.model_copy(update={"strength": float(np.clip(e.strength * gain, 0.05, 4.0))})
                                 for e in shot.effects]
        out.append(shot.model_copy(update=update))
    return out


def pick_candidate(candidates: Sequence[ShotPlan], predict: Callable[[np.ndarray], np.ndarray],
                   preview: Preview | None = None) -> tuple[ShotPlan, np.ndarray]:
    """(the candidate with the highest predicted score, every candidate's prediction); ties keep the
    earliest, so a critic that cannot tell them apart keeps the planned shot. `preview` is how the
    candidates will move (`evaluation.acting_preview` with the studio's rigs and props)."""
    scores = np.asarray(predict(candidate_features(candidates, preview)), dtype=np.float64).ravel()
    return candidates[int(np.argmax(scores))], scores


CRITIC_CANDIDATES = 4  # K: the planned shot and three variations


def explicit_choices(story) -> dict[str, tuple[str, ...]]:
    """{shot id: the candidate fields its YAML set} for a story's explicit shots (prose and
    screenplays set none): the critic never overrides what the user wrote."""
    out: dict[str, tuple[str, ...]] = {}
    for s in story.shots or []:
        out[s.id] = tuple(f for f in ("camera", "lens_mm", "effects") if f in s.model_fields_set)
    return out


def choose_candidates(plan, predict: Callable[[np.ndarray], np.ndarray], fixed: dict[str, tuple[str, ...]],
                      k: int = CRITIC_CANDIDATES, preview: Preview | None = None
                      ) -> tuple[object, list[tuple[str, int, float, float]]]:
    """The film plan with each shot replaced by the critic's pick among its K candidates (seeded by
    the shot's own seed, so the same plan and critic always choose the same), and per shot
    (slot, index chosen (0 = as planned), predicted score as planned, predicted score chosen)."""
    shots, picks = [], []
    for shot in plan.shots:
        cands = shot_candidates(shot, k, np.random.default_rng([shot.seed, 0xC217]), fixed.get(shot.shot_id, ()))
        chosen, scores = pick_candidate(cands, predict, preview)
        i = cands.index(chosen)
        picks.append((shot.slot, i, float(scores[0]), float(scores[i])))
        shots.append(chosen)
    return plan.model_copy(update={"shots": shots}), picks
