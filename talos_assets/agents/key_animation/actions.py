"""Axis actions: key poses of simple actions (gesture, walk, run, turn, reach, wave, fall) for one character.

Key poses follow pose-to-pose key animation as taught in Williams' *The Animator's Survival Kit* and
Thomas & Johnston's twelve principles: a readable start, an anticipation that winds up against the
action, an exaggerated extreme (scaled by the shot's arousal) and a settle, with a small step so
the body moves through space. The walk and run cycles use Williams' four positions per step
(contact, down, passing, up) with the root travelling one heel gap per step and the arms
counter-swinging; a turn passes through front-ish keys (the side view squeezed in x); reach, wave
and fall are anticipation / action / follow-through sequences. `action_from_description` picks
the action a shot description names by its keywords.
"""

from __future__ import annotations

import re
from functools import lru_cache
import zlib

import numpy as np

from talos_assets.agents.key_animation.poses import (
    arousal_gain,
    blend_poses,
    emotion_attitude,
    emotion_pose_with_gain,
    front_view,
    joints_from_rest,
    offset_joints,
)
from talos_assets.agents.key_animation.rig import CHARACTER_HEIGHT, Rig, forward_kinematics
from talos_assets.spec import EMOTION_VA, Emotion, KeyPose, Pose

# Which way the step goes relative to facing: approach (+1) or recoil (-1), and its size factor.
STEP_DIRECTION: dict[Emotion, tuple[int, float]] = {
    Emotion.joy: (1, 0.8),
    Emotion.sadness: (-1, 0.35),
    Emotion.anger: (1, 1.0),
    Emotion.fear: (-1, 1.0),
    Emotion.surprise: (-1, 0.7),
    Emotion.calm: (1, 0.4),
    Emotion.determination: (1, 1.0),
    Emotion.awe: (1, 0.5),
}


def gesture_keys(rig: Rig, start_frame: int, n_frames: int, x0: float, facing: int, emotion: Emotion,
                  arousal: float, root_y: float, scale: float, rng: np.random.Generator, delay: int = 0) -> list[KeyPose]:
    """The emotion gesture: start, anticipation, extreme, settle, with a small step (the default action)."""
    last = max(0, n_frames - 1)
    gain = arousal_gain(arousal)
    direction, size = STEP_DIRECTION[emotion]
    step = facing * direction * size * (0.035 + 0.045 * gain)

    rest = rig.rest_pose(x0, root_y, facing)
    settle = emotion_pose_with_gain(rig, emotion, gain, x0 + step, facing)
    push = min(1.3, gain * float(rng.uniform(1.15, 1.3)))  # the extreme overshoots the settle
    extreme = emotion_pose_with_gain(rig, emotion, push, x0 + step, facing)
    start = blend_poses(rest, settle, 0.25)

    # Anticipation: wind up against the extreme, sink into the knees, lean back from the step.
    antic = blend_poses(start, extreme, -0.35)
    crouch = 0.6 + 0.6 * gain
    lean_back = -8.0 * direction * size
    aj = dict(antic.joints)
    for jname, d in (("l_hip", -12), ("r_hip", -14), ("l_knee", 26), ("r_knee", 28), ("l_ankle", -10),
                     ("r_ankle", -10), ("spine", lean_back), ("chest", 4)):
        if jname in aj:
            aj[jname] += crouch * d
    af = dict(antic.face)
    af["eye_open"] = af["eye_open"] * 0.8  # the squeeze before the take
    af["brow_raise"] = af["brow_raise"] - 0.25
    antic = antic.model_copy(update={"joints": aj, "face": af, "root_x": x0 - 0.15 * step})

    # Extreme: a stride, near thigh forward, far thigh behind (the step happens into this key;
    # the same open stance reads for a step back, crossing the legs would not).
    ej = dict(extreme.joints)
    for jname, d in (("r_hip", -18), ("l_hip", 14), ("r_knee", 10), ("l_knee", 16)):
        if jname in ej:
            ej[jname] += d
    extreme = extreme.model_copy(update={"joints": ej})

    poses = [start, antic, extreme, settle]
    for p in poses:
        p.root_y, p.scale = root_y, scale
    poses = [rig.clamp(p) for p in poses]

    # Timing: anticipation ~1/4 in, extreme ~1/2, with a seeded jitter and a per-character delay so
    # several characters overlap instead of moving in unison.
    f_antic = round(0.22 * last) + delay + int(rng.integers(-1, 2))
    f_ext = round(0.5 * last) + delay + int(rng.integers(-2, 3))
    frames = [0, f_antic, f_ext, last]
    # Slow out of the start, accelerate out of the anticipation into the extreme (the hit), then
    # ease out of the overshoot into the settle.
    easings = ["ease-in-out", "ease-in", "ease-in-out", "ease-in-out"]
    return _keys_from(rig, start_frame, last, frames, poses, easings)


def _keys_from(rig: Rig, start_frame: int, last: int, frames: list[int], poses: list[Pose],
               easings: list[str]) -> list[KeyPose]:
    """KeyPoses at start_frame + frame, frames clipped into the action; a later key wins a collision."""
    by_frame: dict[int, tuple[Pose, str]] = {}
    for f, p, e in zip(frames, poses, easings):
        by_frame[int(np.clip(f, 0, last))] = (rig.clamp(p), e)  # tiny actions: the later (stronger) key wins
    return [KeyPose(frame=start_frame + f, character=rig.name, pose=by_frame[f][0], easing=by_frame[f][1])  # type: ignore[arg-type]
            for f in sorted(by_frame)]

def _leg(side: str, hip: float, knee: float, ankle: float) -> dict[str, float]:
    return {f"{side}_hip": hip, f"{side}_knee": knee, f"{side}_ankle": ankle}


# Williams' four walk positions per step, as (lead leg, trail leg) offsets from rest: (hip, knee,
# ankle) in units of the stride angle A for the hip and degrees for knee / ankle. Contact: heel
# down in front, toe pushing off behind; down: the weight lands, knees give, the body is lowest;
# passing: the free leg swings by, knee high, under a straight support leg; up: the support leg
# pushes the body to its highest point as the free leg reaches forward for the next contact.
WALK_PHASES: tuple[tuple[str, tuple[float, float, float], tuple[float, float, float]], ...] = (
    ("contact", (-1.0, 3.0, -12.0), (0.8, 14.0, 25.0)),
    ("down", (-0.7, 26.0, -6.0), (0.6, 45.0, 30.0)),
    ("passing", (-0.1, 8.0, -4.0), (-0.3, 1.0, -8.0)),  # trail knee scaled by the gait's knee lift
    ("up", (0.5, 0.0, 18.0), (-0.9, 28.0, -10.0)),
)


def _walk_phase_pose(base: Pose, phase: int, lead: str, stride: float, knee_lift: float, run: bool) -> Pose:
    """One of the four positions of a step (WALK_PHASES[phase]) with `lead` ("l" or "r") the leading leg."""
    name, lead_off, trail_off = WALK_PHASES[phase]
    trail = "r" if lead == "l" else "l"
    deltas: dict[str, float] = {}
    lh, lk, la = lead_off
    th, tk, ta = trail_off
    if name == "passing":
        tk = knee_lift
    deltas.update(_leg(lead, lh * stride, lk, la))
    deltas.update(_leg(trail, th * stride, tk, ta))
    # Arms counter-swing the legs: the arm opposite the lead leg comes forward (forward =
    # subtracting on both shoulders, see EMOTION_LIBRARY's sign notes), most at the contacts.
    swing = {"contact": 1.0, "down": 0.7, "passing": 0.0, "up": -0.4}[name] * (0.9 * stride)
    fwd_arm, back_arm = ("r", "l") if lead == "l" else ("l", "r")
    deltas[f"{fwd_arm}_shoulder"] = -swing
    deltas[f"{back_arm}_shoulder"] = swing
    deltas[f"{fwd_arm}_elbow"] = -abs(swing) * (1.2 if run else 0.5) - (60.0 if run else 0.0)
    deltas[f"{back_arm}_elbow"] = -(60.0 if run else 5.0)
    # The body dips on the down and rises on the up; the head counters the dip a little.
    bob = {"contact": 0.0, "down": 4.0, "passing": 0.0, "up": -2.0}[name]
    deltas["spine"] = bob
    deltas["head"] = -0.5 * bob
    return offset_joints(base, **deltas)


def _walk_keys(rig: Rig, start_frame: int, n_frames: int, x0: float, facing: int, emotion: Emotion,
               arousal: float, root_y: float, scale: float, aspect: float, rng: np.random.Generator,
               run: bool) -> list[KeyPose]:
    last = max(0, n_frames - 1)
    gain = arousal_gain(arousal)
    a = float(np.clip(arousal, -1, 1))
    # Gait from the emotion's energy: a brisk walk is on 8s-10s, a heavy one on 16s (frames per
    # step at 24 fps, Williams); a run is on 4s-6s with a longer stride, more lean, higher knees.
    if run:
        step_frames = int(np.clip(round(6 - 1.5 * a), 4, 8))
        stride, knee_lift, lean = 34.0 + 8.0 * gain, 95.0, 14.0
    else:
        step_frames = int(np.clip(round(12 - 4 * a), 8, 16))
        stride, knee_lift, lean = 18.0 + 10.0 * gain, 55.0, 3.0
    stride *= float(rng.uniform(0.95, 1.05))
    base = emotion_attitude(rig, emotion, gain, x0, facing, body=0.5, arms=0.1)
    # A sad walk sinks: knees softer, hips lower, the chest over them (valence below zero).
    sag = max(0.0, -EMOTION_VA[emotion][0])
    base = offset_joints(base, spine=lean + 6 * sag, neck=-0.4 * lean, l_knee=16 * sag, r_knee=16 * sag,
                         l_hip=-7 * sag, r_hip=-7 * sag)

    # Root travel per step = the distance between the feet at contact, so the planted foot holds
    # its place on average instead of skating; converted from character heights to stage widths.
    bones = forward_kinematics(rig, _walk_phase_pose(base, 0, "l", stride, knee_lift, run))
    heel_gap = abs(bones["l_ankle"].start[0] - bones["r_ankle"].start[0]) if "l_ankle" in bones else 0.25
    step_stage = heel_gap * CHARACTER_HEIGHT * rig.height * scale / aspect

    n_steps = max(1, (last - step_frames // 2) // step_frames)
    frames: list[int] = []
    poses: list[Pose] = []
    easings: list[str] = []
    for i in range(n_steps):
        lead = "l" if i % 2 == 0 else "r"
        for phase in range(4):
            f = i * step_frames + round(phase * step_frames / 4)
            p = _walk_phase_pose(base, phase, lead, stride, knee_lift, run)
            p.root_x = x0 + facing * step_stage * (i + phase / 4)
            if run and phase == 3:
                p.root_y = root_y - 0.04 * scale * rig.height  # the flight phase: both feet off the ground
            else:
                p.root_y = root_y
            frames.append(f)
            poses.append(p)
            easings.append("linear")  # keep momentum through the cycle: no stop at every drawing
    # Stop: the trailing foot comes up beside the planted one and the body settles into the emotion.
    stop = emotion_attitude(rig, emotion, gain, x0 + facing * step_stage * (n_steps + 0.5), facing, body=1.0)
    stop.root_y = root_y
    frames.append(last)
    poses.append(stop)
    easings[-1] = "ease-out"  # cushion into the stop
    easings.append("ease-in-out")
    for p in poses:
        p.scale = scale
    return _keys_from(rig, start_frame, last, frames, poses, easings)


def _turn_keys(rig: Rig, start_frame: int, n_frames: int, x0: float, facing: int, emotion: Emotion,
               arousal: float, root_y: float, scale: float, rng: np.random.Generator) -> list[KeyPose]:
    last = max(0, n_frames - 1)
    gain = arousal_gain(arousal)
    start = emotion_attitude(rig, emotion, gain, x0, facing, body=0.6, arms=0.3)
    # Anticipation: dip and lead with the head (the eyes and head turn first, the body follows).
    antic = offset_joints(start, spine=5, l_knee=12, r_knee=12, l_hip=-6, r_hip=-6, head=10)
    # Front keys: the turn passes through a squeezed, front-ish view, first on the old side then
    # mirrored on the new side (the middle drawings of a classic 2D turn).
    front_a = front_view(rig, emotion_attitude(rig, emotion, gain, x0, facing, body=0.3, arms=0.0), facing)
    front_b = front_view(rig, emotion_attitude(rig, emotion, gain, x0, facing, body=0.3, arms=0.0), -facing)
    end = emotion_attitude(rig, emotion, gain, x0, -facing, body=1.0)
    over = offset_joints(end, spine=-6, head=-8, hair=20, tail=20)  # overshoot, the hair and tail trail
    poses = [start, antic, front_a, front_b, over, end]
    for p in poses:
        p.root_y, p.scale = root_y, scale
    j = int(rng.integers(-1, 2))
    frames = [0, round(0.2 * last) + j, round(0.42 * last), round(0.5 * last), round(0.72 * last) + j, last]
    easings = ["ease-in-out", "ease-in", "linear", "ease-out", "ease-in-out", "ease-in-out"]
    return _keys_from(rig, start_frame, last, frames, poses, easings)


def _reach_keys(rig: Rig, start_frame: int, n_frames: int, x0: float, facing: int, emotion: Emotion,
                arousal: float, root_y: float, scale: float, rng: np.random.Generator) -> list[KeyPose]:
    last = max(0, n_frames - 1)
    gain = arousal_gain(arousal)
    step = facing * (0.02 + 0.02 * gain)
    start = emotion_attitude(rig, emotion, gain, x0, facing, body=0.5, arms=0.2)
    # Anticipation: draw the near arm back and lean away before the reach (Williams: every action
    # is preceded by a smaller one in the opposite direction).
    antic = offset_joints(joints_from_rest(rig, start, r_shoulder=25, r_elbow=-70, r_wrist=-15), spine=-6,
                          l_knee=10, r_knee=10)
    # Extreme: the arm overextends forward (a little above level) with the body behind it and a
    # step into the reach; the settle pulls back to level.
    extreme = offset_joints(
        joints_from_rest(rig, start, r_shoulder=-95 - 10 * gain, r_elbow=12, r_wrist=10, l_shoulder=25),
        spine=12, chest=6, head=-6, l_hip=16, r_hip=-20, r_knee=12)
    extreme.root_x = x0 + step
    settle = offset_joints(joints_from_rest(rig, start, r_shoulder=-85, r_elbow=8, r_wrist=5, l_shoulder=15),
                           spine=8, chest=4, l_hip=12, r_hip=-14, r_knee=8)
    settle.root_x = x0 + step
    poses = [start, antic, extreme, settle]
    for p in poses:
        p.root_y, p.scale = root_y, scale
    j = int(rng.integers(-1, 2))
    frames = [0, round(0.25 * last) + j, round(0.55 * last) + j, last]
    easings = ["ease-in-out", "ease-in", "ease-out", "ease-in-out"]
    return _keys_from(rig, start_frame, last, frames, poses, easings)


def _wave_keys(rig: Rig, start_frame: int, n_frames: int, x0: float, facing: int, emotion: Emotion,
               arousal: float, root_y: float, scale: float, rng: np.random.Generator) -> list[KeyPose]:
    last = max(0, n_frames - 1)
    gain = arousal_gain(arousal)
    start = emotion_attitude(rig, emotion, gain, x0, facing, body=0.5, arms=0.2)
    raised = offset_joints(joints_from_rest(rig, start, r_shoulder=-150, r_elbow=-40), spine=-3, head=-4)
    out = offset_joints(raised, r_elbow=22, r_wrist=25)  # hand swings out (away from the head)
    back = offset_joints(raised, r_elbow=-25, r_wrist=-25)  # and back in
    # Waves back and forth between the raise (first ~20 %) and the lowering (last ~15 %), one swing
    # per half period; livelier emotions wave faster.
    t0, t1 = round(0.2 * last), round(0.85 * last)
    half = int(np.clip(round(5 - 2 * float(np.clip(arousal, -1, 1))), 3, 8))
    frames, poses, easings = [0, t0], [start, raised], ["ease-in-out", "ease-in-out"]
    f, k = t0 + half, 0
    while f < t1:
        frames.append(f)
        poses.append(out if k % 2 == 0 else back)
        easings.append("ease-in-out")
        f, k = f + half, k + 1
    frames.append(last)
    poses.append(joints_from_rest(rig, start, r_shoulder=-15, r_elbow=-20))
    easings.append("ease-in-out")
    poses = [p.model_copy(deep=True) for p in poses]
    for p in poses:
        p.root_y, p.scale = root_y, scale
    return _keys_from(rig, start_frame, last, frames, poses, easings)


def _fall_keys(rig: Rig, start_frame: int, n_frames: int, x0: float, facing: int, emotion: Emotion,
               arousal: float, root_y: float, scale: float, rng: np.random.Generator) -> list[KeyPose]:
    last = max(0, n_frames - 1)
    gain = arousal_gain(arousal)
    start = emotion_attitude(rig, emotion, gain, x0, facing, body=0.5, arms=0.2)
    back = -facing * 0.03
    # Stumble: balance lost backward, arms flung out, a foot off the ground, head whipping forward.
    stumble = offset_joints(start, spine=-22, chest=-10, neck=12, head=15, l_shoulder=100, r_shoulder=-120,
                      l_elbow=-30, r_elbow=-40, r_hip=-35, r_knee=30, hair=30, tail=40)
    stumble.root_x = x0 + 0.5 * back
    stumble.face.update(eye_open=1.5, brow_raise=0.9, mouth_open=0.8, mouth_curve=-0.4)
    # Going down: the knees give, the body folds forward, the arms reach for the ground.
    going = offset_joints(start, l_hip=-55, r_hip=-60, l_knee=95, r_knee=100, spine=15, chest=10, head=10,
                    l_shoulder=-40, r_shoulder=-60, l_elbow=-20, r_elbow=-20, hair=-25)
    going.root_x = x0 + back
    going.face.update(eye_open=1.3, brow_raise=0.7, mouth_open=0.6)
    # Impact: the lowest, most squashed drawing; then a small rebound and the settle.
    impact = offset_joints(start, l_hip=-85, r_hip=-85, l_knee=140, r_knee=140, l_ankle=-30, r_ankle=-30, spine=40,
                     chest=25, neck=20, head=25, l_shoulder=-60, r_shoulder=-70, l_elbow=-10, r_elbow=-10,
                     hair=-40, tail=-40)
    impact.root_x = x0 + 1.1 * back
    impact.face.update(eye_open=0.15, brow_tilt=0.6, mouth_open=0.3, mouth_curve=-0.6)
    rebound = offset_joints(impact, spine=-12, chest=-8, head=-10, l_knee=-10, r_knee=-10)
    settle = offset_joints(impact, spine=-6, head=-15, neck=-10)
    settle.face.update(eye_open=0.6, brow_tilt=0.8, mouth_open=0.0, mouth_curve=-0.5)
    poses = [start, stumble, going, impact, rebound, settle]
    for p in poses:
        p.root_y, p.scale = root_y, scale
    j = int(rng.integers(-1, 2))
    frames = [0, round(0.22 * last) + j, round(0.45 * last), round(0.62 * last) + j, round(0.72 * last), last]
    # Gravity: slow out of the stumble, accelerating into the impact (ease-in), cushion after.
    easings = ["ease-in-out", "ease-in-out", "ease-in", "ease-out", "ease-in-out", "ease-in-out"]
    return _keys_from(rig, start_frame, last, frames, poses, easings)


ACTIONS: tuple[str, ...] = ("gesture", "walk", "run", "turn", "reach", "wave", "fall")
# Keywords that name an action in a shot description (stems; the earliest mention wins).
ACTION_WORDS: tuple[tuple[str, str], ...] = (
    ("fall", r"fall|fell|collaps|stumbl|trip|faint|toppl|slump|tumbl"),
    ("run", r"run|ran\b|sprint|dash|rush|race|racing|flee|fled|charg"),
    ("walk", r"walk|step|stride|strode|march|stroll|wander|approach|pace|pacing|limp|trudg"),
    ("turn", r"turn|spin|spun|whirl|looks? back|pivot"),
    ("wave", r"wav|greet|hail|beckon"),
    ("reach", r"reach|point|grab|touch|offer|extend|grasp|lift"),
)
_ACTION_RE = [(a, re.compile(rf"\b(?:{w})", re.IGNORECASE)) for a, w in ACTION_WORDS]


# Things that turn, fall or run in a story without being anyone: "night falls", "a ship turns", "the
# lantern falls from his hand" ask nothing of the characters. With the world's prop and place words.
_THINGS = {"night", "day", "evening", "morning", "dusk", "dawn", "darkness", "dark", "silence", "sun", "stars",
           "tide", "wind", "breeze", "rain", "snow", "leaves", "leaf", "light", "lights", "smoke", "fire", "flame",
           "flames", "water", "sky", "storm", "mist", "fog", "cloud", "clouds", "time", "world", "music", "song",
           "tears", "ash", "dust", "shadow", "shadows", "sand", "coin", "coins", "page", "pages", "wheel", "wheels",
           # machinery turns by itself: "the great lens above them begins to turn"
           "lens", "gear", "gears", "cog", "cogs", "mechanism", "machine", "machinery", "engine", "dial", "crank",
           "lever", "handle", "propeller", "windmill", "mill", "beam", "needle", "compass", "fan", "wheelhouse"}
_CLAUSE_BREAK = re.compile(r"[,.;:!?]|\b(?:and|as|while|then|but|when|where|until|because)\b", re.IGNORECASE)


@lru_cache(maxsize=1)
def _thing_words() -> frozenset[str]:
    from talos_assets.agents.direction.vocabulary import builtin_vocabulary

    vocab = builtin_vocabulary()
    words = {w for table in (vocab.props, vocab.places) for ws in table.values() for w in ws if " " not in w}
    return frozenset(words | {w + "s" for w in words} | _THINGS)


def _done_by_a_thing(text: str, start: int) -> bool:
    """Whether the clause before the action word at `start` names a thing as its doer."""
    clause_start = max((m.end() for m in _CLAUSE_BREAK.finditer(text, 0, start)), default=0)
    words = re.findall(r"[a-z']+", text[clause_start:start].lower())
    if not words:  # "the lantern slips and falls": the doer is the sentence's subject, its first words
        sentence_start = max((m.end() for m in re.finditer(r"[.;:!?]", text[:start])), default=0)
        words = re.findall(r"[a-z']+", text[sentence_start:start].lower())[:3]
    return any(w in _thing_words() for w in words)


def action_from_description(text: str) -> str:
    """The action a shot description names ('walk', 'run', 'turn', 'reach', 'wave', 'fall'), else
    'gesture'. An action word whose clause names a thing before it ("night falls", "a ship turns")
    is the thing's, not the characters'."""
    text = text or ""
    hits = [(m.start(), a) for a, rx in _ACTION_RE for m in rx.finditer(text) if not _done_by_a_thing(text, m.start())]
    return min(hits)[1] if hits else "gesture"


def action_keys(rig: Rig, action: str, start_frame: int, n_frames: int, root_x: float, facing: int,
                emotion: Emotion, arousal: float, *, root_y: float = 0.75, scale: float = 1.0,
                aspect: float = 16 / 9, seed: int = 0) -> list[KeyPose]:
    """Key poses of one simple action for `rig`, over frames start_frame .. start_frame + n_frames - 1.

    Actions: 'gesture' (the emotion gesture: start, anticipation, extreme, settle), 'walk' / 'run'
    (Williams' contact, down, passing, up per step, root travelling one heel gap per step, then a
    stop), 'turn' (through front-ish keys to the other side), 'reach' (anticipation, overextended
    reach, settle), 'wave' (raise, swings, lower) and 'fall' (stumble, collapse, impact, rebound,
    settle). Emotion and arousal colour every action: gait tempo, attitude, face. `aspect` is the
    frame's width / height, used to turn stride lengths into stage fractions.
    """
    if action not in ACTIONS:
        raise ValueError(f"unknown action '{action}'; actions: {', '.join(ACTIONS)}")
    if n_frames < 1:
        raise ValueError(f"an action needs at least 1 frame, got {n_frames}")
    emotion = Emotion(emotion)
    facing = 1 if facing >= 0 else -1
    rng = np.random.default_rng([seed, zlib.crc32(f"{rig.name}/{action}".encode())])
    args = (rig, start_frame, n_frames, root_x, facing, emotion, arousal, root_y, scale)
    if action == "gesture":
        return gesture_keys(*args, rng)
    if action in ("walk", "run"):
        return _walk_keys(*args, aspect, rng, run=action == "run")
    return {"turn": _turn_keys, "reach": _reach_keys, "wave": _wave_keys, "fall": _fall_keys}[action](*args, rng)

