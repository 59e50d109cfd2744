"""Prism: emotion estimation, film grammar and camera curves."""

from __future__ import annotations

import pytest

from pathlib import Path

import talos_assets
from talos_assets.stores.ichor import BUILTIN_PALETTES
from talos_assets.agents import direction
from talos_assets.agents.key_animation import available_characters, plan_key_poses
from talos_assets.spec import CameraMove, Emotion, Palette, ShotSize
from talos_assets.story import parse_story

PALETTE = Palette(name="bronze-dusk", swatches=BUILTIN_PALETTES["bronze-dusk"])
CAST = available_characters()  # the studio's rigs, passed to Prism by its caller


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
    plan = direction.direct_film(story, PALETTE, cast=CAST)
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
    plan = direction.direct_film(story, PALETTE, cast=CAST)
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


# ---- emotion on the labelled evaluation set -----------------------------------------------------


def test_emotion_accuracy_on_the_labelled_set():
    import yaml

    from talos_assets.agents.direction import classify_emotion

    path = Path(talos_assets.__file__).parent / "data" / "emotion_eval.yaml"
    items = yaml.safe_load(open(path))["items"]
    assert len(items) >= 80
    labels = [i["label"] for i in items]
    assert all(labels.count(e.value) >= 10 for e in Emotion)
    assert {i["split"] for i in items} == {"train", "test"}
    correct = sum(classify_emotion(i["text"]) == Emotion(i["label"]) for i in items)
    assert correct / len(items) >= 0.8, f"emotion accuracy {correct / len(items):.3f}"


def test_negated_stop_and_lemmas():
    assert direction.classify_emotion("She can't stop laughing.") == Emotion.joy
    assert direction.classify_emotion("He never gives up.") == Emotion.determination
    # inflections find their lexicon entry: -ed, -ing, -ies, -ly, irregular past
    for word, base in [("terrified", "terrified"), ("grinning", "grin"), ("worries", "worry"), ("angrily", "angry"),
                       ("wept", "weep"), ("wolves", "wolf")]:
        assert direction.lemma(word) == base, word


# ---- screenplay -> film grammar ------------------------------------------------------------------

SCREENPLAY = """\
Title: Two at the Forge

EXT. SHORE - DUSK

The quiet sea at dusk. TALOS waits by the water.

MIRA walks up beside him, smiling.

MIRA
(gently)
You came back.

TALOS
I promised I would.

MIRA
And the storm? The terrible storm?!

TALOS
(angrily)
I fought it! I smashed every wave!

INT. FORGE - NIGHT

A hammer rests on the anvil.

PIP
Wake up, everyone! The fire is out!

The bellows lie cold.

EXT. HILLS - DAWN

They climb the hills together, determined.
"""


def _plan(script: str = SCREENPLAY):
    story = parse_story("title: Forge\nfps: 12\nscript: |\n" + "".join("  " + line + "\n" for line in script.splitlines()))
    return direction.direct_film(story, PALETTE, cast=CAST)


def test_establishing_shot_at_each_new_location():
    plan = _plan()
    assert [s.heading for s in plan.scenes] == ["EXT. SHORE - DUSK", "INT. FORGE - NIGHT", "EXT. HILLS - DAWN"]
    firsts = {}
    for shot in plan.shots:
        firsts.setdefault(shot.scene_index, shot)
    assert len(firsts) == 3
    assert all(s.shot_size == ShotSize.establishing for s in firsts.values())
    assert [s.shot_size for s in plan.shots].count(ShotSize.establishing) == 3
    # the set of each scene is read from its heading: shore, forge (workshop, an interior), hills
    assert [firsts[i].background for i in range(3)] == ["shore", "workshop", "hills"]
    assert [firsts[i].setting.time_of_day.value for i in range(3)] == ["dusk", "night", "dawn"]
    assert firsts[1].setting.interior and not firsts[0].setting.interior
    # explicit shots: a new `location` also opens with an establishing shot
    story = parse_story("title: t\nshots:\n - {id: a, description: Talos waits., location: EXT. SHORE - DUSK}\n"
                        " - {id: b, description: Talos smiles.}\n"
                        " - {id: c, description: Talos walks in., location: INT. FORGE - NIGHT}\n")
    sizes = [s.shot_size for s in direction.direct_film(story, PALETTE, cast=CAST).shots]
    assert sizes[0] == sizes[2] == ShotSize.establishing and sizes[1] != ShotSize.establishing


def test_dialogue_is_shot_on_the_speaker():
    plan = _plan()
    dialogue = [s for s in plan.shots if s.beat == "dialogue"]
    assert [s.speaker for s in dialogue] == ["mira", "talos", "mira", "talos", "pip"]
    for s in dialogue:
        assert s.speaker in s.characters
        assert s.shot_size in (ShotSize.close_up, ShotSize.medium, ShotSize.establishing)
    angry = dialogue[3]
    assert angry.emotion == Emotion.anger and angry.shot_size == ShotSize.close_up and angry.characters == ["talos"]
    assert dialogue[0].description.startswith('MIRA (gently): "You came back."')
    hammer = next(s for s in plan.shots if s.description.startswith("A hammer"))
    assert hammer.shot_size == ShotSize.establishing  # first of its scene, even though it is about a thing
    bellows = next(s for s in plan.shots if s.description.startswith("The bellows"))
    assert bellows.shot_size == ShotSize.insert and bellows.lens_mm >= 100  # a thing, not a person: a detail


def test_180_degree_rule_holds_in_a_two_character_dialogue_scene():
    plan = _plan()
    scene = [s for s in plan.shots if s.scene_index == 0]
    assert len(scene) >= 5 and {c for s in scene for c in s.characters} == {"talos", "mira"}
    order = scene[0].stage_order
    assert order == ["talos", "mira"]  # first seen, first placed (left)
    sides: dict[str, str] = {}
    for s in scene:
        assert s.stage_order == order
        # characters are listed (and so staged by Axis) left to right in the scene's order
        assert s.characters == [c for c in order if c in s.characters]
        for c, side in s.screen_side.items():
            assert sides.setdefault(c, side) == side, f"{c} jumped the line in {s.shot_id}"
    assert sides == {"talos": "left", "mira": "right"}
    # a single on a left-standing character frames him left of centre (look room to the right)
    single = next(s for s in scene if s.characters == ["talos"] and s.shot_size in (ShotSize.close_up, ShotSize.medium))
    cam = direction.camera_plan(single, plan_key_poses(single))[0]
    assert cam.center_x > 0.5


def test_lens_is_longer_for_close_ups_than_wides():
    plan = _plan()
    by_size: dict[ShotSize, list[float]] = {}
    for s in plan.shots:
        by_size.setdefault(s.shot_size, []).append(s.lens_mm)
    wide = by_size.get(ShotSize.wide, []) + by_size[ShotSize.establishing]
    assert min(by_size[ShotSize.close_up]) > max(wide)
    lenses = [direction.choose_lens(size, e) for size in ShotSize for e in Emotion]
    assert all(lens > 0 for lens in lenses)
    for e in Emotion:
        assert direction.choose_lens(ShotSize.close_up, e) > direction.choose_lens(ShotSize.medium, e) > \
            direction.choose_lens(ShotSize.wide, e)
    # lens -> zoom: a longer lens frames tighter
    zooms = [direction.lens_zoom(mm) for mm in (18, 24, 35, 50, 85, 135)]
    assert zooms == sorted(zooms) and zooms[1] == 1.0


def test_dialogue_holds_long_enough_to_be_read():
    long_line = " ".join(["word"] * 27)
    assert direction.dialogue_duration(long_line, 0.9) == pytest.approx(10.0)  # 27 words at 2.7 words/s, capped
    assert direction.dialogue_duration("Go!", 0.9) < direction.dialogue_duration(long_line, 0.9)


# ---- storyboard -----------------------------------------------------------------------------------


def test_storyboard_has_one_panel_per_shot_in_png_and_pdf():
    import math
    import re

    import numpy as np

    from talos_assets.agents import storyboard as boards
    from talos_assets.agents.key_animation import load_rig

    plan = _plan()
    panels = []
    for s in plan.shots:  # as the pipeline does: key poses first, the camera frames them
        keys = plan_key_poses(s)
        rigs = {c: load_rig(c) for c in {k.character for k in keys}}
        panels.append(boards.draw_storyboard_panel(s, direction.camera_plan(s, keys)[0], keys, rigs, width=160))
    assert len(panels) == len(plan.shots)
    pages = boards.storyboard_pdf_pages(panels, plan.title)
    assert len(pages) == math.ceil(len(plan.shots) / boards.PANELS_PER_PAGE)
    # count drawn (non-blank) panel cells on the pages: exactly one per shot
    ph, pw = panels[0].shape[:2]
    drawn = 0
    for page in pages:
        for i in range(boards.PANELS_PER_PAGE):
            r, c = divmod(i, 3)
            y, x = 48 + 16 + r * (ph + 16), 16 + c * (pw + 16)
            drawn += int(np.any(page[y : y + ph, x : x + pw] < 250))
    assert drawn == len(plan.shots)
    pdf = boards.storyboard_pdf_bytes(pages)
    assert pdf.startswith(b"%PDF")
    assert len(re.findall(rb"/Type\s*/Page\b", pdf)) == len(pages)


def test_group_close_up_keeps_every_character_in_frame():
    """A push-in 'close-up' on two characters must not frame the empty stage between them."""
    from talos_assets.agents.direction import camera_plan, direct_film

    story = parse_story("title: t\nshots:\n - {id: a, description: Mira appears and smiles at him., emotion: surprise,"
                        " camera: push-in, shot_size: close-up, characters: [mira, talos], duration: 2}")
    shot = direct_film(story, PALETTE, cast=CAST).shots[0]
    keys = plan_key_poses(shot)
    for cam in camera_plan(shot, keys):
        half = 0.5 / cam.zoom - 0.08  # a figure is ~0.16 of the stage wide: its body, not just its feet
        for key in keys:
            assert cam.center_x - half < key.pose.root_x < cam.center_x + half, (cam, key.character)


def _logline(text: str):
    story = parse_story(f"title: Pronouns\nfps: 12\nresolution: [320, 180]\nlogline: \"{text}\"\n")
    return direction.direct_film(story, PALETTE, cast=available_characters())


def test_alone_keeps_the_rest_of_the_scene_out_of_the_establishing_shot():
    alone, later = _logline("Talos sits alone on the beach at midnight under the stars. Mira walks along the shore.").shots
    assert alone.characters == ["talos"]
    together, _ = _logline("Talos sits on the beach at midnight under the stars. Mira walks along the shore.").shots
    assert together.characters == ["talos", "mira"]  # without "alone" the establishing shot shows the scene's cast


def test_an_object_pronoun_brings_the_character_it_stands_for_into_the_shot_and_the_action():
    _, walk = _logline("Talos sits on the beach. Mira walks to him with a lantern and gives it to him.").shots
    assert set(walk.characters) == {"talos", "mira"}
    assert {(a.character, a.action, a.target) for a in walk.actions} >= {("mira", "walk", "talos"), ("mira", "give", "talos")}
    assert [(p.prop, p.holder, p.given_to) for p in walk.props] == [("lantern", "mira", "talos")]
    # "her lantern" is a possessive, not someone off screen
    assert direction.beats.object_referents("Mira lifts her lantern.", ["mira"], ["talos", "mira"]) == {}
    assert direction.beats.object_referents("Talos hands it to her.", ["talos"], ["mira", "talos"]) == {"her": "mira"}


def test_a_posture_lasts_into_the_next_shots_of_the_scene_until_a_line_changes_it():
    from talos_assets.agents import key_animation as ka
    from talos_assets.agents.key_animation.acting.checks import hip_height, knee_bend

    plan = _logline("Talos sits alone on the beach at midnight under the stars. He looks up at the sky. "
                    "Mira walks to him and waves. Talos stands up and hugs her. They gaze at the sea.")
    acts = [[(a.character, a.action) for a in s.actions] for s in plan.shots]
    assert acts[1][0] == ("talos", "sit") and ("talos", "gaze_up") in acts[1]  # still seated, looking up
    assert ("talos", "sit") in acts[2] and ("mira", "walk") in acts[2]  # seated while she walks to him
    assert ("talos", "sit") not in acts[3] and ("talos", "stand_up") in acts[3]
    assert ("talos", "sit") not in acts[4]  # stood up: standing from then on
    # Axis acts the carried posture: seated from the first key of the second shot to its last
    rig = ka.load_rig("talos")
    keys = [k for k in ka.plan_acting(plan.shots[1]).keys if k.character == "talos"]
    stand = hip_height(rig, rig.rest_pose())
    assert keys and all(hip_height(rig, k.pose) < 0.75 * stand and knee_bend(rig, k.pose) > 45 for k in keys)
    # a new place starts everyone afresh
    later = _logline("Talos sits on the rock by the sea. Later, in the workshop, Talos looks at the anvil.")
    assert later.shots[0].setting.place != later.shots[-1].setting.place
    assert [a.action for a in later.shots[-1].actions] == ["look_at"]
