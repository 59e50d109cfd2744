"""Lip sync: four mouth shapes on every rig, driven by a speaker's line frame by frame (Flux), closed
in silence, still for everyone who does not speak, and still for a voice heard off screen."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from talos_assets.agents import inbetweening as ib
from talos_assets.agents import key_animation as ka
from talos_assets.agents import voice
from talos_assets.agents.key_animation.line_art import mouth_box
from talos_assets.agents.key_animation.model_sheet import _face_pose
from talos_assets.spec import CameraMove, Emotion, Palette, ShotPlan, ShotSize
from talos_assets.stores.studio import StudioStore

SHAPES = {"closed": 0.0, "open": 1.0, "wide": 0.45, "round": 0.6}
LINE = "Is the light still burning tonight, old friend?"


def _shot(description: str, size: ShotSize = ShotSize.medium, characters=("talos", "mira"), speakers=("mira",)) -> ShotPlan:
    return ShotPlan(
        film_id="lips", shot_id="talk", slot="s001", index=0, description=description, emotion=Emotion.joy,
        valence=0.5, arousal=0.3, shot_size=size, camera=CameraMove.static, duration=3.5, frames=84,
        handle_frames=0, fps=24, width=320, height=180, characters=list(characters), effects=[],
        palette=Palette.from_hex_list("lips", ["#101010", "#e0b090"]), seed=3,
        beat="dialogue", speaker=speakers[0], speakers=list(speakers),
    )


def _spoken(shot: ShotPlan, tmp_path):
    """The shot's lines, the acted poses, and the poses with the mouths the store hands Flux."""
    lines = voice.lines_for_shot(shot, voice.speaker_voices(shot.speakers))
    store = StudioStore(tmp_path / "home", tmp_path / "renders")
    store.write_shot_voices(shot, voice.ShotVoices(lines=lines).model_dump_json(), {})
    acted = ka.plan_acting(shot)
    rigs = {c: ka.load_rig(c) for c in shot.characters}
    acting = ib.inbetween_poses(acted.keys, shot.total_frames, rigs)
    return lines, acting, ib.lip_sync_poses(acting, store.read_mouth_tracks(shot)), rigs


@pytest.fixture(scope="module")
def spoken(tmp_path_factory):
    return _spoken(_shot(f'MIRA: "{LINE}"'), tmp_path_factory.mktemp("lips"))


def test_mouth_follows_the_line_and_correlates_with_the_voice(spoken):
    lines, _, poses, _ = spoken
    (line,) = lines
    opening = np.array([p.face["mouth_open"] for p in poses["mira"]])
    widths = {p.face["mouth_wide"] for p in poses["mira"]}
    assert opening.std() > 0.1 and {-1.0, 0.0, 1.0} <= widths  # open, wide and round shapes all used
    sync = voice.lip_sync(opening, line.samples, line.sample_rate, line.start_s, 24)
    assert sync.correlation >= 0.6 and sync.closed_in_silence == 1.0


def test_mouth_closed_when_not_speaking(spoken):
    lines, acting, poses, _ = spoken
    (line,) = lines
    first = int(line.start_s * 24)  # before the line starts, and after it, nothing is said
    last = int(np.ceil((line.start_s + line.offset_s) * 24)) + 1
    for p in poses["mira"][:first] + poses["mira"][last:]:
        assert p.face["mouth_open"] == 0.0 and p.face["mouth_wide"] == 0.0
    # The listener keeps the acted face (its emotion mouth), frame for frame; the speaker's brows too.
    assert [p.face for p in poses["talos"]] == [p.face for p in acting["talos"]]
    assert [p.face["brow_raise"] for p in poses["mira"]] == [p.face["brow_raise"] for p in acting["mira"]]


def test_off_screen_line_moves_no_mouth(tmp_path):
    lines, acting, poses, _ = _spoken(_shot(f'MIRA (V.O.): "{LINE}"'), tmp_path)
    assert lines[0].off_screen and not lines[0].mouth
    assert poses == acting


def test_dual_dialogue_moves_both_mouths(tmp_path):
    shot = _shot('TALOS: "We kept it burning."\nMIRA: "We kept it burning!"', speakers=("talos", "mira"))
    lines, acting, poses, _ = _spoken(shot, tmp_path)
    assert sorted(line.speaker for line in lines) == ["mira", "talos"]
    for line in lines:
        opening = [p.face["mouth_open"] for p in poses[line.speaker]]
        assert max(opening) > 0.3 and opening[0] == 0.0
        sync = voice.lip_sync(opening, line.samples, line.sample_rate, line.start_s, 24)
        assert sync.correlation >= 0.6 and sync.closed_in_silence == 1.0


def test_drawn_mouth_area_follows_the_voice(spoken):
    """Measured on the drawing: the ink in the speaker's mouth box, frame by frame, in a close-up."""
    lines, _, poses, rigs = spoken
    (line,) = lines
    rig = rigs["mira"]
    still = _face_pose(rig, rig.rest_pose(0.5, 0.8), 320, 180)
    x0, y0, x1, y1 = mouth_box(rig, still, 320, 180)
    ink = []
    for p in poses["mira"]:
        face = {**still.face, "mouth_open": p.face["mouth_open"], "mouth_wide": p.face["mouth_wide"]}
        art = ka.draw_line_art([(rig, still.model_copy(update={"face": face}))], 320, 180)
        ink.append(float(art.line[y0:y1, x0:x1].sum()))
    ink = np.array(ink) - min(ink)  # over the closed mouth's line
    sync = voice.lip_sync(ink / ink.max(), line.samples, line.sample_rate, line.start_s, 24)
    assert sync.correlation >= 0.6 and sync.closed_in_silence == 1.0


@pytest.mark.parametrize("name", ["talos", "mira", "pip"])
def test_four_mouth_shapes_draw_differently(name):
    rig = ka.load_rig(name)
    base = _face_pose(rig, rig.rest_pose(0.5, 0.8), 320, 180)
    x0, y0, x1, y1 = mouth_box(rig, base, 320, 180)
    crops = {}
    for shape, opening in SHAPES.items():
        face = {**base.face, **ib.mouth_channels(shape, opening)}
        line = ka.draw_line_art([(rig, base.model_copy(update={"face": face}))], 320, 180).line
        crops[shape] = line[y0:y1, x0:x1]
        outside = line.copy()
        outside[y0:y1, x0:x1] = 0
        crops.setdefault("_outside", outside)
        assert np.abs(outside - crops["_outside"]).max() < 1e-6  # only the mouth changes
    for a, b in itertools.combinations(SHAPES, 2):
        assert np.abs(crops[a] - crops[b]).sum() > 3.0, f"{name}: {a} and {b} mouths look alike"
    # Closed is a line; the others are solid shapes with more ink.
    assert all(crops[s].sum() > crops["closed"].sum() + 3.0 for s in ("open", "wide", "round"))


def test_unknown_mouth_shape_is_refused():
    with pytest.raises(ValueError, match="mouth shape"):
        ib.mouth_channels("grin", 0.5)
    assert ib.mouth_channels("open", 0.0) == {"mouth_open": 0.0, "mouth_wide": 0.0}
