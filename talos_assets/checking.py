"""Checking a submitted story: everything a render needs is validated and the film is directed once.

`check_story` is what `talos validate`, `talos forge` and the inbox sensor call. It writes nothing;
the `CheckedStory` it returns carries the plan that will render (the forge or the sensor stores it,
and the `film_plan` asset reads it), so an LLM director is asked once per film and what was checked
is what renders. Plain Python, no Dagster: the studio's settings come in from the edge.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from talos_assets.settings import StudioSettings
from talos_assets.spec import FilmPlan, Palette, StorySpec, WorldVocabulary
from talos_assets.story import StoryError, load_story, resolve_music, resolve_palette


class ForgeError(ValueError):
    """A user-facing failure: one sentence."""


@dataclass
class CheckedStory:
    path: Path
    text: str
    story: StorySpec
    plan: FilmPlan


def known_palettes(settings: StudioSettings) -> dict[str, Palette]:
    """The built-in palettes and those a user saved in this studio's Ichor (read only, never created)."""
    from talos_assets.stores.ichor import BUILTIN_PALETTES, IchorVault, StoreError

    known = {n: Palette(name=n, swatches=sw) for n, sw in BUILTIN_PALETTES.items()}
    if settings.ichor_exists():
        try:
            vault = IchorVault(settings.ichor_url, create=False)
            known.update({n: vault.palette(n) for n in vault.palette_names()})
        except StoreError as exc:
            raise ForgeError(str(exc)) from None
    return known


def _check_music(story: StorySpec, music: Path | None) -> None:
    if music is None:
        return
    from talos_assets.agents.editing import probe_media

    try:  # a corrupt audio file is found now, not after every shot has rendered
        facts = probe_media(music)
        has_samples = facts.has_audio and _has_samples(music)
    except ValueError:
        raise ForgeError(f"music file '{story.music.file}' cannot be decoded as audio; re-export it (wav, flac, mp3...).") from None
    if not facts.has_audio:
        raise ForgeError(f"music file '{story.music.file}' has no audio stream; give an audio file.")
    if not has_samples:  # a valid header with no samples would otherwise fail only after every shot rendered
        raise ForgeError(f"music file '{story.music.file}' has no audio samples (zero duration); "
                         "re-export it with the music in it.")


def _has_samples(path: Path) -> bool:
    """True once PyAV decodes one audio frame with samples (it stops there: a long file costs one packet);
    ValueError when the stream cannot be decoded."""
    import av

    try:
        with av.open(str(path)) as container:
            return any(frame.samples > 0 for frame in container.decode(audio=0))
    except (av.error.FFmpegError, OSError) as exc:
        raise ValueError(f"cannot decode '{path}' ({exc})") from None


def check_story(path: Path, settings: StudioSettings) -> CheckedStory:
    """Validate everything a render needs and direct the film; raises ForgeError, writes nothing."""
    from talos_assets.agents import direction
    from talos_assets.agents.key_animation import available_characters

    try:
        story, text = load_story(path)
        palette = resolve_palette(story, known_palettes(settings))
        music = resolve_music(story, path)
        llm = settings.llm_for(story)
    except StoryError as exc:
        raise ForgeError(str(exc)) from None
    _check_music(story, music)
    cast = available_characters(settings.character_dirs)
    for i, shot in enumerate(story.shots):
        unknown = [c for c in shot.characters if c not in cast]
        if unknown:
            raise ForgeError(f"shots.{i}.characters: '{unknown[0]}' is not a character of this studio; use one of {', '.join(sorted(cast))}.")
    recorded = _recorded_lines(story, Path(path))
    try:
        plan = direction.direct_film(story, palette, music_file=music, story_path=Path(path), cast=cast, llm=llm,
                                     vocabulary=world_vocabulary(settings),
                                     line_seconds=_line_seconds(settings, recorded))
    except (ValueError, StoryError) as exc:
        raise ForgeError(f"story '{Path(path).name}': {exc}.") from None
    _attach_story_files(plan, story, Path(path), recorded)
    _check_voices(sorted({c for shot in plan.shots for c in [shot.speaker, *shot.speakers] if c}), settings)
    return CheckedStory(path=Path(path).resolve(), text=text, story=story, plan=plan)


def world_vocabulary(settings: StudioSettings) -> WorldVocabulary:
    """The words Prism reads places and props with: the built-in words and those of the user's own set
    and prop files; a broken set or prop file is one sentence naming it."""
    from talos_assets.agents import direction
    from talos_assets.agents.props import prop_sources, prop_vocabulary
    from talos_assets.agents.sets import interior_sets, set_vocabulary

    base = direction.builtin_vocabulary()
    try:
        user_places, user_props = set_vocabulary(settings.set_dirs), prop_vocabulary(settings.prop_dirs)
        user_sources = prop_sources(settings.prop_dirs)
        interiors = interior_sets(settings.set_dirs)
    except ValueError as exc:
        raise ForgeError(str(exc).rstrip(".") + ".") from None
    places = {k: list(v) for k, v in base.places.items()}
    for k, words in user_places.items():
        places.setdefault(k, []).extend(words)
    props = {k: list(v) for k, v in base.props.items()}
    for k, words in user_props.items():
        props.setdefault(k, []).extend(words)
    sources = {k: list(v) for k, v in base.sources.items()}
    for kind, ids in user_sources.items():
        sources[kind] = sorted(set(sources.get(kind, [])) | set(ids))
    return WorldVocabulary(places=places, props=props, interiors=sorted(set(base.interiors) | set(interiors)),
                           sources=sources)


def _recorded_lines(story: StorySpec, story_path: Path) -> dict[str, Path]:
    """Shot id -> its recorded line, each checked now (inside the story folder, decodable, audible)."""
    from talos_assets.agents.voice import resolve_dialogue_audio

    try:
        return {s.id: resolve_dialogue_audio(s.dialogue_audio, story_path, s.id)
                for s in story.shots if s.dialogue_audio is not None}
    except StoryError as exc:
        raise ForgeError(str(exc)) from None


def _line_seconds(settings: StudioSettings, recorded: dict[str, Path]):
    """How long a line of dialogue lasts when spoken: the speaker's rig voice (or the default voice)."""
    from talos_assets.agents.key_animation import load_rig
    from talos_assets.agents.voice import LEAD_IN_S, line_duration, spoken_line
    from talos_assets.spec import VoiceSpec

    def seconds(text: str, speaker: str | None) -> float:
        said = spoken_line(f'"{text}"') if '"' not in text else spoken_line(text)
        words = said.text if said is not None else text
        try:
            voice = load_rig(speaker, settings.character_dirs).voice if speaker else VoiceSpec()
        except ValueError:
            voice = VoiceSpec()
        return LEAD_IN_S + line_duration(words, voice)  # speech starts LEAD_IN_S into the shot

    return seconds


def _attach_story_files(plan: FilmPlan, story: StorySpec, story_path: Path, recorded: dict[str, Path]) -> None:
    """Files the story's shots name (recorded lines, BVH motion), resolved inside the story's folder."""
    from talos_assets.story import resolve_in_story_folder

    explicit = {s.id: s for s in story.shots}
    for shot in plan.shots:
        given = explicit.get(shot.shot_id)
        if given is None:
            continue
        if shot.shot_id in recorded:
            shot.dialogue_audio = recorded[shot.shot_id]
            _hold_for_line(plan, shot, recorded[shot.shot_id])
        motion = {}
        for character, bvh in given.motion.items():
            try:
                resolved = resolve_in_story_folder(bvh, story_path, f"shots.{shot.shot_id}.motion.{character}")
            except StoryError as exc:
                raise ForgeError(str(exc)) from None
            if not resolved.is_file():
                raise ForgeError(f"shots.{shot.shot_id}.motion.{character}: motion file '{bvh}' was not found next "
                                 "to the story; put the BVH file in the story's folder or remove it.")
            motion[character] = resolved
        shot.motion = motion


def _hold_for_line(plan: FilmPlan, shot, recorded: Path) -> None:
    """A shot lasts at least its recorded line (with the voice's lead-in and a short hold after)."""
    from talos_assets.agents.voice import LEAD_IN_S, TAIL_S, recorded_line_seconds

    needed = LEAD_IN_S + recorded_line_seconds(recorded) + TAIL_S
    if shot.duration + 1e-6 < needed:
        shot.frames = int(-(-needed * shot.fps // 1))
        shot.duration = shot.frames / shot.fps
        plan.warnings.append(f"shot '{shot.shot_id}' lengthened to {shot.duration:.2f} s to hold its recorded line")


def _check_voices(speakers: list[str], settings: StudioSettings) -> None:
    """Every speaker's espeak-ng voice exists, found now rather than when its first line is voiced."""
    from talos_assets.agents.key_animation import character_paths, load_rig
    from talos_assets.agents.voice import voice_exists

    paths = character_paths(settings.character_dirs)
    for name in speakers:
        try:
            rig = load_rig(name, settings.character_dirs)
        except ValueError as exc:
            raise ForgeError(str(exc).rstrip(".") + ".") from None
        if not voice_exists(rig.voice.voice):
            raise ForgeError(f"character file '{paths.get(name, name)}': field 'voice.voice' names the espeak-ng voice "
                             f"'{rig.voice.voice}', which this studio does not have; use e.g. en-us, en-gb or en-us+f3.")

