"""Acting context: one character's stage, the emotion layer, and the timing of key poses.

Every action is built the same way, after Williams' pose-to-pose method: a few drawn poses (start,
anticipation, extreme, follow-through, settle) placed in time. The emotion is a layer over the
action, not a different action (Thomas & Johnston's acting): the attitude (lean, head carriage,
face) comes from the emotion pose library, the amplitude of every offset scales with arousal and
valence (a sad gesture is smaller and lower than a happy one) and the tempo with arousal (a sad
action takes longer). Positions arrive as frame fractions and are turned into the rig's character
space (heights, x toward the facing, y up) with the same projection the line art draws with.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from talos_assets.agents.key_animation.acting.vehicle import Vehicle
from talos_assets.agents.key_animation.actions import _keys_from
from talos_assets.agents.key_animation.line_art import view_scale
from talos_assets.agents.key_animation.poses import arousal_gain, emotion_attitude
from talos_assets.agents.key_animation.rig import CHARACTER_HEIGHT, FACING_KEY, TILT_KEY, Rig
from talos_assets.spec import EMOTION_VA, Emotion, KeyPose, Pose


TORSO = ("pelvis", "spine", "chest")


@dataclass
class Stage:
    """Where and how one character acts: its mark, facing, ground line, size, emotion and target."""

    rig: Rig
    x0: float
    facing: int
    root_y: float
    scale: float
    emotion: Emotion
    arousal: float
    n_frames: int
    valence: float | None = None
    fps: float = 24.0
    aspect: float = 16 / 9
    target: tuple[float, float] | None = None  # frame fractions (x, y), y = 0 at the top
    target_kind: str | None = None  # character | prop | place
    target_name: str | None = None
    body_part: str | None = None  # the actor's own joint a strike or hold lands on ("strikes his chest")
    seat: bool = False  # a chair / bench / rock to sit on is in the shot
    partner: "Partner | None" = None
    hold: Pose | None = None  # a posture held under upper-body actions (`layers`): their base pose
    vehicle: Vehicle | None = None  # what a ride rides (a bicycle, a boat, a car)
    destination: float | None = None  # frame x a ride goes to ("rides to the fence"): it stops short of it
    view: float = 1.0  # how much of the stage's width the camera sees (frame widths)
    seed: int = 0
    rng: np.random.Generator = field(default_factory=lambda: np.random.default_rng(0))

    def __post_init__(self) -> None:
        self.facing = 1 if self.facing >= 0 else -1
        self.emotion = Emotion(self.emotion)
        if self.valence is None:
            self.valence = EMOTION_VA[self.emotion][0]

    @property
    def last(self) -> int:
        return max(0, self.n_frames - 1)

    @property
    def gain(self) -> float:
        return arousal_gain(self.arousal)

    @property
    def amp(self) -> float:
        """How big the action is: arousal opens it up, negative valence shrinks it (0.6 .. 1.3)."""
        v = float(np.clip(self.valence or 0.0, -1, 1))
        return float(np.clip((0.75 + 0.35 * self.gain) * (1.0 + 0.15 * v), 0.6, 1.3))

    @property
    def tempo(self) -> float:
        """Speed of the action: 0.7 (low arousal, heavy) .. 1.4 (high arousal, brisk)."""
        return float(2.0 ** (0.5 * np.clip(self.arousal, -1, 1)))

    @property
    def char_h(self) -> float:
        """Frame heights per character unit."""
        return CHARACTER_HEIGHT * self.rig.height * self.scale


@dataclass
class Partner:
    """The other character of a two-character action: its rig and the pose it holds at the contact."""

    name: str
    rig: Rig
    pose: Pose


def base_pose(st: Stage, body: float = 0.6, arms: float = 0.15) -> Pose:
    """The emotion attitude on the mark: lean, head and face of the emotion, rest legs, scaled and grounded.

    On a stage that holds a posture (a seat, a kneel, lying) the base is that posture, so an aimed
    hand is solved from where the shoulder really is."""
    if st.hold is not None:
        return moved(st.hold)
    p = emotion_attitude(st.rig, st.emotion, st.gain, st.x0, st.facing, body=body, arms=arms)
    # Negative valence sags the body (lower); positive lifts the chest a little.
    v = float(np.clip(st.valence or 0.0, -1, 1))
    sag = max(0.0, -v)
    for k, d in (("spine", 6 * sag - 2 * max(v, 0)), ("neck", 4 * sag), ("l_knee", 8 * sag), ("r_knee", 8 * sag),
                 ("l_hip", -4 * sag), ("r_hip", -4 * sag)):
        if k in p.joints:
            p.joints[k] += d
    p.root_y, p.scale = st.root_y, st.scale
    return st.rig.clamp(p)


def act(st: Stage, pose: Pose, scaled: bool = True, face: dict[str, float] | None = None, **offsets: float) -> Pose:
    """`pose` with the named joints moved toward rest + offset (by the stage's amplitude when `scaled`);
    over a held posture the torso's offsets are from the posture's torso."""
    jm = st.rig.joint_map
    joints = dict(pose.joints)
    k = st.amp if scaled else 1.0
    for name, off in offsets.items():
        if name in jm:
            cur = joints.get(name, jm[name].rest)
            # Over a held posture the torso offsets are from the posture's torso, not from standing
            # rest: a gaze up from the floor keeps the seat's upright back and only leans it a little.
            ref = st.hold.joints.get(name, jm[name].rest) if st.hold is not None and name in TORSO else jm[name].rest
            joints[name] = cur + k * (ref + off - cur)
    f = dict(pose.face)
    f.update(face or {})
    return st.rig.clamp(pose.model_copy(update={"joints": joints, "face": f}))


def nudge(st: Stage, pose: Pose, **deltas: float) -> Pose:
    """`pose` with joints moved by `deltas` (relative), clamped."""
    joints = dict(pose.joints)
    for name, d in deltas.items():
        if name in joints:
            joints[name] += d
    return st.rig.clamp(pose.model_copy(update={"joints": joints, "face": dict(pose.face)}))


def moved(pose: Pose, dx: float = 0.0, dy: float = 0.0, **face: float) -> Pose:
    """A copy moved on the stage (frame fractions) with face channels set."""
    f = dict(pose.face)
    f.update(face)
    return pose.model_copy(update={"root_x": pose.root_x + dx, "root_y": pose.root_y + dy, "face": f,
                                   "joints": dict(pose.joints)})


def to_char(st: Stage, pose: Pose, xy: tuple[float, float]) -> np.ndarray:
    """A frame point (fractions) in the pose's character space (heights, x toward facing, y up)."""
    h = CHARACTER_HEIGHT * st.rig.height * pose.scale
    sx = view_scale(pose)
    return np.array([(xy[0] - pose.root_x) * st.aspect / (sx * h), (pose.root_y - xy[1]) / h])


def to_frame(st: Stage, pose: Pose, p: np.ndarray) -> tuple[float, float]:
    """A character-space point of the pose in frame fractions."""
    h = CHARACTER_HEIGHT * st.rig.height * pose.scale
    return pose.root_x + view_scale(pose) * h * float(p[0]) / st.aspect, pose.root_y - h * float(p[1])


def seconds(st: Stage, s: float) -> int:
    """A duration at the stage's tempo, in frames."""
    return int(round(s * st.fps / st.tempo))


Beat = tuple[int, Pose, str]


def timeline(st: Stage, beats: list[Beat], breathe: bool = True) -> list[KeyPose]:
    """Key poses from (frame, pose, easing) beats, squeezed into the shot when they overrun it.

    After the last beat the pose is held as a moving hold (a small breath in the chest, Williams),
    so a character never freezes; beats later than the shot are compressed proportionally.
    """
    beats = sorted(beats, key=lambda b: b[0])
    end = beats[-1][0] if beats else 0
    if end > st.last and end > 0:
        beats = [(int(round(f * st.last / end)), p, e) for f, p, e in beats]
        end = st.last
    if breathe and beats and st.last - end >= 8:
        p = beats[-1][1]
        hold = nudge(st, p, chest=-2.0, head=1.5)
        beats.append((st.last, hold, "ease-in-out"))
    frames = [b[0] for b in beats]
    return _keys_from(st.rig, 0, st.last, frames, [b[1] for b in beats], [b[2] for b in beats])


def cycle(st: Stage, start: int, poses: list[Pose], period: int, stop: int | None = None,
          easing: str = "ease-in-out") -> list[Beat]:
    """Beats that alternate `poses` every `period` // len(poses) frames from `start` until `stop`."""
    stop = st.last if stop is None else stop
    step = max(2, period // max(1, len(poses)))
    out: list[Beat] = []
    f, i = start, 0
    while f <= stop:
        out.append((f, poses[i % len(poses)], easing))
        f, i = f + step, i + 1
    return out


def face_toward(st: Stage, pose: Pose, x: float) -> Pose:
    """The pose turned to face frame x (keeps a front-ish view's squeeze)."""
    f = float(pose.face.get(FACING_KEY, 1.0))
    sign = 1.0 if x >= pose.root_x else -1.0
    out = moved(pose)
    out.face[FACING_KEY] = sign * abs(f)
    return out


def tilted(pose: Pose, degrees: float) -> Pose:
    """A copy with the whole body turned in the picture plane (lying down is -90)."""
    return moved(pose, **{TILT_KEY: degrees})
