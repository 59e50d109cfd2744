"""Reading a story file the way a user expects: one clear sentence for anything wrong, nothing written.

`load_story` parses YAML with `yaml.safe_load`, validates it against `StorySpec`, resolves the
palette (a name known to Ichor or a hex list) and the music file (relative to the story file).
Every failure raises `StoryError` whose message names the field or file and what to do.
"""

from __future__ import annotations

from pathlib import Path

import yaml
from pydantic import ValidationError

from talos_assets.spec import Palette, StorySpec, slugify

AUDIO_SUFFIXES = {".wav", ".mp3", ".flac", ".ogg", ".m4a", ".aac", ".aif", ".aiff", ".opus"}


class StoryError(ValueError):
    """A user error in a story file; the message is one sentence meant for the user."""


def _field_path(loc: tuple) -> str:
    return ".".join(str(p) for p in loc) or "(top level)"


def parse_story(text: str, source: str = "story") -> StorySpec:
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise StoryError(f"{source} is not valid YAML{where}: fix the syntax and try again.") from None
    if not isinstance(raw, dict):
        raise StoryError(f"{source} must be a YAML mapping with at least a 'title'; see docs/story.md.")
    try:
        return StorySpec.model_validate(raw)
    except ValidationError as exc:
        err = exc.errors()[0]
        msg = err["msg"].removeprefix("Value error, ")
        field = _field_path(err["loc"])
        if err["type"] == "extra_forbidden":
            raise StoryError(f"{source}: field '{field}' is not part of the story format; remove it (see docs/story.md).") from None
        if err["type"] == "missing":
            raise StoryError(f"{source}: field '{field}' is required; add it (see docs/story.md).") from None
        raise StoryError(f"{source}: field '{field}' is invalid: {msg}.") from None


def load_story(path: Path) -> tuple[StorySpec, str]:
    """(validated story, its source text) from a file."""
    path = Path(path)
    if not path.is_file():
        raise StoryError(f"story file '{path}' does not exist or is not a file; check the path.")
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        raise StoryError(f"story file '{path}' cannot be read as UTF-8 text; save it as UTF-8 YAML.") from None
    return parse_story(text, source=f"story '{path.name}'"), text


def resolve_palette(story: StorySpec, known: dict[str, Palette]) -> Palette:
    if isinstance(story.palette, list):
        return Palette.from_hex_list(f"{story.film_id}-custom", story.palette)
    if story.palette not in known:
        raise StoryError(
            f"palette '{story.palette}' is unknown; use one of {', '.join(sorted(known))} or a list of #rrggbb colours."
        )
    return known[story.palette]


def resolve_music(story: StorySpec, story_path: Path) -> Path | None:
    if story.music.file is None:
        if not story.music.generate:
            raise StoryError("music: give a 'file' or leave 'generate: true' so the studio writes a score.")
        return None
    candidate = story.music.file if story.music.file.is_absolute() else (Path(story_path).parent / story.music.file)
    candidate = candidate.resolve()
    if not candidate.is_file():
        raise StoryError(f"music file '{story.music.file}' was not found next to the story; fix 'music.file' or remove it to generate a score.")
    if candidate.suffix.lower() not in AUDIO_SUFFIXES:
        raise StoryError(f"music file '{story.music.file}' is not an audio file this studio reads ({', '.join(sorted(AUDIO_SUFFIXES))}).")
    return candidate


__all__ = ["StoryError", "load_story", "parse_story", "resolve_palette", "resolve_music", "slugify"]
