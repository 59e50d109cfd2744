"""Stokes' anchors: where each effect comes from on every frame of the shot.

An `EffectSpec.anchor` names a joint of a character (chest, head, r_wrist...; a few body words such as
heart or hand are read as the joint that carries them), the set's horizon line, the ground in front of
the characters, the sky, or a prop (`prop:<id>`). Joints and props are followed through the shot's
in-between poses by the rigs' own forward kinematics (`key_animation.rig.forward_kinematics`) and
projected exactly as the line art projects them (`line_art.view_scale`, `CHARACTER_HEIGHT`), so a fire
"from his chest" stays on the chest while he moves. The result is one track per effect: (n_frames, 2)
frame fractions (x of the width, y of the height, 0 = top) with a label for the shot's metadata; an
effect without an anchor (or whose anchor cannot be found) keeps its `source_x`/`source_y`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from talos_assets.agents.key_animation.line_art import view_scale
from talos_assets.agents.key_animation.rig import CHARACTER_HEIGHT, Rig, forward_kinematics
from talos_assets.spec import EffectSpec, Pose

# effects a thing kicks up from the ground as it moves
KICKED_UP = ("dust", "splash")

# body words a story (or Prism) may use for a joint; the point is ALONG the named bone
JOINT_ALIASES: dict[str, str] = {
    "heart": "chest", "torso": "chest", "body": "chest", "breast": "chest", "back": "chest",
    "face": "head", "mouth": "head", "eyes": "head", "hair": "head",
    "hand": "r_wrist", "hands": "r_wrist", "right_hand": "r_wrist", "r_hand": "r_wrist",
    "left_hand": "l_wrist", "l_hand": "l_wrist", "arm": "r_elbow", "belly": "spine", "waist": "spine",
    "hips": "pelvis", "feet": "pelvis",
}
ALONG = 0.55  # fraction along the bone: the middle of the chest plate, the palm of the hand
GROUND_DEFAULT = 0.84  # the characters' feet line when no pose says otherwise
SKY_Y = 0.06


def drawn_behind(effect: EffectSpec) -> bool:
    """Whether the effect goes in the pass under the characters: asked for ('behind him'), or on the
    set's horizon (smoke rising from the sea is far behind anyone standing on the shore)."""
    return effect.behind or effect.anchor == "horizon"


@dataclass(frozen=True)
class AnchorTrack:
    """An effect's source on every frame, frame fractions (n_frames, 2), and what it follows."""

    points: np.ndarray
    label: str
    moving: bool
    figure: float = 0.0  # the height on screen of the character a joint track follows, frame heights


def joint_point(rig: Rig, pose: Pose, joint: str, aspect: float) -> tuple[float, float]:
    """Frame fractions (x, y) of the point ALONG `joint`'s bone in `pose` (the line art's projection)."""
    bones = forward_kinematics(rig, pose)
    p = bones[joint].to_world([ALONG], [0.0])[0]
    char_h = CHARACTER_HEIGHT * rig.height * pose.scale
    return pose.root_x + view_scale(pose) * char_h * float(p[0]) / aspect, pose.root_y - char_h * float(p[1])


def resolve_joint(rig: Rig, name: str) -> str | None:
    """The rig's joint a name means (itself, or the joint its body word names), or None."""
    joints = rig.joint_map
    for cand in (name, JOINT_ALIASES.get(name), "chest" if name not in JOINT_ALIASES else None):
        if cand and cand in joints:
            return cand
    return None


def _frames(poses: list[Pose], n_frames: int) -> list[Pose]:
    """Exactly n_frames poses (a short list holds its last pose)."""
    return [poses[min(f, len(poses) - 1)] for f in range(n_frames)]


def _constant(x: float, y: float, n_frames: int) -> np.ndarray:
    return np.tile(np.array([[x, y]], np.float64), (max(n_frames, 1), 1))


class AnchorResolver:
    """Resolves `EffectSpec` anchors against a shot's poses (character or 'prop:<id>' -> per-frame poses),
    rigs (same keys) and set horizon."""

    def __init__(self, n_frames: int, aspect: float, poses: dict[str, list[Pose]] | None = None,
                 rigs: dict[str, Rig] | None = None, horizon: float = 0.6, characters: list[str] | None = None) -> None:
        self.n, self.aspect, self.horizon = n_frames, aspect, horizon
        self.poses = {k: v for k, v in (poses or {}).items() if v}
        self.rigs = rigs or {}
        self.characters = [c for c in (characters or list(self.poses)) if not c.startswith("prop:")]

    def _who(self, effect: EffectSpec) -> str | None:
        if effect.character and effect.character in self.poses:
            return effect.character
        return next((c for c in self.characters if c in self.poses), None)

    def _x_of(self, effect: EffectSpec) -> np.ndarray:
        """The effect's x per frame: its character's root if it names one, else its source_x."""
        if effect.character and effect.character in self.poses:
            return np.array([p.root_x for p in _frames(self.poses[effect.character], self.n)])
        return np.full(self.n, effect.source_x)

    def ground_y(self) -> np.ndarray:
        """The line just in front of the characters' feet, per frame."""
        feet = [np.array([p.root_y for p in _frames(self.poses[c], self.n)]) for c in self.characters if c in self.poses]
        base = np.max(feet, axis=0) if feet else np.full(self.n, GROUND_DEFAULT)
        return np.minimum(base + 0.04, 0.97)

    def _joint(self, effect: EffectSpec, who: str | None) -> AnchorTrack | None:
        if who is None or who not in self.rigs:
            return None
        rig = self.rigs[who]
        joint = resolve_joint(rig, effect.anchor or "")
        if joint is None:
            return None
        frames = _frames(self.poses[who], self.n)
        pts = np.array([joint_point(rig, p, joint, self.aspect) for p in frames])
        figure = float(np.mean([CHARACTER_HEIGHT * rig.height * p.scale for p in frames])) if frames else 0.0
        return AnchorTrack(pts, f"{who}.{joint}", True, figure)

    def _prop(self, effect: EffectSpec) -> AnchorTrack | None:
        key = effect.anchor or ""
        if key not in self.poses:
            return None
        poses = _frames(self.poses[key], self.n)
        rig = self.rigs.get(key)
        xs = np.array([p.root_x for p in poses])
        if effect.kind.value in KICKED_UP and rig is not None and np.ptp(xs) > 1e-4:
            # dust or spray a moving thing kicks up (a galloping horse, a car on a wet road) rises from the
            # ground behind it, not from the middle of its body
            way = np.sign(np.gradient(xs)) if len(xs) > 1 else np.zeros(1)
            trail = np.array([0.35 * CHARACTER_HEIGHT * rig.height * p.scale / self.aspect for p in poses])
            pts = np.stack([xs - way * trail, np.array([p.root_y for p in poses])], 1)
        elif rig is not None and rig.joints:
            bone = rig.joints[0].name  # the body bone of a prop rig; the flame of a lantern sits mid-body
            pts = np.array([joint_point(rig, p, bone, self.aspect) for p in poses])
        else:
            pts = np.array([[p.root_x, p.root_y] for p in poses])
        return AnchorTrack(pts, key, True)

    def track(self, effect: EffectSpec) -> AnchorTrack:
        """Where `effect` comes from on each frame; falls back to its source with a label saying so."""
        anchor, n = effect.anchor, self.n
        found: AnchorTrack | None = None
        if anchor == "horizon":
            found = AnchorTrack(np.stack([self._x_of(effect), np.full(n, self.horizon)], 1), "horizon", False)
        elif anchor == "ground":
            found = AnchorTrack(np.stack([self._x_of(effect), self.ground_y()], 1), "ground", True)
        elif anchor == "sky":
            found = AnchorTrack(np.stack([self._x_of(effect), np.full(n, SKY_Y)], 1), "sky", False)
        elif anchor is not None and anchor.startswith("prop:"):
            found = self._prop(effect)
        elif anchor is not None:
            found = self._joint(effect, self._who(effect))
        elif effect.character and effect.character in self.poses:
            # "behind him" with no joint: behind his hips, following him across the stage (at his feet
            # a close-up would frame it out)
            found = self._joint(effect.model_copy(update={"anchor": "pelvis"}), effect.character)
            if found is None:
                ys = np.array([p.root_y for p in _frames(self.poses[effect.character], n)]) - 0.02
                found = AnchorTrack(np.stack([self._x_of(effect), ys], 1), f"{effect.character}.feet", True)
        if found is None:
            label = "source" if anchor is None else f"source ({anchor} not found)"
            return AnchorTrack(_constant(effect.source_x, effect.source_y, n), label, False)
        pts = np.clip(found.points, [0.0, 0.0], [1.0, 1.0])
        moving = found.moving and bool(np.ptp(pts, axis=0).max() > 1e-6)
        return AnchorTrack(pts, found.label, moving, found.figure)

    def tracks(self, effects: list[EffectSpec]) -> list[AnchorTrack]:
        return [self.track(e) for e in effects]
