"""Prism: emotion estimation, film grammar and camera curves."""

from __future__ import annotations

import pytest

from resources.ichor import BUILTIN_PALETTES
from talos_assets.agents import direction
from talos_assets.spec import CameraMove, Emotion, Palette, ShotSize
from talos_assets.story import parse_story

PALETTE = Palette(name="bronze-dusk", swatches=BUILTIN_PALETTES["bronze-dusk"])


@pytest.mark.parametrize(
    "line, emotion",
    [
        ("Talos smiles and dances with his friends.", Emotion.joy),
        ("The old automaton sits in the rain, alone and forgotten.", Emotion.sadness),
        ("He roars in rage and smashes the gate!", Emotion.anger),
        ("She trembles and hides from the monster in the dark.", Emotion.fear),
        ("Suddenly the sky explodes in a flash!", Emotion.surprise),
        ("A gentle breeze drifts over the peaceful sea.", Emotion.calm),
        ("He climbs again, determined and strong.", Emotion.determination),
        ("She gazes at the vast stars in wonder.", Emotion.awe),
    ],
)
def test_named_emotion_of_a_line(line, emotion):
    assert direction.name_emotion(*direction.estimate_affect(line)) == emotion


def test_negation_and_intensifiers():
    v_happy, _ = direction.estimate_affect("Talos is happy.")
    v_not, a_not = direction.estimate_affect("Talos is not happy.")
    assert v_happy > 0 > v_not
    assert direction.name_emotion(v_not, a_not) == Emotion.sadness
    _, a_plain = direction.estimate_affect("He is angry.")
    _, a_very = direction.estimate_affect("He is extremely angry.")
    assert a_very > a_plain


def test_logline_becomes_shots_with_grammar():
    story = parse_story(
        "title: Shore\nfps: 24\nlogline: >\n  Talos sits quietly by the calm sea. Suddenly a storm roars and he is furious!"
        " He smiles at his friends."
    )
    plan = direction.direct_film(story, PALETTE)
    assert [s.slot for s in plan.shots] == ["s001", "s002", "s003"]
    assert plan.shots[0].shot_size == ShotSize.establishing
    calm, storm = plan.shots[0], plan.shots[1]
    assert storm.arousal > calm.arousal and storm.duration < calm.duration  # arousal shortens shots
    assert storm.shot_size == ShotSize.close_up
    assert all(s.frames == round(s.duration * 24) for s in plan.shots)
    assert plan.planned_frames == sum(s.frames for s in plan.shots)


def test_camera_plan_curves_follow_the_move():
    story = parse_story("title: t\nshots:\n - {id: a, description: d, camera: push-in, duration: 2}\n"
                        " - {id: b, description: e, camera: pan, duration: 2}\n - {id: c, description: f, camera: handheld, duration: 2, emotion: fear}")
    plan = direction.direct_film(story, PALETTE)
    push, pan, hand = (direction.camera_plan(s) for s in plan.shots)
    assert len(push) == plan.shots[0].total_frames
    zooms = [k.zoom for k in push[: plan.shots[0].frames]]
    assert zooms[-1] > zooms[0] * 1.2 and all(b >= a - 1e-9 for a, b in zip(zooms, zooms[1:]))
    # eased: the move starts and ends slowly
    assert zooms[1] - zooms[0] < zooms[len(zooms) // 2 + 1] - zooms[len(zooms) // 2]
    xs = [k.center_x for k in pan]
    assert xs[-1] > xs[0]
    rolls = [k.roll for k in hand]
    assert max(rolls) - min(rolls) > 0.1 and plan.shots[2].camera == CameraMove.handheld
    for keys in (push, pan, hand):  # the frame never leaves the stage
        for k in keys:
            half = 0.5 / k.zoom
            assert half - 1e-9 <= k.center_x <= 1 - half + 1e-9 and half - 1e-9 <= k.center_y <= 1 - half + 1e-9
