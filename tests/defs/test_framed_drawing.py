"""Flux draws each frame through the camera (a close-up at the size it is seen) and every later layer
follows the framing it recorded: Chroma's and Raygen's layers are the framed drawing, Stokes maps it
back to the stage, Anima frames only the set and the effects."""

from __future__ import annotations

import cv2
import numpy as np

from talos_assets.agents import key_animation as ka
from talos_assets.agents.camera_framing import apply_camera, frame_to_stage
from talos_assets.agents.frames import read_gray_png, read_layer
from talos_assets.stores.studio import Layer


def _iou(a: np.ndarray, b: np.ndarray) -> float:
    return float((a & b).sum() / max(1, (a | b).sum()))


def test_every_layer_of_a_shot_is_drawn_through_the_frames_camera(service_film):
    store = service_film.resources["studio"].store()
    zooms = []
    for shot in service_film.plan.shots:
        framing = store.read_framing(shot)
        assert [f.camera for f in framing] == store.read_camera_plan(shot)  # no revision: the plan's own
        poses = store.read_inbetween_poses(shot)
        rigs = {c: ka.load_rig(c) for c in poses}
        for f in (0, shot.frames // 2, shot.frames - 1):
            cam = framing[f].camera
            zooms.append(cam.zoom)
            stage = ka.draw_line_art([(rigs[c], poses[c][f]) for c in poses], shot.width, shot.height)
            seen = apply_camera(stage.silhouette.astype(np.float32), cam) > 0.5
            regions = read_gray_png(store.frames(shot, Layer.regions).path(f), as_float=False)
            assert _iou(regions > 0, seen) > 0.8  # the stage's figure, framed
            # Raygen's layer is that drawing: its figure covers the framed silhouette, its outline ink
            # (Chroma keeps it) reaching a few pixels beyond
            lit = read_layer(store.frames(shot, Layer.lit).path(f))[..., 3] > 0.5
            near = cv2.dilate(seen.astype(np.uint8), np.ones((5, 5), np.uint8)) > 0
            assert (lit & seen).sum() >= 0.9 * seen.sum() and (lit & near).sum() >= 0.95 * lit.sum()
            # Stokes sees the figure where it stands on the stage
            visible = apply_camera(np.ones(regions.shape, np.float32), cam) > 0.99
            back = frame_to_stage(regions, cam) > 0
            assert _iou(back & visible, stage.silhouette & visible) > 0.8
            assert framing[f].stage_ground_y == stage.stage_ground_y
    assert max(zooms) > 1.1  # the film has framed shots, not only the whole stage
