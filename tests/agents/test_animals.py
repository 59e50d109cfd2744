"""Animals: Prism reads "walks her dog", "Pip's cat", "gulls wheel" (and not a hot dog or a cat nap); a
dog walks behind the character it belongs to with its legs striding as far as it goes (standing still
when its owner does), its tail wags all the time, and a bird in the sky beats its wings."""

from __future__ import annotations

import numpy as np
import pytest

from talos_assets.agents import inbetweening, props, sets
from talos_assets.agents import key_animation as ka
from talos_assets.agents.direction.action_text import read_actions
from talos_assets.agents.direction.vocabulary import vocabulary_index
from talos_assets.agents.direction.world_reading import read_line
from talos_assets.agents.key_animation.line_art import view_scale
from talos_assets.agents.key_animation.rig import CHARACTER_HEIGHT
from talos_assets.spec import CameraMove, CharacterAction, Emotion, Palette, PropUse, ShotPlan, ShotSize

W, H = 320, 180
CAST = ["talos", "mira", "pip", "ada", "ben", "lena", "omar", "rosa"]


def _props(text: str) -> dict[str, tuple[bool, str | None, bool, str | None]]:
    return {p.prop: (p.held, p.holder, p.owned, p.owner)
            for p in read_line(text, vocabulary_index(), {c: c for c in CAST}).props}


@pytest.mark.parametrize("text, prop, owner", [
    ("Mira walks her dog along the beach.", "dog", "mira"),
    ("Pip's cat sleeps on the bench.", "cat", "pip"),
    ("The puppy trots after Ben.", "dog", "ben"),
    ("Ben walks home with his dog.", "dog", "ben"),
    ("Talos leads his horse into the barn.", "horse", "talos"),
    ("A dog barks somewhere in the street.", "dog", None),
])
def test_prism_reads_an_animal_and_whom_it_goes_with(text: str, prop: str, owner: str | None):
    held, _, owned, who = _props(text)[prop]
    assert not held and owned is (owner is not None) and who == owner


@pytest.mark.parametrize("text, prop", [
    ("Gulls wheel over the harbor.", "bird"),
    ("Lena reads while her cat naps.", "cat"),  # napping, not a cat nap
])
def test_animal_words_name_the_animal(text: str, prop: str):
    assert prop in _props(text)


@pytest.mark.parametrize("text", ["Omar buys a hot dog at the stall.", "Pip takes a cat nap.",
                                  "The early bird catches the worm.", "Mira ducked under the branch."])
def test_words_that_only_look_like_animals_are_none(text: str):
    assert not {"dog", "cat", "bird"} & set(_props(text))


def test_walking_the_dog_is_no_walk_to_the_dog():
    acts = read_actions("Mira walks her dog along the beach.", CAST)
    assert [(a.character, a.action, a.target) for a in acts] == [("mira", "walk", None)]


def _shot(action: str, prop: PropUse, frames: int = 48) -> ShotPlan:
    return ShotPlan(
        film_id="film", shot_id="s1", slot="s001", index=0, description="mira and her dog", emotion=Emotion.joy,
        valence=0.4, arousal=0.3, shot_size=ShotSize.wide, camera=CameraMove.static, duration=frames / 24, frames=frames,
        handle_frames=0, fps=24, width=W, height=H, characters=["mira"], effects=[], background="shore",
        palette=Palette.from_hex_list("test", ["#101010", "#e0b090", "#402010", "#3050a0", "#f0c040", "#ffffff"]),
        seed=5, props=[prop], actions=[CharacterAction(character="mira", action=action)],
    )


def _tracks(shot: ShotPlan):
    acted = ka.plan_acting(shot, vehicles={}, water=None)
    rigs = {c: ka.load_rig(c) for c in shot.characters}
    keys, placed = props.stage_props(ka.with_prop_marks(shot, acted), acted.keys, rigs,
                                     water=sets.water_line(shot.background))
    poses = inbetweening.inbetween_poses(keys, shot.total_frames, rigs)
    specs = props.placement_specs(placed)
    return placed, poses, inbetweening.inbetween_prop_poses(placed, poses, rigs, specs, shot.total_frames, W / H)


def test_a_dog_walks_behind_its_owner_and_its_legs_stride_with_the_ground_it_covers():
    placed, poses, tracks = _tracks(_shot("walk", PropUse(prop="dog", owner="mira")))
    (dog,) = placed
    assert dog.follower_of == "mira" and dog.holder is None and dog.rider is None
    owner, track = poses["mira"], tracks["prop:dog"]
    moved = abs(owner[-1].root_x - owner[0].root_x)
    assert moved > 0.05, "the owner walks"
    for o, d in zip(owner, track):
        facing = np.sign(view_scale(o))
        assert (d.root_x - o.root_x) * facing < -0.02, "the dog is behind its owner"
        assert np.sign(view_scale(d)) == facing, "and faces the way she walks"
    assert abs(track[-1].root_x - track[0].root_x) == pytest.approx(moved, abs=1e-6)
    legs = [p.joints.get("fore_near", 0.0) for p in track]
    assert np.ptp(legs) > 30, "the forelegs swing while it walks"
    spec = props.load_prop("dog")
    strides = (track[-1].root_x - track[0].root_x) * (W / H) / (CHARACTER_HEIGHT * spec.height * track[0].scale) / spec.stride_length
    assert abs(strides) > 0.5, "it covers at least half a stride"


def test_a_dog_whose_owner_stands_keeps_its_legs_still_and_wags_its_tail():
    placed, poses, tracks = _tracks(_shot("stand", PropUse(prop="dog", owner="mira")))
    track = tracks["prop:dog"]
    assert all(p.joints.get("fore_near", 0.0) == pytest.approx(0.0, abs=1e-9) for p in track)
    tail = [p.joints.get("tail", 0.0) for p in track]
    assert np.ptp(tail) > 20, "the tail wags all the time"


def test_a_bird_in_the_sky_beats_its_wings():
    placed, poses, tracks = _tracks(_shot("stand", PropUse(prop="bird")))
    (bird,) = placed
    track = tracks["prop:bird"]
    assert track[0].root_y < 0.5, "high in the frame"
    wing = [p.joints.get("wing_near", 0.0) for p in track]
    assert np.ptp(wing) > 40 and len({round(w, 3) for w in wing}) > 8, "the wings beat"


@pytest.mark.parametrize("text, prop, moves", [
    ("A dog runs along the beach.", "dog", "run"),
    ("The galloping horse kicks up dust.", "horse", "run"),
    ("Gulls wheel over the harbor.", "bird", "fly"),
    ("The cat slowly walks along the fence.", "cat", "walk"),
    ("A cat sleeps on the bench.", "cat", None),
    ("Mira holds the bird in her hands.", "bird", None),
])
def test_prism_reads_an_animal_crossing_the_shot_on_its_own(text: str, prop: str, moves: str | None):
    (p,) = [p for p in read_line(text, vocabulary_index(), {c: c for c in CAST}).props if p.prop == prop]
    assert p.moves == moves


@pytest.mark.parametrize("moves, least", [("run", 0.15), ("walk", 0.08)])
def test_a_running_dog_crosses_the_shot_facing_its_way_inside_the_frame(moves: str, least: float):
    placed, _, tracks = _tracks(_shot("wave", PropUse(prop="dog", moves=moves)))
    track = tracks["prop:dog"]
    xs = np.array([p.root_x for p in track])
    way = np.sign(xs[-1] - xs[0])
    assert abs(xs[-1] - xs[0]) > least, "it goes somewhere"
    assert np.all(np.diff(xs) * way >= -1e-12), "one way"
    assert all(np.sign(view_scale(p)) == way for p in track), "facing the way it runs"
    assert 0.0 <= xs.min() and xs.max() <= 1.0
    legs = [p.joints.get("fore_near", 0.0) for p in track]
    assert np.ptp(legs) > 30


def test_hugging_a_dog_reaches_down_to_it_where_it_stands():
    acts = read_actions("Mira hugs her dog.", CAST)
    assert [(a.character, a.action, a.target) for a in acts] == [("mira", "reach", "dog")]
    shot = _shot("reach", PropUse(prop="dog", owner="mira")).model_copy(update={"actions": acts})
    acted = ka.plan_acting(shot, vehicles={}, water=None)
    rigs = {"mira": ka.load_rig("mira")}
    _, placed = props.stage_props(ka.with_prop_marks(shot, acted), acted.keys, rigs)
    (dog,) = placed
    assert dog.follower_of is None, "acted on, it stands where Axis marked it"
    assert dog.pose.root_x == pytest.approx(acted.prop_x["dog"], abs=0.05)
