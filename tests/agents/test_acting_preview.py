"""Prism's acting preview: a candidate's motion measured before anything is drawn, as Echo will
measure the shot Axis and Flux make of it (props staged in the hand included), and the seeds of one
shot told apart by it."""

from __future__ import annotations

import numpy as np
import pytest

from talos_assets.agents import direction, inbetweening, key_animation, props
from talos_assets.agents.direction.candidates import FEATURE_NAMES, ActingPreview, plan_features
from talos_assets.agents.evaluation.acting_preview import acting_preview
from talos_assets.agents.evaluation.shot_measures import motion
from talos_assets.agents.key_animation import available_characters
from talos_assets.spec import Palette
from talos_assets.stores.ichor import BUILTIN_PALETTES
from talos_assets.story import parse_story

PALETTE = Palette(name="bronze-dusk", swatches=BUILTIN_PALETTES["bronze-dusk"])


def _shot(line: str):
    story = parse_story("title: Preview\nfps: 12\nresolution: [160, 90]\nlogline: " + line + "\n")
    return direction.direct_film(story, PALETTE, cast=available_characters()).shots[0]


def _echo_on_the_render_path(shot) -> dict[str, float]:
    """Echo's motion measures on the poses the key_poses and inbetweens assets make of the shot."""
    acted = key_animation.plan_acting(shot)
    rigs = {c: key_animation.load_rig(c) for c in {k.character for k in acted.keys}}
    keys, _ = props.stage_props(key_animation.with_prop_marks(shot, acted), acted.keys, rigs, ())
    poses = inbetweening.inbetween_poses(keys, shot.total_frames, rigs)
    return {f.check: f.value for f in motion(poses, rigs, shot)}


@pytest.mark.parametrize("line, seeds_differ", [
    ("Talos lifts the lantern and waves at Mira.", False),  # reaching for the lantern moves the arm
    ("Mira is furious with Pip.", True),  # an emotion's gesture: the seed draws its variation
    ("A fire roars from his bronze heart.", True),
])
def test_the_preview_measures_what_echo_will_measure(line, seeds_differ):
    shot = _shot(line)
    jerks = []
    for seed in (3, 11, 29):
        variant = shot.model_copy(update={"seed": seed})
        preview = acting_preview(variant)
        echo = _echo_on_the_render_path(variant)
        assert preview.jerk == pytest.approx(echo["jerk"], rel=1e-6, abs=1e-9)
        assert preview.foot_sliding == pytest.approx(echo["foot_sliding"], rel=1e-6, abs=1e-9)
        jerks.append(preview.jerk)
    if seeds_differ:
        assert max(jerks) > 1.2 * min(jerks), jerks  # how smoothly it swings depends on the seed


def test_the_preview_ends_the_critic_features_and_nobody_acting_is_marked():
    shot = _shot("Mira waves at the sea.")
    preview = acting_preview(shot)
    row = plan_features(shot, preview)
    assert row.shape == (len(FEATURE_NAMES),)
    assert np.allclose(row[-3:], [1.0, preview.jerk, preview.foot_sliding])
    assert np.allclose(plan_features(shot)[-3:], 0.0)  # no preview: marked as not previewed
    empty = shot.model_copy(update={"characters": []})
    assert acting_preview(empty) == ActingPreview()
