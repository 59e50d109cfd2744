"""Reading a story file the way a user expects: one clear sentence for anything wrong, nothing written.

A story file is untrusted input (it may arrive in the inbox with nobody watching), so every limit is
checked before the work it bounds: the file's size before it is read, YAML nesting depth and
duplicate keys while it is parsed (a `SafeLoader` subclass), text lengths and the shot count by the
`StorySpec` model, and a screenplay's size before it is read. Paths a story names (`screenplay`,
`music.file`) resolve inside the story's own folder: no absolute paths, no `..`, no symbolic link
leading out. (The LLM endpoint is the studio's to configure, `talos_assets.llm_config`; a story only
picks one by name.) Every failure raises `StoryError` whose message names the field or file and what
to do, in plain text.
"""

from __future__ import annotations

from pathlib import Path

import yaml
from pydantic import ValidationError

from talos_assets.spec import Palette, StorySpec, slugify, story_path_problem

AUDIO_SUFFIXES = {".wav", ".mp3", ".flac", ".ogg", ".m4a", ".aac", ".aif", ".aiff", ".opus"}
SCREENPLAY_SUFFIXES = {".fountain", ".spmd", ".txt"}
# a story is a page of YAML; a whole script inline stays far below this
MAX_STORY_BYTES = 1_000_000
# a feature screenplay is ~200 KB; a short film's a few KB
MAX_SCREENPLAY_BYTES = 1_000_000
# a story is a mapping of fields, shot lists and small mappings: a handful of levels
MAX_YAML_DEPTH = 32


class StoryError(ValueError):
    """A user error in a story file; the message is one sentence meant for the user."""


class _StoryLoader(yaml.SafeLoader):
    """`yaml.SafeLoader` that refuses duplicate mapping keys (YAML says keys are unique; PyYAML keeps
    the last silently) and nesting deeper than MAX_YAML_DEPTH (PyYAML composes recursively, so a
    500-deep file would end in a RecursionError)."""

    source = "story"

    def __init__(self, stream: str):
        super().__init__(stream)
        self.depth = 0

    def compose_node(self, parent, index):  # noqa: ANN001 (PyYAML's signature)
        self.depth += 1
        try:
            if self.depth > MAX_YAML_DEPTH:
                line = self.peek_event().start_mark.line + 1
                raise StoryError(f"{self.source} nests deeper than {MAX_YAML_DEPTH} levels at line {line}; "
                                 "a story needs only a few levels (see docs/story.md).")
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1

    def construct_mapping(self, node, deep=False):  # noqa: ANN001
        seen: set = set()
        for key_node, _ in node.value if isinstance(node, yaml.MappingNode) else ():
            if key_node.tag == "tag:yaml.org,2002:merge":  # `<<: *base` may be overridden by design
                continue
            key = self.construct_object(key_node, deep=True)
            try:
                repeated = key in seen
            except TypeError:  # an unhashable key: the base class gives its own error
                continue
            if repeated:
                raise StoryError(f"{self.source}: key '{key}' appears twice in one mapping (line "
                                 f"{key_node.start_mark.line + 1}); keep one.")
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


def _field_path(loc: tuple) -> str:
    return ".".join(str(p) for p in loc) or "(top level)"


def _too_big(what: str, size: int, limit: int) -> StoryError:
    return StoryError(f"{what} is {size / 1e6:.1f} MB and the limit is {limit / 1e6:.0f} MB; make it smaller.")


def _load_yaml(text: str, source: str) -> object:
    loader = _StoryLoader(text)
    loader.source = source
    try:
        return loader.get_single_data()
    except StoryError:
        raise
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise StoryError(f"{source} is not valid YAML{where}: fix the syntax and try again.") from None
    except (ValueError, RecursionError):  # e.g. an integer with more digits than Python converts
        raise StoryError(f"{source} holds a value this studio cannot read (a number too long?); fix it.") from None
    finally:
        loader.dispose()


def parse_story(text: str, source: str = "story") -> StorySpec:
    """A validated story from YAML text; any problem is a one-sentence StoryError."""
    size = len(text.encode("utf-8", "surrogatepass"))
    if size > MAX_STORY_BYTES:
        raise _too_big(source, size, MAX_STORY_BYTES)
    raw = _load_yaml(text, source)
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
    """(validated story, its source text) from a file; the size is checked before it is read."""
    path = Path(path)
    if not path.is_file():
        raise StoryError(f"story file '{path}' does not exist or is not a file; check the path.")
    size = path.stat().st_size
    if size > MAX_STORY_BYTES:
        raise _too_big(f"story file '{path.name}'", size, MAX_STORY_BYTES)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        raise StoryError(f"story file '{path}' cannot be read as UTF-8 text; save it as UTF-8 YAML.") from None
    if path.suffix.lower() in (".fountain", ".spmd"):
        text = screenplay_story(path, text)
    return parse_story(text, source=f"story '{path.name}'"), text


def screenplay_story(path: Path, screenplay: str) -> str:
    """The story YAML of a screenplay forged on its own (`talos forge short.fountain`): its title
    page's title (else the file's name) and the screenplay itself; characters are cast by name and
    the rest takes the story format's defaults. Write a YAML story naming the screenplay to choose."""
    from talos_assets.agents.direction.fountain import parse_fountain

    title = parse_fountain(screenplay).title_page.get("title", "").strip().split("\n")[0].strip()
    title = title or path.stem.replace("_", " ").replace("-", " ").strip().title() or "Untitled"
    return yaml.safe_dump({"title": title, "screenplay": path.name}, sort_keys=False)


def resolve_in_story_folder(value: Path, story_path: Path | None, field: str) -> Path:
    """The absolute path of a file a story names in `field`, which must lie inside the story's folder:
    absolute paths, `..` and symbolic links that lead out of the folder are refused."""
    problem = story_path_problem(Path(value))
    if problem:
        raise StoryError(f"{field} {problem}.")
    if story_path is None:
        raise StoryError(f"{field} '{value}' is relative but the story's own path is unknown; load the story from its file.")
    folder = Path(story_path).parent.resolve()
    candidate = (folder / value).resolve()
    if not candidate.is_relative_to(folder):
        raise StoryError(f"{field} '{value}' leads outside the story's folder through a symbolic link; "
                         "copy the file into the story's folder instead.")
    return candidate


def resolve_palette(story: StorySpec, known: dict[str, Palette]) -> Palette:
    if isinstance(story.palette, list):
        return Palette.from_hex_list(f"{story.film_id}-custom", story.palette)
    if story.palette not in known:
        raise StoryError(
            f"palette '{story.palette}' is unknown; use one of {', '.join(sorted(known))} or a list of #rrggbb colours."
        )
    return known[story.palette]


def resolve_music(story: StorySpec, story_path: Path) -> Path | None:
    """The story's music file inside its folder, or None when the studio writes the score."""
    if story.music.file is None:
        if not story.music.generate:
            raise StoryError("music: give a 'file' or leave 'generate: true' so the studio writes a score.")
        return None
    candidate = resolve_in_story_folder(story.music.file, story_path, "music.file")
    if not candidate.is_file():
        raise StoryError(f"music file '{story.music.file}' was not found next to the story; fix 'music.file' or remove it to generate a score.")
    if candidate.suffix.lower() not in AUDIO_SUFFIXES:
        raise StoryError(f"music file '{story.music.file}' is not an audio file this studio reads ({', '.join(sorted(AUDIO_SUFFIXES))}).")
    return candidate


def resolve_screenplay(story: StorySpec, story_path: Path | None) -> Path | None:
    """The story's Fountain file inside its folder as an absolute path, or None."""
    if story.screenplay is None:
        return None
    candidate = resolve_in_story_folder(story.screenplay, story_path, "screenplay")
    if not candidate.is_file():
        raise StoryError(f"screenplay file '{story.screenplay}' was not found next to the story; fix 'screenplay' or remove it.")
    if candidate.suffix.lower() not in SCREENPLAY_SUFFIXES:
        raise StoryError(f"screenplay file '{story.screenplay}' is not a Fountain file (.fountain, .spmd or .txt).")
    return candidate


def read_screenplay(path: Path) -> str:
    """A screenplay file's text; its size is checked before it is read."""
    path = Path(path)
    size = path.stat().st_size
    if size > MAX_SCREENPLAY_BYTES:
        raise _too_big(f"screenplay file '{path.name}'", size, MAX_SCREENPLAY_BYTES)
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        raise StoryError(f"screenplay file '{path.name}' cannot be read as UTF-8 text; save it as UTF-8.") from None


__all__ = [
    "MAX_SCREENPLAY_BYTES", "MAX_STORY_BYTES", "MAX_YAML_DEPTH", "StoryError", "load_story", "parse_story",
    "read_screenplay", "resolve_in_story_folder", "resolve_music", "resolve_palette",
    "resolve_screenplay", "slugify",
]
