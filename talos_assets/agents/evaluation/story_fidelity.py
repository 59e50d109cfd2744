"""Echo's story fidelity: is each element the text names (from the scene graph) in what the shot rendered?

The story names a set, a time of day, a weather, props, effects, what each character does and who
speaks; Prism writes them into the shot's scene graph (`ShotPlan`). Each is checked here against the
evidence the shot's stages left behind, not against the plan itself:
  - set / time / weather: which setting the stored background plate was painted for is found by
    repainting the set (the planned setting, then the planned one with one field changed) and
    comparing pixels; that setting must hold the element, a night plate must be darker than the same
    set at noon, precipitation must leave Stokes' weather layer non-empty outdoors (a dry sky, none),
    and snow must brighten the ground outdoors;
  - a prop: Axis placed it, its in-between pose is on screen, and a held prop's grip stays on the
    holder's hand (`props.holding.grip_point` against `hand_point`);
  - an effect: Stokes' effect layers carry alpha near the effect's anchor track on the sampled frames;
  - an action: the key poses show it, by Axis's own pose checks (`key_animation.acting.checks`: a
    seat lowers the hips, a kneel grounds a knee...), else the pose at least changes;
  - a speaker: a voiced line of that character with audible samples and, on screen, a mouth that opens.
The score is the fraction of elements realised, so removing one element's evidence lowers it by
exactly that element's share. The evidence is plain arrays and records (`ShotEvidence`), so tests
build cases without a render; `story_fidelity_store.shot_fidelity_from_store` gathers it from a studio.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
from pydantic import BaseModel

from talos_assets.agents.evaluation.findings import EchoFinding, severity_below
from talos_assets.spec import KeyPose, Setting, ShotPlan, TimeOfDay, Weather

ElementKind = Literal["set", "time", "weather", "prop", "effect", "action", "speaker"]
PLATE_TOL = 0.01  # mean |linear RGB| difference between a plate and its repainting: 16-bit PNG round trips stay ~1e-5
NIGHT_DARKER = 0.7  # a night plate's mean luminance is under this fraction of the same set at noon
LAYER_COVER = 0.0005  # a layer "holds something" when alpha > 0.02 covers this fraction of the frame
ANCHOR_RADIUS = 0.15  # an effect is "at its anchor" with alpha within this fraction of the frame height
ANCHOR_ALPHA = 0.05
GRIP_TOL = 0.03  # a held prop's grip within this many frame heights of the hand's centre
AUDIBLE_RMS = 1e-3  # about -60 dBFS: a voiced line above this is not silence
MOUTH_OPENS = 0.2  # an on-screen speaker's mouth opens at least this far (0 closed .. 1 open) once
PRECIPITATION = ("rain", "storm", "snow", "wind")  # weathers Stokes draws as a moving layer
LUMA = np.array([0.2126, 0.7152, 0.0722], np.float32)


class StoryElement(BaseModel):
    """One element the story names: its kind, the value named, and whose it is (an action's actor,
    a prop's holder)."""

    kind: ElementKind
    value: str
    character: str | None = None

    @property
    def name(self) -> str:
        """'set:beach', 'time:night', 'prop:lantern', 'effect:smoke@r_wrist', 'action:talos sit', 'speaker:mira'."""
        return f"{self.kind}:{self.character} {self.value}" if self.kind == "action" else f"{self.kind}:{self.value}"


class ElementCheck(BaseModel):
    """One element checked against the render: named, what was expected, whether it was found and on what evidence."""

    element: str
    kind: ElementKind
    expected: str
    found: bool
    evidence: str


@dataclass
class PropEvidence:
    """A prop as the shot staged it: its placement and, from the in-between poses, where it was drawn."""

    key: str
    prop: str
    holder: str | None
    on_screen: bool  # its pose's root inside the frame (with a margin) on some frame
    grip_gap: float | None = None  # held: the largest grip-to-hand distance over the frames, frame heights


@dataclass
class VoiceEvidence:
    """A voiced line of the shot: who says it, how loud its audio is, how far the mouth opens."""

    speaker: str | None
    rms: float
    mouth_open: float  # the largest opening of its mouth track (0 when it has none)
    off_screen: bool = False


@dataclass
class ShotEvidence:
    """What one shot rendered, as arrays and records. Alpha lists run over `sample_frames`; each
    effect track is (n_frames, 2) frame fractions (x, y from the top), aligned with `shot.effects`."""

    plate: np.ndarray | None = None  # (H, W, 3|4) linear
    sample_frames: list[int] = field(default_factory=list)
    effect_alpha: list[np.ndarray] = field(default_factory=list)  # front and behind passes merged (max)
    weather_alpha: list[np.ndarray] = field(default_factory=list)
    effect_tracks: list[np.ndarray] = field(default_factory=list)
    props: list[PropEvidence] = field(default_factory=list)
    keys: list[KeyPose] = field(default_factory=list)
    rigs: dict = field(default_factory=dict)  # character -> key_animation Rig
    voices: list[VoiceEvidence] = field(default_factory=list)
    interior: bool = False


PlatePainter = Callable[[Setting], np.ndarray]  # the set painted for a setting at the shot's size


def story_elements(shot: ShotPlan) -> list[StoryElement]:
    """Every element the shot's scene graph names: set, time, weather, props, effects, actions, speakers."""
    from talos_assets.agents.sets import shot_setting

    setting = shot_setting(shot.background, shot.setting)  # plans from before the set library name a legacy plate
    out = [StoryElement(kind="set", value=setting.place),
           StoryElement(kind="time", value=setting.time_of_day.value),
           StoryElement(kind="weather", value=setting.weather.value)]
    out += [StoryElement(kind="prop", value=p.prop, character=p.holder) for p in shot.props]
    out += [StoryElement(kind="effect", value=f"{e.kind.value}@{e.anchor}" if e.anchor else e.kind.value,
                         character=e.character) for e in shot.effects]
    out += [StoryElement(kind="action", value=a.action, character=a.character) for a in shot.actions]
    if shot.beat == "dialogue":
        speakers = shot.speakers or ([shot.speaker] if shot.speaker else [])
        out += [StoryElement(kind="speaker", value=s) for s in dict.fromkeys(speakers)]
    return out


# ---- pixels: the plate, the layers -----------------------------------------------------------


def luminance(rgb: np.ndarray) -> float:
    """Mean relative luminance (BT.709) of linear RGB pixels."""
    return float(np.mean(np.asarray(rgb, np.float32)[..., :3] @ LUMA))


def plate_difference(plate: np.ndarray, reference: np.ndarray) -> float:
    """Mean absolute linear-RGB difference of two plates (inf when their sizes differ)."""
    if plate.shape[:2] != reference.shape[:2]:
        return float("inf")
    return float(np.mean(np.abs(plate[..., :3].astype(np.float32) - reference[..., :3].astype(np.float32))))


def layer_cover(alphas: Sequence[np.ndarray]) -> float:
    """Mean fraction of the frame a layer covers (alpha > 0.02) over the sampled frames."""
    return float(np.mean([np.mean(a > 0.02) for a in alphas])) if alphas else 0.0


def alpha_near(alpha: np.ndarray, point: Sequence[float], radius: float = ANCHOR_RADIUS) -> float:
    """The largest alpha within `radius` frame heights of a point given in frame fractions."""
    h, w = alpha.shape[:2]
    ys, xs = np.ogrid[:h, :w]
    cx, cy = float(point[0]) * w, float(point[1]) * h
    disc = (xs - cx) ** 2 + (ys - cy) ** 2 <= (radius * h) ** 2
    return float(alpha[disc].max()) if disc.any() else 0.0


# ---- one check per kind ----------------------------------------------------------------------


def _check(element: StoryElement, found: bool, evidence: str) -> ElementCheck:
    return ElementCheck(element=element.name, kind=element.kind, expected=element.value, found=bool(found), evidence=evidence)


def _with(base: Setting, **changes: str) -> Setting:
    """The setting with some fields changed, validated (an unknown time or weather is a ValueError)."""
    return Setting.model_validate(base.model_dump() | changes)


def rendered_setting(plate: np.ndarray, base: Setting, paint: PlatePainter,
                     places: Sequence[str] = ()) -> tuple[Setting | None, float]:
    """The setting the plate was painted for: the planned one, else the planned one with one field
    changed (any time of day, any weather, or one of `places`), whichever the plate matches within
    PLATE_TOL; (None, smallest difference) when it matches none. The plan is tried first, so where
    two settings paint the same pixels the planned one stands."""
    candidates = [base] + [_with(base, time_of_day=t.value) for t in TimeOfDay if t != base.time_of_day]
    candidates += [_with(base, weather=w.value) for w in Weather if w != base.weather]
    candidates += [_with(base, place=p) for p in dict.fromkeys(places) if p != base.place]
    best = float("inf")
    for setting in candidates:
        try:
            diff = plate_difference(plate, paint(setting))
        except ValueError:  # a place that is no set of the library: it cannot be what was painted
            continue
        if diff <= PLATE_TOL:
            return setting, diff
        best = min(best, diff)
    return None, best


def check_plate_element(element: StoryElement, ev: ShotEvidence, rendered: Setting | None, diff: float,
                        paint: PlatePainter) -> ElementCheck:
    """Set, time or weather: the setting the stored plate was painted for has that value, plus the
    physical signs a viewer reads: night is dark, precipitation falls, snow lies on the ground."""
    if ev.plate is None:
        return _check(element, False, "no background plate was stored")
    if rendered is None:
        return _check(element, False, f"the plate matches no painting of the planned set (closest differs by {diff:.4f})")
    field_name = {"set": "place", "time": "time_of_day", "weather": "weather"}[element.kind]
    shown = getattr(rendered, field_name)
    shown = getattr(shown, "value", shown)
    found, notes = shown == element.value, [f"the plate shows {shown}"]
    if element.kind == "time" and element.value == "night":
        dark, noon = luminance(ev.plate), luminance(paint(_with(rendered, time_of_day="noon")))
        found &= dark < NIGHT_DARKER * noon
        notes.append(f"luminance {dark:.3f} vs {noon:.3f} at noon")
    if element.kind == "weather" and not ev.interior:
        cover = layer_cover(ev.weather_alpha)
        falls = element.value in PRECIPITATION
        found &= cover > LAYER_COVER if falls else cover <= LAYER_COVER
        notes.append(f"weather layer covers {cover:.4f}")
        if element.value == "snow":
            ground = ev.plate.shape[0] * 2 // 3
            clear = paint(_with(rendered, weather="clear"))
            brighter = luminance(ev.plate[ground:]) > luminance(clear[ground:])
            found &= brighter
            notes.append("ground brighter than clear" if brighter else "ground not brighter than clear")
    return _check(element, found, "; ".join(notes))


def check_prop(element: StoryElement, ev: ShotEvidence) -> ElementCheck:
    """A prop: placed by Axis, on screen, and (held) its grip on the holder's hand every frame."""
    placed = [p for p in ev.props if p.prop == element.value.split("@")[0]]
    if not placed:
        return _check(element, False, f"not placed (placed: {', '.join(p.prop for p in ev.props) or 'none'})")
    p = next((q for q in placed if element.character and q.holder == element.character), placed[0])
    found, notes = p.on_screen, ["on screen" if p.on_screen else "off screen on every frame"]
    if p.holder and p.grip_gap is not None:
        found &= p.grip_gap <= GRIP_TOL
        notes.append(f"held by {p.holder}, grip {p.grip_gap:.3f} frame heights from the hand (limit {GRIP_TOL})")
    return _check(element, found, "; ".join(notes))


def check_effect(element: StoryElement, ev: ShotEvidence, shot: ShotPlan) -> ElementCheck:
    """An effect: the plan's effect of that kind (its anchor preferred) drawn with alpha near its anchor."""
    kind, _, anchor = element.value.partition("@")
    matches = [i for i, e in enumerate(shot.effects) if e.kind.value == kind]
    if not matches:
        return _check(element, False, f"no {kind} effect in the shot's plan")
    i = next((j for j in matches if anchor and shot.effects[j].anchor == anchor), matches[0])
    cover = layer_cover(ev.effect_alpha)
    if cover <= LAYER_COVER:
        return _check(element, False, f"effect layers empty (cover {cover:.4f})")
    if i >= len(ev.effect_tracks):
        return _check(element, True, f"effect layers cover {cover:.4f}; no anchor track to place it")
    track = ev.effect_tracks[i]
    near = [alpha_near(a, track[min(f, len(track) - 1)]) > ANCHOR_ALPHA for f, a in zip(ev.sample_frames, ev.effect_alpha)]
    return _check(element, any(near),
                  f"effect layers cover {cover:.4f}; alpha at its anchor on {sum(near)} of {len(near)} sampled frames")


def check_action(element: StoryElement, ev: ShotEvidence) -> ElementCheck:
    """An action: the actor's key poses pass Axis's own check of it (hips low for a seat...), or move."""
    from talos_assets.agents.key_animation.acting.checks import check_action as pose_checks, check_pair

    who = element.character or ""
    keys = [k for k in ev.keys if k.character == who]
    rig = ev.rigs.get(who)
    if not keys or rig is None:
        return _check(element, False, f"{who} has no key poses")
    checks = pose_checks(rig, element.value, keys)
    own = [c for c in checks if c.name not in ("joint limits", "on the ground", "pose changes")]
    for other in sorted({k.character for k in ev.keys} - {who}):  # a two-hander: contact with the partner
        if element.value in ("hug", "shake_hands") and other in ev.rigs:
            own += check_pair(element.value, rig, keys, ev.rigs[other], [k for k in ev.keys if k.character == other])
            break
    if not own:
        own = [c for c in checks if c.name == "pose changes"] if element.value != "stand" else []
    found = all(c.passed for c in own)
    evidence = "; ".join(f"{c.name}: {c.value} (bound {c.bound}){'' if c.passed else ' FAILED'}" for c in own)
    return _check(element, found, evidence or f"{len(keys)} key poses")


def check_speaker(element: StoryElement, ev: ShotEvidence) -> ElementCheck:
    """A speaker: a voiced line of theirs that is audible and, on screen, a mouth that opens."""
    lines = [v for v in ev.voices if v.speaker == element.value]
    if not lines:
        said = ", ".join(v.speaker or "-" for v in ev.voices) or "nobody"
        return _check(element, False, f"no voiced line (voiced: {said})")
    best = max(lines, key=lambda v: v.rms)
    found = best.rms > AUDIBLE_RMS and (best.off_screen or best.mouth_open >= MOUTH_OPENS)
    return _check(element, found, f"line rms {best.rms:.4f} (limit {AUDIBLE_RMS}), mouth opens {best.mouth_open:.2f}"
                                  f"{' (off screen)' if best.off_screen else ''}")


def story_fidelity(shot: ShotPlan, evidence: ShotEvidence, paint: PlatePainter,
                   elements: Sequence[StoryElement] | None = None) -> list[ElementCheck]:
    """Each element (default: every element the shot's scene graph names) checked against the evidence."""
    from talos_assets.agents.sets import shot_setting

    elements = story_elements(shot) if elements is None else list(elements)
    rendered, diff = None, float("inf")
    if evidence.plate is not None and any(e.kind in ("set", "time", "weather") for e in elements):
        places = [e.value for e in elements if e.kind == "set"]
        rendered, diff = rendered_setting(evidence.plate, shot_setting(shot.background, shot.setting), paint, places)
    out: list[ElementCheck] = []
    for element in elements:
        if element.kind in ("set", "time", "weather"):
            out.append(check_plate_element(element, evidence, rendered, diff, paint))
        elif element.kind == "prop":
            out.append(check_prop(element, evidence))
        elif element.kind == "effect":
            out.append(check_effect(element, evidence, shot))
        elif element.kind == "action":
            out.append(check_action(element, evidence))
        else:
            out.append(check_speaker(element, evidence))
    return out


def fidelity_score(checks: Sequence[ElementCheck]) -> tuple[float, list[str]]:
    """(fraction of elements realised, the names of those that were not); 1.0 for a shot naming nothing."""
    failed = [c.element for c in checks if not c.found]
    return (1.0 - len(failed) / len(checks) if checks else 1.0), failed


def story_fidelity_finding(checks: Sequence[ElementCheck], warn: float = 1.0, error: float = 0.75) -> EchoFinding:
    """The checks as Echo's finding: the fraction realised against `warn` (any element missing warns),
    an error at or under `error`; the characters of failed actions and speakers named."""
    score, failed = fidelity_score(checks)
    severity = severity_below(score, warn, error)
    who = sorted({c.element.split(":", 1)[1].split(" ")[0] for c in checks
                  if not c.found and c.kind in ("action", "speaker")})
    detail = (f"{len(checks) - len(failed)} of {len(checks)} story elements realised"
              + (f"; missing {', '.join(failed)}" if failed else ""))
    return EchoFinding(check="story_fidelity", value=round(score, 4), limit=warn, unit="fraction", severity=severity,
                       characters=who, detail=detail)
