"""Axis acting bench: every one of the 47 story actions on every built-in rig, and its pose checks.

Each action is acted through the same path a film takes (`key_animation.plan_acting` on a ShotPlan
whose `actions` name it): a contact action (hug, shake hands, give, dance, push, fight, ...) with a
partner on stage, an aimed one at a partner, a prop or the sky. The pose checks of
`key_animation.acting.checks` are measured on the key poses (joint limits, feet on the ground, the
pose changes, and the action's own: hips low for a seat, a knee on the ground, the root lifted, the
body lying, the head up, the hand on its target, hands on the partner's back, right hands together).
A second table acts a posture with an upper-body action (sit + gaze up, kneel + pray, lie down +
sleep, ...) and checks that the posture is held on every key once reached while the gesture plays.
Prints a table (action x rig) and writes bench/results/acting.json; `--sheet` also draws a contact
sheet of each action's extreme key (160x90 tiles) to docs/images/actions_sheet.png; `--lines` acts
the held-out part of Prism's labelled lines (talos_assets/data/action_eval.yaml, read by Prism's
verb reader) and reports the share whose poses pass their checks.

    .venv/bin/python bench/acting.py [--sheet] [--lines]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import cv2
import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from talos_assets.agents import key_animation as ka  # noqa: E402
from talos_assets.agents.key_animation.acting import check_action, check_held, check_pair  # noqa: E402
from talos_assets.agents.key_animation.acting.checks import Check  # noqa: E402
from talos_assets.agents.key_animation.acting.layers import units  # noqa: E402
from talos_assets.spec import ACTIONS, CameraMove, CharacterAction, Emotion, Palette, PropUse, ShotPlan, ShotSize  # noqa: E402

RIGS = ("talos", "mira", "pip")
AT_PARTNER = ("look_at", "point", "throw", "strike", "push", "pull", "fight", "kick", "hug", "shake_hands", "give", "dance")
AT_PROP = {"reach": "ball", "pick_up": "basket", "hammer": "anvil", "ride": "bicycle"}
VEHICLES = ("bicycle", "boat", "car", "horse")  # every ridable prop of the library, each ridden by every rig
PAIR_CHECKED = ("hug", "shake_hands", "give")
# A posture with an upper-body action on it, as the story lines say them ("They sit and gaze at the
# stars", "Mira kneels and prays", "Talos sits and laughs", "Pip lies down and sleeps", "Mira sits and
# waves at Talos", "Talos stands and looks at Mira"), each also on a chair; the target "partner" is the other rig.
HELD = (("sit", "gaze_up", "sky"), ("kneel", "pray", None), ("sit", "laugh", None), ("lie_down", "sleep", None),
        ("sit", "wave", "partner"), ("stand", "look_at", "partner"), ("sit_down", "gaze_up", "sky"), ("kneel", "point", "partner"))
RESULTS = REPO / "bench" / "results" / "acting.json"
SHEET = REPO / "docs" / "images" / "actions_sheet.png"


def shot_for(action: str, rig: str, emotion: Emotion = Emotion.calm, arousal: float = 0.0,
             vehicle: str | None = None) -> ShotPlan:
    partner = "mira" if rig != "mira" else "talos"
    chars = [rig, partner] if action in AT_PARTNER else [rig]
    target, kind = None, None
    if action in AT_PARTNER:
        target, kind = partner, "character"
    elif action in AT_PROP:
        target, kind = vehicle or AT_PROP[action], "prop"
    elif action == "gaze_up":
        target, kind = "sky", "place"
    props = [PropUse(prop="chair")] if action in ("sit", "sit_down", "stand_up") else []
    if action == "ride":
        props = [PropUse(prop=target)]
    return ShotPlan(
        film_id="bench", shot_id="acting", slot="s001", index=0, description=f"{rig} {action}", emotion=emotion,
        valence=0.0, arousal=arousal, shot_size=ShotSize.medium, camera=CameraMove.static, duration=4.0, frames=96,
        handle_frames=0, fps=24, width=320, height=180, characters=chars, effects=[],
        palette=Palette.from_hex_list("bench", ["#101010", "#e0b090"]), seed=3, props=props,
        actions=[CharacterAction(character=rig, action=action, target=target, target_kind=kind)],
    )


def run_one(action: str, rig_name: str, vehicle: str | None = None) -> tuple[dict, ShotPlan, ka.ActedShot]:
    from talos_assets.agents import props  # the prop library (same rank as Axis): what a ride rides

    shot = shot_for(action, rig_name, vehicle=vehicle)
    vehicles = props.shot_vehicles(shot)
    acted = ka.plan_acting(shot, vehicles=vehicles)
    rigs = {c: ka.load_rig(c) for c in shot.characters}
    mine = [k for k in acted.keys if k.character == rig_name]
    aspect = shot.width / shot.height
    ridden = vehicles.get(next((p for p, r in acted.riders.items() if r == rig_name), ""))
    checks = check_action(rigs[rig_name], action, mine, acted.targets.get(rig_name), aspect, vehicle=ridden)
    if action == "ride" and ridden is None:
        checks.append(Check("mounted a vehicle", False, 0.0, 1.0))
    if action in PAIR_CHECKED and len(shot.characters) == 2:
        other = shot.characters[1]
        theirs = [k for k in acted.keys if k.character == other]
        checks += check_pair(action, rigs[rig_name], mine, rigs[other], theirs, aspect)
    row = {"passed": bool(all(c.passed for c in checks)), "keys": len(mine),
           "checks": {c.name: {"passed": bool(c.passed), "value": float(c.value), "bound": float(c.bound)} for c in checks}}
    return row, shot, acted


def run_held(posture: str, upper: str, target: str | None, rig_name: str, seat: bool) -> dict:
    """A posture and an upper-body action of one character (on a chair when `seat`): the held-posture checks."""
    partner = "mira" if rig_name != "mira" else "talos"
    tgt = partner if target == "partner" else target
    kind = "character" if target == "partner" else "place" if target else None
    shot = shot_for("stand", rig_name).model_copy(update={
        "characters": [rig_name, partner] if target == "partner" else [rig_name],
        "props": [PropUse(prop="chair")] if seat else [],
        "actions": [CharacterAction(character=rig_name, action=posture),
                    CharacterAction(character=rig_name, action=upper, target=tgt, target_kind=kind)]})
    acted = ka.plan_acting(shot)
    mine = [k for k in acted.keys if k.character == rig_name]
    checks = check_held(ka.load_rig(rig_name), posture, [upper], mine, shot.total_frames)
    return {"passed": bool(all(c.passed for c in checks)), "keys": len(mine),
            "checks": {c.name: {"passed": bool(c.passed), "value": float(c.value), "bound": float(c.bound)} for c in checks}}


def held_report() -> dict:
    """The held-posture table: each combination x rig, on the floor and on a chair."""
    table: dict[str, dict[str, dict]] = {}
    for posture, upper, target in HELD:
        for seat in (False, True):
            name = f"{posture}+{upper}" + (" (chair)" if seat else "")
            table[name] = {rig: run_held(posture, upper, target, rig, seat) for rig in RIGS}
    width = max(len(n) for n in table)
    print(f"\n{'held posture':<{width}}  " + "  ".join(f"{r:<6}" for r in RIGS) + "  failing checks")
    for name, rows in table.items():
        fails = sorted({f"{r}:{n}={c['value']}" for r, row in rows.items() for n, c in row["checks"].items() if not c["passed"]})
        print(f"{name:<{width}}  " + "  ".join(f"{'pass' if rows[r]['passed'] else 'FAIL':<6}" for r in RIGS)
              + ("  " + ", ".join(fails) if fails else ""))
    n_pass = sum(row["passed"] for rows in table.values() for row in rows.values())
    n_all = sum(len(rows) for rows in table.values())
    print(f"{n_pass}/{n_all} held posture x rig cells pass every check")
    return {"passed": n_pass, "total": n_all, "combinations": table}


def extreme_frame(keys: list) -> int:
    """The key farthest from the first one (joint degrees plus root travel): the action's extreme."""
    first = keys[0].pose

    def change(p) -> float:
        j = sum(abs(p.joints[k] - first.joints.get(k, p.joints[k])) for k in p.joints)
        # Root travel is left out (a walk's extreme is a stride, not its end), but a jump's lift counts.
        return j + 400 * abs(p.root_y - first.root_y) + 1000 * abs(
            p.face.get(ka.TILT_KEY, 0.0) - first.face.get(ka.TILT_KEY, 0.0)) / 90

    seen = [k for k in keys if 0.1 < k.pose.root_x < 0.9] or keys  # a run's extreme while still in frame
    return max(seen, key=lambda k: change(k.pose)).frame


def tile(shot: ShotPlan, acted: ka.ActedShot, rig_name: str, label: str) -> np.ndarray:
    mine = [k for k in acted.keys if k.character == rig_name]
    f = extreme_frame(mine)
    rigs = {c: ka.load_rig(c) for c in shot.characters}
    from talos_assets.agents import inbetweening  # only the bench needs Flux (a later agent)

    poses = inbetweening.inbetween_poses(acted.keys, shot.total_frames, rigs)
    # The key drawing itself where a character has a key at f, else its inbetween.
    at_f = {k.character: k.pose for k in acted.keys if k.frame == f}
    scene = [(rigs[c], at_f.get(c, poses[c][f])) for c in poses]
    art = ka.draw_line_art(scene, 640, 360)
    img = np.repeat((255 * (1.0 - np.clip(art.line, 0, 1))).astype(np.uint8)[..., None], 3, axis=2)
    cv2.line(img, (0, int(0.84 * 360) + 1), (639, int(0.84 * 360) + 1), (200, 200, 200), 1)
    # Crop to the characters (16:9, with a margin) so each action reads at tile size.
    ys, xs = np.nonzero(art.line > 0.2)
    if len(xs):
        cx, cy = (xs.min() + xs.max()) / 2, (ys.min() + ys.max()) / 2
        h = max(ys.max() - ys.min(), (xs.max() - xs.min()) * 9 / 16) * 1.25 + 20
        h = min(h, 360.0)
        w = h * 16 / 9
        x0 = int(np.clip(cx - w / 2, 0, 640 - w))
        y0 = int(np.clip(cy - h / 2, 0, 360 - h))
        img = img[y0:y0 + int(h), x0:x0 + int(w)]
    img = cv2.resize(img, (160, 90), interpolation=cv2.INTER_AREA)
    cv2.putText(img, label, (3, 11), cv2.FONT_HERSHEY_SIMPLEX, 0.33, (20, 20, 200), 1, cv2.LINE_AA)
    cv2.rectangle(img, (0, 0), (159, 89), (180, 180, 180), 1)
    return img


def line_checks(item: dict) -> tuple[bool | None, list[str]]:
    """Prism reads a labelled line, Axis acts it; True when every action's pose passes its checks
    (None: nothing acted). Returns the failing checks as 'character action: check'."""
    from talos_assets.agents.direction.action_text import read_actions  # the bench reads lines like a film

    acts = [a for a in read_actions(item["text"], item["characters"], aliases=item.get("aliases"))
            if a.character in item["characters"]]
    cast = _cast(item["characters"])
    if not acts or cast is None:
        return None, []
    # The lines name other characters too (Ada, the king): each plays on a built-in rig.
    acts = [a.model_copy(update={"character": cast[a.character],
                                 "target": cast.get(a.target, a.target) if a.target else None}) for a in acts]
    item = {**item, "characters": [cast[c] for c in item["characters"]]}
    props = sorted({p for a in acts for p in (a.prop, a.target if a.target_kind == "prop" else None) if p})
    shot = shot_for("stand", item["characters"][0]).model_copy(update={
        "characters": list(dict.fromkeys(item["characters"])), "actions": acts,
        "props": [PropUse(prop=p) for p in props if p in ka_props()]})
    from talos_assets.agents import props  # the prop library (same rank as Axis): what a ride rides

    vehicles = props.shot_vehicles(shot)
    acted = ka.plan_acting(shot, vehicles=vehicles)
    rigs = {c: ka.load_rig(c) for c in shot.characters}
    aspect = shot.width / shot.height
    fails = []
    for a in acts:
        mine_all = [k for k in acted.keys if k.character == a.character]
        seq = [b for b in acts if b.character == a.character]
        i, n = seq.index(a), len(seq)
        lo, hi = round(i * shot.total_frames / n), round((i + 1) * shot.total_frames / n)
        mine = [k for k in mine_all if lo <= k.frame < hi] or mine_all
        unit, ulo, uhi = _unit_of(seq, i, shot.total_frames)
        if unit.posture is not None and unit.upper:
            # A posture carrying upper-body actions is judged as one held unit (the posture's checks).
            if a.action == unit.posture:
                part = [k for k in mine_all if ulo <= k.frame < uhi] or mine_all
                ridden = vehicles.get(next((p for p, r in acted.riders.items() if r == a.character), ""))
                fails += [f"{a.character} {a.action}+{'+'.join(unit.upper)}: {c.name}"
                          for c in check_held(rigs[a.character], unit.posture, unit.upper, part, uhi - ulo, vehicle=ridden)
                          if not c.passed]
            continue
        ridden = vehicles.get(next((p for p, r in acted.riders.items() if r == a.character), ""))
        checks = check_action(rigs[a.character], a.action, mine, acted.targets.get(a.character) if n == 1 else None, aspect,
                              vehicle=ridden)
        if a.action in PAIR_CHECKED and a.target in rigs and a.target != a.character and n == 1:
            theirs = [k for k in acted.keys if k.character == a.target]
            checks += check_pair(a.action, rigs[a.character], mine, rigs[a.target], theirs, aspect)
        fails += [f"{a.character} {a.action}: {c.name}" for c in checks if not c.passed]
    return not fails, fails


def _unit_of(seq: list, i: int, total: int) -> tuple:
    """The layering unit (`acting.layers.units`) holding the i-th action of a character, and its frames."""
    done = 0
    for unit in units([b.action for b in seq]):
        size = len(unit.actions)
        if done <= i < done + size:
            return unit, round(done * total / len(seq)), round((done + size) * total / len(seq))
        done += size
    raise IndexError(i)


def _cast(characters: list[str]) -> dict[str, str] | None:
    """Each of a line's characters on a built-in rig (its own when it has one); None if more than three."""
    names = list(dict.fromkeys(characters))
    free = [r for r in RIGS if r not in names]
    cast = {}
    for c in names:
        if c in RIGS:
            cast[c] = c
        elif free:
            cast[c] = free.pop(0)
        else:
            return None
    return cast


def ka_props() -> set[str]:
    from talos_assets.agents import props  # the prop library (same rank as Axis), for the line's props

    return set(props.available_props())


def rides_report() -> dict:
    """Every ridable prop ridden by every rig: the ride checks (feet on the pedals, hands on the bar, level)."""
    out: dict[str, dict] = {}
    for vehicle in VEHICLES:
        for rig in RIGS:
            row, _, _ = run_one("ride", rig, vehicle)
            out[f"{vehicle}/{rig}"] = row
            fails = [f"{n}={c['value']}" for n, c in row["checks"].items() if not c["passed"]]
            print(f"  ride {vehicle:<8} {rig:<6} {'pass' if row['passed'] else 'FAIL'}  {', '.join(fails)}")
    passed = sum(r["passed"] for r in out.values())
    print(f"rides: {passed}/{len(out)} vehicle x rig cells pass every check")
    return {"passed": passed, "total": len(out), "cells": out}


def lines_report() -> dict:
    """The labelled lines' held-out part (bench/action_extraction.py's split): the share whose poses pass."""
    sys.path.insert(0, str(REPO / "bench"))
    from action_extraction import load_eval, split_of

    held = [it for it in load_eval() if split_of(it["text"]) == "held-out"]
    results = [(it["text"], *line_checks(it)) for it in held]
    acted = [r for r in results if r[1] is not None]
    passed = sum(1 for r in acted if r[1])
    for text, ok, fails in acted:
        if not ok:
            print(f"  pose check fails: {text!r}: {'; '.join(fails)}")
    print(f"held-out lines: {len(held)}, acted: {len(acted)}, poses pass their checks: {passed}/{len(acted)}"
          f" ({passed / max(1, len(acted)):.0%})")
    return {"held_out_lines": len(held), "acted": len(acted), "passed": passed,
            "fraction": round(passed / max(1, len(acted)), 4)}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sheet", action="store_true", help="also draw docs/images/actions_sheet.png")
    ap.add_argument("--lines", action="store_true", help="also act the held-out labelled lines (Prism reads them)")
    args = ap.parse_args()
    t0 = time.time()
    table: dict[str, dict[str, dict]] = {}
    tiles = []
    for i, action in enumerate(ACTIONS):
        table[action] = {}
        for rig in RIGS:
            row, shot, acted = run_one(action, rig)
            table[action][rig] = row
            if args.sheet and rig == RIGS[i % len(RIGS)]:
                tiles.append(tile(shot, acted, rig, f"{action} ({rig})"))
    width = max(len(a) for a in ACTIONS)
    print(f"{'action':<{width}}  " + "  ".join(f"{r:<6}" for r in RIGS) + "  failing checks")
    for action, rows in table.items():
        fails = sorted({f"{r}:{n}={c['value']}" for r, row in rows.items() for n, c in row["checks"].items() if not c["passed"]})
        print(f"{action:<{width}}  " + "  ".join(f"{'pass' if rows[r]['passed'] else 'FAIL':<6}" for r in RIGS)
              + ("  " + ", ".join(fails) if fails else ""))
    n_pass = sum(row["passed"] for rows in table.values() for row in rows.values())
    n_all = sum(len(rows) for rows in table.values())
    print(f"{n_pass}/{n_all} action x rig cells pass every check ({time.time() - t0:.1f} s)")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    report = {"passed": n_pass, "total": n_all, "actions": table, "held_postures": held_report(), "rides": rides_report()}
    if args.lines:
        report["held_out_lines"] = lines_report()
    RESULTS.write_text(json.dumps(report, indent=1))
    if args.sheet:
        cols = 8
        rows_ = [tiles[i:i + cols] for i in range(0, len(tiles), cols)]
        blank = np.full_like(tiles[0], 255)
        sheet = np.vstack([np.hstack(r + [blank] * (cols - len(r))) for r in rows_])
        SHEET.parent.mkdir(parents=True, exist_ok=True)
        cv2.imwrite(str(SHEET), sheet)
        print(f"wrote {SHEET.relative_to(REPO)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
