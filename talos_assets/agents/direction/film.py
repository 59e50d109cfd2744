"""Prism's `direct_film`: a story -> FilmPlan (the scene graph and one ShotPlan per beat).

The steps: find what to direct from (explicit shots, a Fountain screenplay or prose); ask the
studio's LLM director when the caller passes one (its shot list replaces the text, and any failure
falls back to the embedded director with a warning kept in the plan); turn the source into beats
grouped in scenes and refuse more beats than a film holds before any beat is directed; give every
scene a cast in a stage order that carries across cuts; read each beat's world once (set, time of
day, weather, props, effects: `world.py`) and give every beat a Setting with scene continuity
(`scene_world.py`); then direct each beat: its affect (`affect.py`), who is in frame in stage order,
size/lens/camera/duration (`grammar.py`; a line about a prop with nobody in it is an insert), its
props and effects, id and description. Whatever an explicit shot states wins over the grammar.
Everything a later agent knows (the studio's rigs, the LLM endpoint, the set and prop words, the
voices' durations) comes in as arguments: no environment, no later agent.
"""

from __future__ import annotations

import hashlib
import re
import warnings
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from talos_assets.agents.direction.affect import Affect
from talos_assets.agents.direction.emotion_context import read_in_context
from talos_assets.agents.direction.beats import PERSON_RE, Beat, Scene, beats_from_prose, beats_from_shots
from talos_assets.agents.direction.craft import dialogue_description, talking, title_seconds
from talos_assets.agents.direction.fountain import looks_like_fountain
from talos_assets.agents.direction.hand_over import hand_overs
from talos_assets.agents.direction.held_postures import HeldPostures
from talos_assets.agents.direction.grammar import (
    camera_note,
    carry_stage_order,
    choose_camera,
    choose_lens,
    choose_shot_size,
    dialogue_duration,
    screen_sides,
    shot_duration,
)
from talos_assets.agents.direction.lexicon import EMOTION_DOMINANCE
from talos_assets.agents.direction.llm import request_shot_list
from talos_assets.agents.direction.scene_world import (
    OUTDOOR_PROPS,
    HeldProps,
    anchor_props,
    insert_prop,
    known_world_ids,
    plan_settings,
    read_beats,
    shot_effects,
    shot_props,
    world_names,
)
from talos_assets.agents.direction.shot_actions import shot_actions
from talos_assets.agents.direction.screenplay import beats_from_screenplay
from talos_assets.agents.direction.vocabulary import VocabularyIndex, vocabulary_index
from talos_assets.agents.direction.world import LineWorld, read_setting
from talos_assets.llm_config import LLMConfig
from talos_assets.spec import (
    EMOTION_VA,
    MAX_SHOTS,
    CameraMove,
    EffectSpec,
    Emotion,
    FilmPlan,
    Palette,
    PropUse,
    SceneInfo,
    Setting,
    ShotInput,
    ShotPlan,
    ShotSize,
    StorySpec,
    WorldVocabulary,
)
from talos_assets.story import StoryError, read_screenplay, resolve_screenplay


def slot_key(index: int) -> str:
    return f"s{index + 1:03d}"


def _seed(*parts: str) -> int:
    return int(hashlib.sha256("|".join(parts).encode()).hexdigest()[:8], 16)


def story_source(story: StorySpec, story_path: Path | None = None) -> tuple[str, str]:
    """(kind, text) of what Prism directs from: shots, fountain, or prose."""
    if story.shots:
        return "shots", ""
    if story.screenplay is not None:
        return "fountain", read_screenplay(resolve_screenplay(story, story_path))
    if story.script and looks_like_fountain(story.script):
        return "fountain", story.script
    return "prose", story.script or story.logline or ""


def _ask_llm(llm: LLMConfig, story: StorySpec, text: str, kind: str,
             cast: Sequence[str]) -> tuple[list[ShotInput] | None, str]:
    shots, note = request_shot_list(llm, story, text, kind, cast)
    if shots is None:
        warnings.warn(note, RuntimeWarning, stacklevel=3)  # at direct_film's caller
    return shots, note


def _beats(story: StorySpec, kind: str, text: str, llm_shots: list[ShotInput] | None,
           cast: Sequence[str], index: VocabularyIndex) -> tuple[list[Beat], list[Scene], list[str]]:
    """Beats, scenes and casting notes from the chosen source (prose scenes change with the place)."""
    if kind == "fountain":
        return beats_from_screenplay(text, story.cast, cast)
    if kind == "shots":
        beats, scenes = beats_from_shots(list(story.shots))
    elif kind == "llm":
        beats, scenes = beats_from_shots(known_world_ids(llm_shots or [], index))
    else:
        def place_of(sentence: str) -> str | None:
            reading = read_setting(sentence, index)
            return reading.place if reading.place_strength >= 1 else None

        beats, scenes = beats_from_prose(text, place_of, cast)
    return beats, scenes, []


def _cast_every_scene(scenes: list[Scene]) -> None:
    """A scene with nobody named still needs a figure for Axis to draw: the film's first character.
    Then characters who carry over into the next scene keep their left-to-right order there."""
    film_cast = [c for s in scenes for c in s.cast] or ["talos"]
    for sc in scenes:
        if not sc.cast:
            sc.cast = [film_cast[0]]
    carry_stage_order(scenes)


@dataclass
class _Coverage:
    """What directing remembers from beat to beat: the scenes already opened, the scenes whose
    dialogue has begun, how many shots each screenplay scene has numbered, and the world of each
    beat (its line read once, its setting with scene continuity)."""

    opened: set[int] = field(default_factory=set)
    in_dialogue: set[int] = field(default_factory=set)
    numbered: dict[int, int] = field(default_factory=dict)
    names: dict[str, str] = field(default_factory=dict)
    lines: list[LineWorld] = field(default_factory=list)
    settings: list[Setting] = field(default_factory=list)
    line_seconds: Callable[[str, str | None], float] | None = None
    held: HeldProps = field(default_factory=HeldProps)  # props in hand, carried from shot to shot
    postures: HeldPostures = field(default_factory=HeldPostures)  # sitting or lying, carried from shot to shot
    affects: list[Affect] = field(default_factory=list)  # each beat's affect read in its scene's context
    vocabulary: WorldVocabulary = field(default_factory=WorldVocabulary)


def _beat_text(beat: Beat) -> str:
    text = f"{beat.parenthetical} {beat.text}".strip() if beat.parenthetical else beat.text
    return " ".join([text] + [f"{d.parenthetical} {d.text}".strip() for d in beat.duet])


def _beat_affect(beat: Beat, affect: Affect) -> tuple[float, float, float, Emotion]:
    """(valence, arousal, dominance, emotion): an explicit emotion wins, a line with no affect (even in
    its scene's context) is calm."""
    valence, arousal, dominance, emotion = affect.valence, affect.arousal, affect.dominance, affect.emotion
    if beat.shot is not None and beat.shot.emotion is not None:
        emotion = beat.shot.emotion
        valence, arousal = EMOTION_VA[emotion]
        dominance = EMOTION_DOMINANCE[emotion]
    elif affect.neutral:
        valence, arousal = EMOTION_VA[Emotion.calm]
        emotion = Emotion.calm
    return valence, arousal, dominance, emotion


# "Talos sits alone": the establishing shot shows only who the line names, not the scene's whole cast
ALONE_RE = re.compile(r"\b(alone|by (?:him|her|them)sel(?:f|ves)|on (?:his|her|their) own|all by)\b", re.IGNORECASE)


def _in_frame(beat: Beat, sc: Scene, arousal: float, first_in_scene: bool,
              coverage: _Coverage) -> tuple[list[str], bool]:
    """Who is in the shot, listed in the scene's stage order (180-degree rule), and whether the line
    is about people at all (a line about a thing, with no name or personal pronoun, may be an insert).
    A title card frames nobody; an off-screen line frames who is there, never its speaker talking."""
    if beat.kind == "title":
        return [], False
    if beat.off_screen:
        chars = list(beat.characters) or [c for c in sc.cast if c != beat.speaker]
        return sorted(chars, key=lambda c: sc.cast.index(c) if c in sc.cast else len(sc.cast)), bool(chars)
    chars = list(beat.characters)
    if beat.duet:
        chars = list(dict.fromkeys(beat.speakers + chars))  # dual dialogue: one two-shot of both
    elif beat.kind == "dialogue" and beat.speaker and beat.shot is None:
        others = [c for c in sc.cast if c != beat.speaker]
        if others and beat.scene not in coverage.in_dialogue and arousal <= 0.35:
            chars = [beat.speaker] + others[:1]  # the first calm exchange: a two-shot sets the geography
        else:
            chars = [beat.speaker]
    has_people = bool(chars) or bool(PERSON_RE.search(beat.text))
    if not chars:
        chars = list(sc.cast)
    if first_in_scene and beat.kind != "shot" and not (beat.characters and ALONE_RE.search(beat.text)):
        chars = list(dict.fromkeys(chars + sc.cast))  # the establishing shot shows everyone present
    chars = sorted(dict.fromkeys(chars), key=lambda c: sc.cast.index(c) if c in sc.cast else len(sc.cast))
    return chars, has_people


def _framing(i: int, beat: Beat, emotion: Emotion, arousal: float, first_in_scene: bool,
             has_people: bool, insert: bool, line_seconds: float | None) -> tuple[ShotSize, float, CameraMove, float]:
    """(size, lens mm, camera move, duration s): the shot's own fields first, then the grammar; a
    line about a prop with nobody in it is an insert, and a voiced line lasts as long as its voice."""
    explicit = beat.shot
    if beat.kind == "title":
        return ShotSize.wide, choose_lens(ShotSize.wide, emotion), CameraMove.static, title_seconds(beat.text)
    if explicit is not None and explicit.shot_size is not None:
        size = explicit.shot_size
    elif insert and not first_in_scene:
        size = ShotSize.insert
    else:
        size = choose_shot_size(i, arousal, emotion, first_in_scene=first_in_scene, kind=beat.kind,
                                has_characters=has_people or beat.kind == "shot", words=len(beat.text.split()))
    if beat.duet and size == ShotSize.close_up:
        size = ShotSize.medium  # two people speaking at once: both in a medium two-shot
    if beat.off_screen and not has_people and size in (ShotSize.close_up, ShotSize.medium):
        size = ShotSize.wide  # a voice over an empty place: show the place
    lens = explicit.lens_mm if explicit is not None and explicit.lens_mm else choose_lens(size, emotion)
    camera = explicit.camera if explicit is not None and explicit.camera else choose_camera(size, emotion, arousal, beat.kind, i)
    if explicit is not None and explicit.duration:
        duration = explicit.duration
    elif beat.kind == "dialogue":
        duration = dialogue_duration(" ".join([beat.text] + [d.text for d in beat.duet]), arousal)
        if line_seconds is not None:
            duration = max(duration, round(line_seconds + 0.3, 2))
    else:
        duration = shot_duration(arousal) + (1.0 if size == ShotSize.establishing and i > 0 else 0.0)
    return size, lens, camera, duration


def _people_in_line(beat: Beat, has_people: bool, names: dict[str, str]) -> bool:
    """Whether the line is about people: an explicit shot's default cast does not count, its text does."""
    if beat.shot is None or "characters" in beat.shot.model_fields_set:
        return has_people
    words = set(re.findall(r"[a-z]+", beat.text.lower()))
    return bool(PERSON_RE.search(beat.text)) or bool(words & set(names))


def _shot_world(beat: Beat, line: LineWorld, chars: list[str], subject: str | None, arousal: float,
                insert_of: str | None, coverage: _Coverage) -> tuple[list[PropUse], list[EffectSpec]]:
    """The shot's props (held ones carried from earlier shots; an insert shows its one prop) and
    effects (an effect rising from a prop brings that prop into the shot)."""
    props = shot_props(beat, line, chars, subject)
    explicit_props = beat.shot is not None and "props" in beat.shot.model_fields_set
    props = coverage.held.carry(beat.scene, props, chars, explicit_props)
    if insert_of is not None:
        props = [p for p in props if p.prop == insert_of][:1]
    may_add = insert_of is None and not explicit_props  # an explicit list is the user's word
    return anchor_props(props, shot_effects(beat, line, chars, subject, arousal), may_add)


def _shot_id(beat: Beat, i: int, kind: str, coverage: _Coverage) -> str:
    if beat.shot is not None:
        return beat.shot.id
    if kind == "fountain":
        coverage.numbered[beat.scene] = coverage.numbered.get(beat.scene, 0) + 1
        return f"sc{beat.scene + 1:02d}-{coverage.numbered[beat.scene]:02d}"
    return f"shot-{i + 1:02d}"


def _description(beat: Beat) -> str:
    if beat.kind == "dialogue" and beat.shot is None:
        return dialogue_description(beat)
    return beat.text


def _direct_beat(story: StorySpec, palette: Palette, handle_seconds: float, kind: str, i: int, beat: Beat,
                 scenes: list[Scene], coverage: _Coverage) -> ShotPlan:
    """One beat -> its ShotPlan."""
    sc = scenes[beat.scene]
    valence, arousal, dominance, emotion = _beat_affect(beat, coverage.affects[i])
    first_in_scene = beat.scene not in coverage.opened and beat.kind != "title"  # a card does not open the scene
    if beat.kind != "title":
        coverage.opened.add(beat.scene)
    chars, has_people = _in_frame(beat, sc, arousal, first_in_scene, coverage)
    line, setting = coverage.lines[i], coverage.settings[i]
    subject = beat.characters[0] if beat.characters else (chars[0] if chars else None)
    shown = insert_prop(beat, line, _people_in_line(beat, has_people, coverage.names))
    said = [(beat.text, beat.speaker)] + [(d.text, d.speaker) for d in beat.duet]  # dual: one line after the other
    voice = (sum(coverage.line_seconds(t, s) for t, s in said)
             if coverage.line_seconds is not None and beat.kind == "dialogue" else None)
    size, lens, camera, duration = _framing(i, beat, emotion, arousal, first_in_scene, has_people,
                                            shown is not None, voice)
    props, effects = ([], []) if beat.kind == "title" else _shot_world(  # a card's words are not the world
        beat, line, chars, subject, arousal, shown if size == ShotSize.insert else None, coverage)
    if setting.interior and not (beat.shot is not None and "props" in beat.shot.model_fields_set):
        props = [p for p in props if p.prop not in OUTDOOR_PROPS]  # "far below, a ship": not in the room
    if beat.kind == "dialogue":
        coverage.in_dialogue.add(beat.scene)
    actions = talking(beat, chars, shot_actions(beat, chars, props, {**coverage.names, **beat.referents},
                                                coverage.vocabulary))
    if beat.kind != "title":
        explicit_actions = beat.shot is not None and "actions" in beat.shot.model_fields_set
        actions = coverage.postures.carry(beat.scene, setting.place, actions, chars, explicit_actions)
    if not (beat.shot is not None and "props" in beat.shot.model_fields_set):  # the user's props are as written
        props = hand_overs(props, actions, chars)
    coverage.held.receive(props)
    frames = max(2, int(round(duration * story.fps)))
    sides = screen_sides(sc.cast)
    shot_id = _shot_id(beat, i, kind, coverage)
    return ShotPlan(
        film_id=story.film_id, shot_id=shot_id, slot=slot_key(i), index=i, description=_description(beat),
        emotion=emotion, valence=valence, arousal=arousal, dominance=dominance,
        shot_size=size, camera=camera, lens_mm=round(lens, 1),
        duration=frames / story.fps, frames=frames,
        handle_frames=max(1, int(round(handle_seconds * story.fps))),
        fps=story.fps, width=story.resolution[0], height=story.resolution[1],
        characters=chars, effects=effects, palette=palette,
        actions=actions,
        background=setting.place, setting=setting, props=props, seed=_seed(story.film_id, shot_id),
        stage_order=list(sc.cast), screen_side={c: sides.get(c, "center") for c in chars},
        scene_index=beat.scene, location=sc.location, beat=beat.kind if beat.kind != "shot" else "shot",
        speaker=beat.speaker, camera_note=camera_note(size, camera, lens, beat.kind, beat.speaker, chars),
        speakers=beat.speakers, off_screen=beat.off_screen, transition_out=beat.transition_out,
        title_text=beat.text if beat.kind == "title" else None,
        raster_inbetweens=0 if beat.kind == "title" else _raster_inbetweens(beat, story),
    )


def _raster_inbetweens(beat: Beat, story: StorySpec) -> int:
    """The shot's own `raster_inbetweens` when it says, else the story's."""
    given = beat.shot.raster_inbetweens if beat.shot is not None else None
    return story.raster_inbetweens if given is None else given


def direct_film(story: StorySpec, palette: Palette, music_file: Path | None = None, handle_seconds: float = 0.5, *,
                cast: Sequence[str], llm: LLMConfig | None = None, story_path: Path | None = None,
                vocabulary: WorldVocabulary | None = None,
                line_seconds: Callable[[str, str | None], float] | None = None) -> FilmPlan:
    """The director: story -> FilmPlan (scene graph + one ShotPlan per shot).

    `cast` names the character rigs the studio can draw (Axis's `available_characters()`; empty
    means `talos` alone). `llm` is the LLM endpoint the caller resolved for this story
    (`llm_config.resolve_endpoint`); None directs with the embedded grammar. `story_path` resolves a
    relative `screenplay:`. `vocabulary` is the set and prop words Prism reads the world with (None =
    the built-in `world_words.yaml`); `line_seconds(text, speaker)` is how long a voiced line of
    dialogue takes (its shot lasts at least that + 0.3 s). A story error is a one-sentence
    ValueError without its full stop.
    """
    try:
        kind, text = story_source(story, story_path)
    except StoryError as exc:  # callers add their own full stop to a ValueError's sentence
        raise ValueError(str(exc).rstrip(".")) from None
    cast = list(cast) or ["talos"]
    notes: list[str] = []
    director, llm_shots = "embedded", None
    if llm is not None and kind != "shots":
        llm_shots, note = _ask_llm(llm, story, text, kind, cast)
        if llm_shots is not None:
            kind, director = "llm", f"llm:{llm.model}"
        else:
            notes.append(note)
    index = vocabulary_index(vocabulary)
    beats, scenes, cast_notes = _beats(story, kind, text, llm_shots, cast, index)
    notes += cast_notes
    if not beats:
        raise ValueError("the story's text has no sentence to make a shot from")
    if len(beats) > MAX_SHOTS:
        raise ValueError(f"the story makes {len(beats)} shots and a film holds at most {MAX_SHOTS}; "
                         "split it into several films")
    _cast_every_scene(scenes)
    names = world_names(beats, cast, story.cast)
    lines = read_beats(beats, index, names)
    settings = plan_settings(beats, scenes, lines, index)
    first_setting = {b.scene: settings[k] for k, b in reversed(list(enumerate(beats)))}
    scene_infos = [SceneInfo(index=i, heading=s.heading, location=s.location, interior=s.interior,
                             time_of_day=s.time_of_day, characters=list(s.cast), setting=first_setting.get(i))
                   for i, s in enumerate(scenes)]
    affects = read_in_context([(b.scene, _beat_text(b)) for b in beats], [s.heading for s in scenes])
    coverage = _Coverage(names=names, lines=lines, settings=settings, line_seconds=line_seconds, affects=affects,
                         vocabulary=index.vocab)
    shots = [_direct_beat(story, palette, handle_seconds, kind, i, beat, scenes, coverage) for i, beat in enumerate(beats)]
    for shot in shots:
        scene_infos[shot.scene_index].shot_ids.append(shot.shot_id)
    dup = sorted(i for i, n in Counter(s.shot_id for s in shots).items() if n > 1)
    if dup:
        raise ValueError(f"shot ids repeat: {dup}")
    return FilmPlan(film_id=story.film_id, title=story.title, fps=story.fps, width=story.resolution[0],
                    height=story.resolution[1], palette=palette, music_file=music_file, shots=shots,
                    scenes=scene_infos, director=director, warnings=notes,
                    deliverables=list(dict.fromkeys(["sdr-h264", *story.deliverables])))
