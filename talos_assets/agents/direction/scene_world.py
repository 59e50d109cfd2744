"""Prism's world of each shot: a Setting per shot with scene continuity, and the shot's props and effects.

Every beat's line is read once (`world.read_line`). A scene starts from its heading (or a shot's
`location`) and otherwise from the first place its lines name; time, weather and season carry on
from the scene before. Within a scene the set stays unless a line moves the action ("walks into the
forest"), and a time or weather a line states holds for that shot and the later ones. Dialogue
speaks of the world but does not change it. Whatever an explicit shot states (place, time_of_day,
weather, season, props, effects) wins over the text and holds for the later shots of its scene.
"""

from __future__ import annotations

from dataclasses import dataclass

from talos_assets.agents.direction.beats import Beat, Scene
from talos_assets.agents.direction.effects_text import EffectReading, effect_strength
from talos_assets.agents.direction.vocabulary import VocabularyIndex, check_explicit_ids
from talos_assets.agents.direction.world import LineWorld, SettingReading, read_heading
from talos_assets.agents.direction.world_reading import read_line
from talos_assets.spec import SET_ANCHORS, EffectSpec, PropUse, Setting, ShotInput

_LIGHT_PROPS = {"lamp", "candle", "lantern", "torch"}


def world_names(beats: list[Beat], cast: list[str], story_cast: dict[str, str]) -> dict[str, str]:
    """Lowercase names a line may use -> character (rig) names: rigs, the story's cast, speakers."""
    names = {c.lower(): c for c in cast}
    names.update({k.strip().lower(): v for k, v in story_cast.items()})
    for b in beats:
        if b.name and b.speaker:
            names[b.name.lower()] = b.speaker
        for c in b.characters:
            names.setdefault(c.lower(), c)
    return names


def read_beats(beats: list[Beat], index: VocabularyIndex, names: dict[str, str]) -> list[LineWorld]:
    """Each beat's line read once; dialogue states nothing about the world it is spoken in."""
    return [LineWorld(SettingReading()) if b.kind == "dialogue" else read_line(b.text, index, names) for b in beats]


def _explicit_ids(shot: ShotInput) -> list[str]:
    return [p if isinstance(p, str) else p.prop for p in shot.props]


def known_world_ids(shots: list[ShotInput], index: VocabularyIndex) -> list[ShotInput]:
    """An LLM director's shots with the set and prop ids the studio lacks left out (a model's guess
    is not the user's word: the text decides instead of the film failing)."""
    out = []
    for shot in shots:
        update: dict = {}
        if shot.place is not None and shot.place not in index.vocab.places:
            update["place"] = None
        props = [p for p in shot.props if (p if isinstance(p, str) else p.prop) in index.vocab.props]
        if len(props) != len(shot.props):
            update["props"] = props
        out.append(shot.model_copy(update=update) if update else shot)
    return out


@dataclass
class _Running:
    """The world as the scene has it so far."""

    setting: Setting
    source: str = "default"  # where the place came from: default, carried, heading, fallback, text, explicit


def _scene_start(scene: Scene, first_place: str | None, prev: Setting, index: VocabularyIndex) -> _Running:
    """A scene's opening world: its heading, else the first place its lines name, else the last scene's."""
    s = prev.model_copy(update={"light_sources": []})
    source = "carried"
    h = read_heading(scene.heading, index) if scene.heading else SettingReading()
    if h.place is not None:
        s.place, source = h.place, h.place_from
    if first_place is not None and source in ("carried", "fallback"):
        s.place, source = first_place, "text"
    s.time_of_day = h.time_of_day or s.time_of_day
    s.weather = h.weather or s.weather
    s.interior = h.interior if h.interior is not None else s.place in index.interiors
    return _Running(s, source)


def _apply_line(run: _Running, r: SettingReading, index: VocabularyIndex, shot: bool = False) -> None:
    s = run.setting
    # a shot the story lists names where it happens ("Mira rows the boat across the lake") unless its
    # scene heading set the place; a line of prose within a scene moves the set only when the action
    # goes there ("she runs into the forest")
    where = 2 if shot and run.source not in ("heading", "explicit") else 3
    if r.place is not None and r.place != s.place and r.place_strength >= where:
        s.place, run.source = r.place, "text"  # the action moves: "she runs into the forest"
        s.interior = s.place in index.interiors
    elif r.place is not None and r.place_from in ("heading", "fallback"):
        s.place, run.source = r.place, r.place_from  # "EXT. ROOFTOP - NIGHT. Rain pours...": a new set
        s.interior = r.interior if r.interior is not None else s.place in index.interiors
    s.time_of_day = r.time_of_day or s.time_of_day
    s.weather = r.weather or s.weather
    s.season = r.season or s.season
    s.light_sources = list(dict.fromkeys(s.light_sources + r.light_sources))[:8]


def _apply_explicit(run: _Running, shot: ShotInput, index: VocabularyIndex) -> None:
    check_explicit_ids(shot.id, shot.place, _explicit_ids(shot), index)
    s = run.setting
    if shot.place is not None:
        s.place, run.source, s.interior = shot.place, "explicit", shot.place in index.interiors
    s.time_of_day = shot.time_of_day or s.time_of_day
    s.weather = shot.weather or s.weather
    s.season = shot.season or s.season
    lights = [p for p in _explicit_ids(shot) if p in _LIGHT_PROPS]
    s.light_sources = list(dict.fromkeys(s.light_sources + lights))[:8]


def plan_settings(beats: list[Beat], scenes: list[Scene], lines: list[LineWorld],
                  index: VocabularyIndex) -> list[Setting]:
    """One Setting per beat, with continuity within and across scenes (default: hills, dusk, clear)."""
    out: list[Setting] = []
    prev = Setting()
    run: _Running | None = None
    for k, (beat, line) in enumerate(zip(beats, lines)):
        if k == 0 or beat.scene != beats[k - 1].scene:
            in_scene = [ln.setting for b, ln in zip(beats, lines) if b.scene == beat.scene and ln.setting.place]
            # where the action is (strength >= 1) first; else a place only mentioned ("the walls of the
            # great hall") rather than the default hills
            first = next((st.place for st in in_scene if st.place_strength >= 1), None) or next(
                (st.place for st in in_scene), None)
            run = _scene_start(scenes[beat.scene], first, prev, index)
        _apply_line(run, line.setting, index, shot=beat.shot is not None)
        if beat.shot is not None:
            _apply_explicit(run, beat.shot, index)
        out.append(run.setting.model_copy(deep=True))
        prev = run.setting
    return out


# props that only stand outdoors: a line inside naming one ("far below, a ship turns") looks out of the room
OUTDOOR_PROPS = frozenset({"ship", "boat", "car", "house", "tree", "moon", "kite", "bicycle", "fence"})


def shot_props(beat: Beat, line: LineWorld, chars: list[str], subject: str | None) -> list[PropUse]:
    """The shot's props: an explicit list wins; else the line's, held by the character it names (or
    its subject for a pronoun) when that character is in the shot."""
    if beat.shot is not None and "props" in beat.shot.model_fields_set:
        return [PropUse(prop=p) if isinstance(p, str) else p for p in beat.shot.props]
    out = []
    for p in line.props:
        holder = (p.holder or subject) if p.held else None
        owner = (p.owner or subject) if p.owned else None
        out.append(PropUse(prop=p.prop, holder=holder if holder in chars else None,
                           owner=owner if owner in chars and holder is None else None,
                           moves=p.moves if holder is None else None))
    return out


def _effect_spec(e: EffectReading, chars: list[str], subject: str | None, arousal: float) -> EffectSpec:
    who = e.character or subject or (chars[0] if chars else None)
    if who is not None and who not in chars:
        who = chars[0] if chars else None
    joint = e.anchor is not None and e.anchor not in SET_ANCHORS and not e.anchor.startswith("prop:")
    anchor = e.anchor if (not joint or who is not None) else None
    return EffectSpec(kind=e.kind, anchor=anchor, strength=effect_strength(e.strength, arousal),
                      character=who if (joint or e.behind) else None, behind=e.behind, over=e.over and anchor is not None)


def shot_effects(beat: Beat, line: LineWorld, chars: list[str], subject: str | None,
                 arousal: float) -> list[EffectSpec]:
    """The shot's effects: an explicit `effects:` list replaces what the text names."""
    if beat.shot is not None and "effects" in beat.shot.model_fields_set:
        return list(beat.shot.effects)
    return [_effect_spec(e, chars, subject, arousal) for e in line.effects]


def insert_prop(beat: Beat, line: LineWorld, has_people: bool) -> str | None:
    """The prop an insert shot shows: a line about a named prop with no person in it."""
    if has_people or not line.props or (beat.shot is not None and beat.shot.shot_size is not None):
        return None
    if beat.shot is not None and "props" in beat.shot.model_fields_set:
        return _explicit_ids(beat.shot)[0] if beat.shot.props else None  # the user's props are the shot's
    return line.props[0].prop


class HeldProps:
    """Props stay in the hand that took them for the rest of the scene: a character who raised the
    lantern in one shot still holds it in the next shots they are in, until a line puts it down
    (names the prop without a holder) or the scene ends."""

    def __init__(self) -> None:
        self.scene = -1
        self.held: dict[str, PropUse] = {}  # prop id -> its use, holder set

    def carry(self, scene: int, props: list[PropUse], chars: list[str], explicit: bool) -> list[PropUse]:
        """The shot's props with the props its characters still hold added."""
        if scene != self.scene:
            self.scene, self.held = scene, {}
        for p in props:
            self.held.pop(p.prop, None)  # named again: in the hand it names now, or put down
            if p.holder is not None:
                mine = [k for k, q in self.held.items() if q.holder == p.holder]
                for k in mine[:-1]:  # two hands: the oldest prop is put down
                    del self.held[k]
                hand = "left" if mine and self.held[mine[-1]].hand == "right" else "right"
                self.held[p.prop] = p if explicit else p.model_copy(update={"hand": hand})
        if explicit:
            return props
        now = {p.prop: self.held.get(p.prop, p) for p in props}
        return list(now.values()) + [p for k, p in self.held.items() if k not in now and p.holder in chars]


    def receive(self, props: list[PropUse]) -> None:
        """After a hand-over the receiver holds the prop in the scene's later shots."""
        for p in props:
            if p.given_to is not None and p.prop in self.held:
                self.held[p.prop] = p.model_copy(update={"holder": p.given_to, "hand": "right", "given_to": None})


def anchor_props(props: list[PropUse], effects: list[EffectSpec], may_add: bool) -> tuple[list[PropUse], list[EffectSpec]]:
    """An effect rising from a prop needs the prop in the shot: add it (standing in the set), or,
    where the shot may show no other prop (an insert of something else), let the effect rise freely."""
    have = {p.prop for p in props}
    out = []
    for e in effects:
        prop = e.anchor[5:] if e.anchor and e.anchor.startswith("prop:") else None
        if prop is not None and prop not in have:
            if may_add:
                props, have = props + [PropUse(prop=prop)], have | {prop}
            else:
                e = e.model_copy(update={"anchor": None})
        out.append(e)
    return props, out
