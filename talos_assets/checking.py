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
from talos_assets.spec import FilmPlan, Palette, StorySpec
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
    try:
        plan = direction.direct_film(story, palette, music_file=music, story_path=Path(path), cast=cast, llm=llm)
    except (ValueError, StoryError) as exc:
        raise ForgeError(f"story '{Path(path).name}': {exc}.") from None
    return CheckedStory(path=Path(path).resolve(), text=text, story=story, plan=plan)
