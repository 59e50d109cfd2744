"""Framing serves the acting: a close-up keeps every head in frame (a two-shot both faces), a medium
shot keeps the acting hands, on every camera key, measured by projecting the key poses' joints (forward
kinematics, drawn as Flux draws them) through the camera matrix the render uses."""

from __future__ import annotations

import numpy as np
import pytest

from talos_assets.agents.camera_framing import PosedFigure, camera_matrix
from talos_assets.agents.camera_framing import acting_box as _box
from talos_assets.agents.direction import camera_plan, direct_film
from talos_assets.agents.direction.camera import FRAME_MARGIN
from talos_assets.agents.direction.grammar import lens_zoom
from talos_assets.agents.key_animation import available_characters, load_rig, plan_key_poses, view_scale
from talos_assets.agents.key_animation.rig import CHARACTER_HEIGHT, forward_kinematics
from talos_assets.spec import CameraMove, Palette, ShotSize
from talos_assets.stores.ichor import BUILTIN_PALETTES
from talos_assets.story import parse_story

def acting_box(shot, keys, rigs):
    """The acting box of the key poses, posed as the camera_plan asset poses them."""
    return _box(shot, [PosedFigure(k, forward_kinematics(rigs[k.character], k.pose),
                                   CHARACTER_HEIGHT * rigs[k.character].height * k.pose.scale, view_scale(k.pose),
                                   rigs[k.character].face.bone) for k in keys])


PALETTE = Palette(name="bronze-dusk", swatches=BUILTIN_PALETTES["bronze-dusk"])
CAST = available_characters()


def _shot(description: str, size: str, camera: str, characters: str):
    story = parse_story(f"title: t\nshots:\n - {{id: a, description: {description}, emotion: joy, camera: {camera},"
                        f" shot_size: {size}, characters: [{characters}], duration: 2}}")
    shot = direct_film(story, PALETTE, cast=CAST).shots[0]
    keys = plan_key_poses(shot)
    rigs = {c: load_rig(c) for c in {k.character for k in keys}}
    return shot, keys, rigs


def _stage_px(rig, key, bone: str, along: float, W: int, H: int) -> np.ndarray:
    """Where Flux draws a point `along` a bone of a key pose, in stage pixels."""
    b = forward_kinematics(rig, key.pose)[bone]
    p = b.to_world(np.array([along]), np.zeros(1))[0]
    char_px = CHARACTER_HEIGHT * H * rig.height * key.pose.scale
    return np.array([key.pose.root_x * W + view_scale(key.pose) * char_px * p[0], key.pose.root_y * H - char_px * p[1]])


def _outside(cams, keys, rigs, marks, W, H) -> list[str]:
    """Every (camera key, key pose, mark) whose projection leaves the frame."""
    bad = []
    for cam in cams:
        m = camera_matrix(cam, W, H)
        for key in keys:
            for bone, along in marks:
                u, v = m @ np.append(_stage_px(rigs[key.character], key, bone, along, W, H), 1.0)
                if not (0 <= u <= W - 1 and 0 <= v <= H - 1):
                    bad.append(f"frame {cam.frame}: {key.character} {bone}@{along} at ({u:.0f}, {v:.0f})")
    return bad


HEAD = [("head", 0.0), ("head", 0.5), ("head", 1.0)]  # chin, face, crown
HANDS = [("l_wrist", 1.0), ("r_wrist", 1.0)]


def test_two_shot_close_up_push_in_keeps_both_faces_in_frame():
    shot, keys, rigs = _shot("Mira appears and smiles at him.", "close-up", "push-in", "mira, talos")
    W, H = shot.width, shot.height
    assert shot.shot_size == ShotSize.close_up and shot.camera == CameraMove.push_in
    assert {k.character for k in keys} == {"mira", "talos"}
    cams = camera_plan(shot, keys, acting_box(shot, keys, rigs))
    assert _outside(cams, keys, rigs, HEAD, W, H) == []
    # the push-in is kept, only as far as the faces allow
    assert cams[-1].zoom >= cams[0].zoom


def test_two_shot_close_up_of_a_tall_and_a_small_character_zooms_out_just_enough():
    # Talos and Pip's heads stand at different heights: the planned two-shot centre cuts Pip's face
    shot, keys, rigs = _shot("Talos kneels beside Pip.", "close-up", "push-in", "talos, pip")
    W, H = shot.width, shot.height
    assert _outside(camera_plan(shot, keys), keys, rigs, HEAD, W, H)  # without the acting box
    box = acting_box(shot, keys, rigs)
    cams = camera_plan(shot, keys, box)
    assert _outside(cams, keys, rigs, HEAD, W, H) == []
    # just enough: the widest key could not be tighter and still hold the heads' box with its margin
    widest = min(c.zoom for c in cams)
    assert widest == pytest.approx(max(1.0, (1 - 2 * FRAME_MARGIN) / max(box[2] - box[0], box[3] - box[1])))


def test_single_close_up_of_a_small_character_frames_its_face():
    shot, keys, rigs = _shot("Pip wags his tail.", "close-up", "handheld", "pip")
    W, H = shot.width, shot.height
    assert _outside(camera_plan(shot, keys), keys, rigs, HEAD, W, H)  # without the acting box
    assert _outside(camera_plan(shot, keys, acting_box(shot, keys, rigs)), keys, rigs, HEAD, W, H) == []


def test_medium_shot_keeps_the_acting_hands_in_frame():
    shot, keys, rigs = _shot("Talos waves at Mira.", "medium", "push-in", "talos, mira")
    W, H = shot.width, shot.height
    cams = camera_plan(shot, keys, acting_box(shot, keys, rigs))
    assert _outside(cams, keys, rigs, HEAD + HANDS, W, H) == []


def test_single_close_up_keeps_the_planned_zoom_when_the_face_fits():
    shot, keys, rigs = _shot("Talos smiles.", "close-up", "static", "talos")
    W, H = shot.width, shot.height
    cams = camera_plan(shot, keys, acting_box(shot, keys, rigs))
    planned = lens_zoom(shot.lens_mm) if shot.lens_mm else 1.8
    assert _outside(cams, keys, rigs, HEAD, W, H) == []
    assert all(abs(c.zoom - planned) < 1e-9 for c in cams)


def test_wide_shots_are_not_refit():
    shot, keys, rigs = _shot("Talos walks across the hills.", "wide", "static", "talos")
    assert acting_box(shot, keys, rigs) is None
