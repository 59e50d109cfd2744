"""Acting a shot: each character performs its `CharacterAction`s (or its motion capture) on its mark.

`perform` turns one action id into key poses on a `Stage`; `perform_shot` stages a whole shot: it
resolves each action's target (a character's chest, a prop's mark, the sky, the ground), turns
the actor toward it, moves two partners of a contact action together so that their hands meet
(`pairs`), gives a partner who has no action of its own the matching response (a hug is returned,
a push stumbles), and plays a character's actions one after the other in the shot's frames, a
posture held under the upper-body actions that go with it (`layers`: sit, then gaze up seated). A
character with a BVH file plays the capture instead (`retarget.bvh_key_poses`), trimmed or looped
to the shot. Characters with nothing to do play the emotion gesture, a few frames apart.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np

from talos_assets.agents.direction.camera import view_width
from talos_assets.agents.key_animation.acting import cycles, gestures, layers, pairs, postures, riding
from talos_assets.agents.key_animation.acting.context import Partner, Stage, base_pose, to_frame
from talos_assets.agents.key_animation.acting.vehicle import Vehicle
from talos_assets.agents.key_animation.actions import action_keys, gesture_keys
from talos_assets.agents.key_animation.bvh import load_bvh
from talos_assets.agents.key_animation.ik import shoulder_point
from talos_assets.agents.key_animation.retarget import bvh_key_poses
from talos_assets.agents.key_animation.rig import Rig
from talos_assets.spec import CharacterAction, KeyPose, ShotPlan

LEGACY = ("walk", "run", "turn", "wave", "fall", "gesture")
# How high an action's hand meets a prop (character heights above the ground): an anvil's face, a
# standing object's top; a pick-up goes to the floor.
PROP_HEIGHTS = {"hammer": 0.42, "reach": 0.55, "point": 0.2, "look_at": 0.2, "throw": 0.3, "push": 0.45, "pull": 0.4}
HOLDS = ("hold", "carry", "throw", "give", "pick_up", "hammer")  # actions whose prop ends up in the hand
SITS = ("sit", "sit_down", "stand_up")
SEATS = ("chair", "bench", "bed", "rock", "barrel", "crate", "table")
BUILDERS: dict[str, Callable[[Stage], list[KeyPose]]] = {
    "stand": postures.stand, "sit": postures.sit, "sit_down": postures.sit_down, "stand_up": postures.stand_up,
    "kneel": postures.kneel, "lie_down": postures.lie_down, "sleep": postures.sleep, "jump": postures.jump,
    "climb": postures.climb, "bow": postures.bow, "stumble": postures.stumble, "pray": postures.pray,
    "point": gestures.point, "reach": gestures.reach, "pick_up": gestures.pick_up, "hold": gestures.hold,
    "give": gestures.give, "throw": gestures.throw, "strike": gestures.strike, "push": gestures.push,
    "pull": gestures.pull, "look_at": gestures.look_at, "gaze_up": gestures.gaze_up, "shrug": gestures.shrug,
    "kick": gestures.kick, "nod": cycles.nod, "shake_head": cycles.shake_head, "laugh": cycles.laugh,
    "cry": cycles.cry, "tremble": cycles.tremble, "celebrate": cycles.celebrate, "clap": cycles.clap,
    "talk": cycles.talk, "dance": cycles.dance, "fight": cycles.fight, "hammer": cycles.hammer,
    "hug": pairs.hug, "shake_hands": pairs.shake_hands, "ride": riding.ride,
    # The partner's side of a contact action (not story verbs of their own).
    "take": gestures.take, "recoil": postures.recoil,
}


def _walk(st: Stage, action: str, arousal: float | None = None) -> list[KeyPose]:
    return action_keys(st.rig, action, 0, st.n_frames, st.x0, st.facing, st.emotion,
                       st.arousal if arousal is None else arousal, root_y=st.root_y, scale=st.scale,
                       aspect=st.aspect, seed=st.seed)


def _walk_to(st: Stage, action: str) -> list[KeyPose]:
    """A walk (run) across the mark; toward a target, it stops a body's width short of it and stands."""
    keys = _walk(st, action)
    if st.target is None:
        # Centre the path on the mark so the walk crosses it rather than leaving the frame from it.
        shift = -(keys[-1].pose.root_x - keys[0].pose.root_x) / 2
        return [k.model_copy(update={"pose": k.pose.model_copy(update={"root_x": k.pose.root_x + shift})}) for k in keys]
    room = abs(st.target[0] - st.x0) - 0.2 * st.char_h / st.aspect
    if abs(keys[-1].pose.root_x - st.x0) <= room:
        return keys
    # The longest walk that stops short of the target, then a moving hold where it stopped.
    lo, hi = 1, st.n_frames
    while hi - lo > 1:
        mid = (lo + hi) // 2
        walked = _walk(replace(st, n_frames=mid), action)
        lo, hi = (mid, hi) if abs(walked[-1].pose.root_x - st.x0) <= room else (lo, mid)
    walked = _walk(replace(st, n_frames=lo), action)
    if lo >= st.n_frames - 1:
        return walked
    rest = postures.stand(replace(st, x0=walked[-1].pose.root_x, n_frames=st.n_frames - lo))
    return walked + [k.model_copy(update={"frame": k.frame + lo}) for k in rest[1:]]


def perform(st: Stage, action: str) -> list[KeyPose]:
    """Key poses (frames 0 .. n_frames - 1) of one of the 47 action ids on `st`."""
    if action in ("sneak", "carry"):
        # A sneak is a slow, crouched walk with the hands up; a carry a walk with the load held.
        keys = _walk(st, "walk", st.arousal - 0.8 if action == "sneak" else st.arousal - 0.3)
        upper = cycles.sneak_pose(st) if action == "sneak" else cycles.carry_pose(st)
        joints = cycles._ARMS + (("spine", "neck", "head") if action == "sneak" else ())
        keys = cycles.with_upper_body(st, keys, upper, joints)
        if action == "sneak":
            for k in keys:
                for j, d in (("l_knee", 22), ("r_knee", 22), ("l_hip", -10), ("r_hip", -10)):
                    if j in k.pose.joints:
                        k.pose.joints[j] += d
                k.pose = st.rig.clamp(k.pose)
        return keys
    if action in ("walk", "run") or (action == "ride" and st.vehicle is None):
        # Riding nothing the shot shows (a horse the library lacks): the rider goes on its way.
        return _walk_to(st, "walk" if action == "ride" else action)
    if action == "turn" and st.target is not None:
        # Turn toward the target: start facing away from it.
        return _walk(replace(st, facing=-st.facing), "turn")
    if action in LEGACY or (action == "reach" and st.target is None and st.target_name is None):
        return _walk(st, action)
    if action not in BUILDERS:
        raise ValueError(f"unknown action '{action}'; actions: {', '.join(sorted([*BUILDERS, *LEGACY, 'sneak', 'carry']))}")
    return BUILDERS[action](st)


# ---- a whole shot -----------------------------------------------------------------------------


def _chest_point(st: Stage) -> tuple[float, float]:
    p = base_pose(st)
    return to_frame(st, p, shoulder_point(st.rig, p) - np.array([0.0, 0.08]))


def _target_of(act: CharacterAction, st: Stage, stages: Mapping[str, Stage], prop_x: dict[str, float]) -> None:
    """Fill in the stage's target from the action: a character's chest, a prop's mark, the sky/ground."""
    st.target_name, st.target_kind, st.target = act.target, act.target_kind, None
    st.body_part = act.body_part
    name = act.target
    if name is None:
        return
    if name in stages and name != act.character:
        st.target = _chest_point(stages[name])
        st.target_kind = "character"
    elif name in ("sky", "ground"):
        st.target_kind = "place"
    elif act.target_kind == "prop" or name in prop_x:
        if name not in prop_x:
            # Axis chooses the mark of a prop the character acts on: within reach, ahead of it.
            prop_x[name] = st.x0 + st.facing * 0.28 * st.char_h / st.aspect
        # Where the hand goes on it: the top of a block (an anvil's face, a table) or the floor.
        height = PROP_HEIGHTS.get(act.action, 0.02)
        st.target = (prop_x[name], st.root_y - height * st.char_h)
        st.target_kind = "prop"
    if st.target is not None and abs(st.target[0] - st.x0) > 1e-3:
        st.facing = 1 if st.target[0] > st.x0 else -1


def _seat_under(act: CharacterAction, st: Stage, seats: list[str], prop_x: dict[str, float]) -> None:
    """A seat of the shot (the one named, else the first) stands under the sitter's hips."""
    seat = act.target if act.target in seats else seats[0]
    if seat not in prop_x:
        prop_x[seat] = st.x0 - st.facing * 0.03 * st.char_h / st.aspect  # the hips sit a little behind the mark
    st.seat = True


def _place_pairs(actions: list[CharacterAction], stages: dict[str, Stage], chosen: dict[str, str]) -> None:
    """Move partners of contact actions together (about their midpoint) and face them to each other."""
    for a in actions:
        b = a.target
        if a.action not in pairs.PAIR_ACTIONS or b not in stages or b == a.character:
            continue
        sa, sb = stages[a.character], stages[b]
        mid = 0.5 * (sa.x0 + sb.x0)
        side = -1 if sa.x0 <= sb.x0 else 1
        gap = pairs.spacing(a.action, sa, sb.rig, sb.scale).gap
        sa.x0, sb.x0 = mid + side * gap / 2, mid - side * gap / 2
        sa.facing, sb.facing = -side, side
        chosen.setdefault(b, pairs.PAIR_ACTIONS[a.action])


def _contacts(actions: list[CharacterAction], stages: dict[str, Stage], chosen: dict[str, str]) -> None:
    """Aim the contact actions at the partner as it stands (and, for a hug, at its own hug), a few rounds."""
    for a in actions:
        b = a.target
        if a.action not in pairs.PAIR_ACTIONS or b not in stages or b == a.character:
            continue
        sa, sb = stages[a.character], stages[b]
        pa, pb = base_pose(sa), base_pose(sb)
        if a.action in ("shake_hands", "give"):
            sa.target = sb.target = pairs.meeting_point(sa, pa, sb, pb)
            sb.target_kind = sa.target_kind = "character"
        elif a.action in ("push", "pull", "strike", "fight", "kick"):
            sa.target = pairs.chest_front(sb.rig, pb, sa.aspect)
        if a.action == "hug":
            sa.partner, sb.partner = Partner(b, sb.rig, pb), Partner(a.character, sa.rig, pa)
            for _ in range(3):
                pa = pairs.hug_contact(sa, base_pose(sa))
                sb.partner = Partner(a.character, sa.rig, pa)
                pb = pairs.hug_contact(sb, base_pose(sb)) if chosen.get(b) == "hug" else base_pose(sb)
                sa.partner = Partner(b, sb.rig, pb)


def load_motion(path: Path | str, rig: Rig, n_frames: int, fps: float, **placement) -> list[KeyPose]:
    """A BVH capture as key poses trimmed (or looped) to `n_frames`; a bad file is one sentence naming it."""
    path = Path(path)
    try:
        clip = load_bvh(path)
    except OSError as exc:
        raise ValueError(f"motion file {path} cannot be read ({exc.strerror or exc}); check the shot's motion: path.") from None
    if clip.n_frames == 0:
        raise ValueError(f"motion file {path} has no frames of motion; record at least one frame.")
    try:
        keys = bvh_key_poses(clip, rig, fps=fps, **placement)
    except (ValueError, KeyError, IndexError) as exc:
        msg = str(exc).strip().rstrip(".")
        raise ValueError(f"motion file {path} cannot drive '{rig.name}': {msg}.") from None
    length = max(1, keys[-1].frame + 1) if keys else 1
    travel = keys[-1].pose.root_x - keys[0].pose.root_x if keys else 0.0
    out: list[KeyPose] = []
    loop = 0
    while keys and len(out) < 10_000:
        for k in keys:
            f = k.frame + loop * length
            if f >= n_frames:
                break
            out.append(k.model_copy(update={"frame": f, "pose": k.pose.model_copy(update={"root_x": k.pose.root_x + loop * travel})}))
        else:
            loop += 1
            continue
        break
    return out


def _sequence(st: Stage, actions: list[str], ridden: list[tuple[int, int]] | None = None) -> list[KeyPose]:
    """Several actions of one character: a posture with the upper-body actions it carries is one unit
    (`layers`: sit, then gaze up while seated), other actions units of their own; the units play one
    after another, each in a part of the shot as long as its actions, each from where the last ended.
    `ridden` collects the (first, last) frames of a ride unit, when the vehicle is under the rider."""
    ridden = ridden if ridden is not None else []
    if len(actions) == 1:
        if actions[0] == "ride" and st.vehicle is not None:
            ridden.append((0, st.last))
        return perform(st, actions[0])
    parts = layers.units(actions)
    keys: list[KeyPose] = []
    n = len(actions)
    done = 0
    x = st.x0
    ended_standing = False
    for unit in parts:
        lo, hi = round(done * st.n_frames / n), round((done + len(unit.actions)) * st.n_frames / n)
        done += len(unit.actions)
        part = replace(st, x0=x, n_frames=max(1, hi - lo))
        mine = layers.perform_unit(part, unit, perform)
        if "ride" in unit.actions and st.vehicle is not None:
            ridden.append((lo, lo + part.last))
        if keys and mine and mine[0].frame == 0 and len(keys) > 1 and keys[-1].frame == lo - 1 and ended_standing:
            # the last unit's closing key (back to its base) and this one's opening key, a frame apart,
            # would snap from one pose to the other: the handover is one transition, from its last move.
            # A posture's last key is where it arrives (lying down, sitting): that one stays. A ride's
            # last stroke key goes too: the rider steps off over one stroke, the vehicle stops at the key before.
            keys.pop()
            if ridden and ridden[-1][1] == lo - 1:
                ridden[-1] = (ridden[-1][0], keys[-1].frame)
        ended_standing = unit.posture in (None, "ride")
        keys += [k.model_copy(update={"frame": k.frame + lo}) for k in mine]
        x = mine[-1].pose.root_x if mine else x
    by_frame = {k.frame: k for k in keys}
    return [by_frame[f] for f in sorted(by_frame)]


@dataclass
class ActedShot:
    """A shot's acting: key poses sorted by frame, the prop marks used (frame x by prop id: those given
    and those Axis chose for a prop an action needs within reach) and each actor's target (frame x, y)."""

    keys: list[KeyPose]
    prop_x: dict[str, float] = field(default_factory=dict)
    targets: dict[str, tuple[float, float]] = field(default_factory=dict)
    holders: dict[str, str] = field(default_factory=dict)  # prop id -> the character whose action holds it
    riders: dict[str, str] = field(default_factory=dict)  # prop id -> the character riding it
    ride_frames: dict[str, tuple[int, int]] = field(default_factory=dict)  # prop id -> (first, last) frame ridden


RIDE_AHEAD = 0.4  # where Axis marks what a ride goes to, frame widths ahead of the rider


def _mount(act: CharacterAction, st: Stage, vehicles: Mapping[str, Vehicle], riders: dict[str, str],
           water: float | None) -> None:
    """The vehicle a ride rides: the prop named, else the shot's first ridable prop nobody rides yet;
    a boat rides on the set's water line where the set has water."""
    free = [p for p in vehicles if p not in riders or riders[p] == act.character]
    prop = act.target if act.target in free else (free[0] if free else None)
    if prop is not None:
        st.vehicle = vehicles[prop]
        riders.setdefault(prop, act.character)
        if st.vehicle.floats and water is not None:
            st.root_y = water


def _ride_toward(act: CharacterAction, st: Stage, stages: Mapping[str, Stage], prop_x: dict[str, float]) -> None:
    """Where a ride goes ("rides to the fence", "rows toward Mira"): the character's mark, or the prop's
    (Axis marks a prop nobody placed ahead of the rider, on the side with room); the rider faces it."""
    name = act.toward
    if name is None or st.vehicle is None:
        return
    if name in stages and name != act.character:
        st.destination = stages[name].x0 - (0.1 * stages[name].char_h / st.aspect) * (1 if stages[name].x0 > st.x0 else -1)
    elif name not in stages:
        if name not in prop_x:
            way = st.facing if 0.1 < st.x0 + st.facing * RIDE_AHEAD < 0.9 else -st.facing
            prop_x[name] = st.x0 + way * RIDE_AHEAD
        st.destination = prop_x[name]
    if st.destination is not None and abs(st.destination - st.x0) > 1e-3:
        st.facing = 1 if st.destination > st.x0 else -1


def perform_shot(shot: ShotPlan, rigs: Mapping[str, Rig], marks: Mapping[str, tuple[float, int]], ground: float,
                 scale: float, prop_x: dict[str, float] | None = None,
                 vehicles: Mapping[str, Vehicle] | None = None, water: float | None = None) -> ActedShot:
    """Every character of the shot acting its actions (or mocap) from its mark (x, facing); `vehicles` are
    the shot's ridable props by prop id (what a ride mounts), `water` the set's water line (a boat's)."""
    prop_x = dict(prop_x or {})
    total = max(1, shot.total_frames)
    aspect = shot.width / max(1, shot.height)
    seats = any(u.prop in SEATS for u in shot.props)
    stages: dict[str, Stage] = {}
    for i, (name, (x0, facing)) in enumerate(marks.items()):
        rng = np.random.default_rng([shot.seed, zlib.crc32(name.encode()), i])
        stages[name] = Stage(rig=rigs[name], x0=x0, facing=facing, root_y=ground, scale=scale, emotion=shot.emotion,
                             arousal=shot.arousal, valence=shot.valence, n_frames=total, fps=shot.fps, aspect=aspect,
                             seat=seats, seed=shot.seed + 1000 * i, rng=rng, view=view_width(shot))
    mine = [a for a in shot.actions if a.character in stages]
    chosen: dict[str, str] = {}
    for a in mine:
        chosen.setdefault(a.character, a.action)
    _place_pairs(mine, stages, chosen)
    shot_seats = [u.prop for u in shot.props if u.prop in SEATS]
    riders: dict[str, str] = {}
    for a in mine:
        if a.action == "ride":
            _mount(a, stages[a.character], vehicles or {}, riders, water)
            _ride_toward(a, stages[a.character], stages, prop_x)
        elif a.action in SITS and shot_seats:
            _seat_under(a, stages[a.character], shot_seats, prop_x)
        elif a.action not in pairs.PAIR_ACTIONS or a.target not in stages:
            _target_of(a, stages[a.character], stages, prop_x)
    _contacts(mine, stages, chosen)
    ride_frames: dict[str, tuple[int, int]] = {}
    keys: list[KeyPose] = []
    for i, (name, st) in enumerate(stages.items()):
        if name in shot.motion:
            keys += load_motion(shot.motion[name], st.rig, total, shot.fps, root_x=st.x0, root_y=ground, scale=scale,
                                facing=st.facing, aspect=aspect)
            continue
        acts = [a.action for a in mine if a.character == name] or ([chosen[name]] if name in chosen else [])
        if not acts:
            keys += gesture_keys(st.rig, 0, total, st.x0, st.facing, shot.emotion, shot.arousal, ground, scale, st.rng, 3 * i)
            continue
        spans: list[tuple[int, int]] = []
        keys += _sequence(st, acts, spans)
        for prop, rider in riders.items():
            if rider == name and spans:
                ride_frames[prop] = spans[0]
    order = list(stages)
    keys.sort(key=lambda k: (k.frame, order.index(k.character)))
    targets = {n: st.target for n, st in stages.items() if st.target is not None}
    holders = {}
    for a in mine:
        held = a.prop or (a.target if a.target_kind == "prop" and a.action in ("pick_up", "hold", "carry") else None)
        if a.action in HOLDS and held:
            holders.setdefault(held, a.character)
    return ActedShot(keys, prop_x, targets, holders, riders, ride_frames)  # type: ignore[arg-type]
