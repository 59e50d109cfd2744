"""Fountain screenplay parsing: plain-text screenplay -> typed elements (scene headings, action, dialogue...).

Follows the Fountain 1.1 syntax (https://fountain.io/syntax): a title page of `Key: value` lines at the
top; scene headings starting INT/EXT/EST/INT./EXT/I/E (or forced with a leading `.`), optional scene
numbers `#1A#`; characters as an all-caps line before dialogue (forced with `@`, extensions like
`(V.O.)`, dual dialogue `^`); parentheticals `( )` inside dialogue; transitions (all caps ending in
`TO:`, or forced with `>`); centered text `>text<`; lyrics `~`; sections `#`; synopses `=`; page
breaks `===`; forced action `!`. Notes `[[ ]]` and the boneyard `/* */` are removed before parsing,
and emphasis markers (`*`, `_`) are stripped from the text Prism reads. Parsing is line-based with the
spec's blank-line context rules, so a text that merely shouts a word in caps is not taken for a cue.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

ElementKind = Literal[
    "scene_heading", "action", "character", "dialogue", "parenthetical", "transition", "centered", "lyrics",
    "section", "synopsis", "page_break",
]

_SCENE_RE = re.compile(r"^(INT\.?/EXT|INT/EXT|I/E|INT|EXT|EST)[.\s]", re.IGNORECASE)
_SCENE_NUMBER_RE = re.compile(r"\s*#([A-Za-z0-9.\-]+)#\s*$")
_TITLE_KEY_RE = re.compile(r"^([A-Za-z][A-Za-z ]*?):\s*(.*)$")
_BONEYARD_RE = re.compile(r"/\*.*?\*/", re.DOTALL)
_NOTE_RE = re.compile(r"\[\[.*?\]\]", re.DOTALL)
_EXTENSION_RE = re.compile(r"\(([^)]*)\)")
_EMPHASIS_RE = re.compile(r"(\*{1,3}|_)(?=\S)(.+?)(?<=\S)\1")


@dataclass
class Element:
    """One screenplay element; `character` names the speaker for dialogue and parentheticals."""

    kind: ElementKind
    text: str
    scene: int = -1  # index of the scene it belongs to; -1 before the first heading
    character: str | None = None
    extension: str | None = None
    dual: bool = False
    scene_number: str | None = None


@dataclass
class Screenplay:
    title_page: dict[str, str] = field(default_factory=dict)
    elements: list[Element] = field(default_factory=list)

    def of_kind(self, kind: ElementKind) -> list[Element]:
        return [e for e in self.elements if e.kind == kind]

    @property
    def scene_headings(self) -> list[str]:
        return [e.text for e in self.of_kind("scene_heading")]

    @property
    def characters(self) -> list[str]:
        """Speaking characters in order of first appearance."""
        return list(dict.fromkeys(e.text for e in self.of_kind("character")))


def _plain(text: str) -> str:
    """Text without emphasis markers and escapes, whitespace collapsed."""
    text = _EMPHASIS_RE.sub(lambda m: m.group(2), text)
    text = _EMPHASIS_RE.sub(lambda m: m.group(2), text)  # nested ***bold italic*** / _**x**_
    return re.sub(r"\s+", " ", text.replace("\\", "")).strip()


def _split_title_page(lines: list[str]) -> tuple[dict[str, str], list[str]]:
    """Title page: `Key: value` lines at the very top, ended by a blank line; indented lines continue a value."""
    if not lines or not _TITLE_KEY_RE.match(lines[0]) or _SCENE_RE.match(lines[0]):
        return {}, lines
    page: dict[str, str] = {}
    key = None
    i = 0
    while i < len(lines) and lines[i].strip():
        line = lines[i]
        m = _TITLE_KEY_RE.match(line)
        if m and not line.startswith((" ", "\t")):
            key = m.group(1).strip().lower()
            page[key] = m.group(2).strip()
        elif key is not None:
            page[key] = (page[key] + "\n" + line.strip()).strip()
        else:  # not a title page after all
            return {}, lines
        i += 1
    return page, lines[i:]


def parse_fountain(text: str) -> Screenplay:
    """Parse Fountain text into a title page and a list of elements."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\t", "    ")
    # the boneyard and notes are for the writer, never for the screen; a note alone on its line
    # leaves an empty line, which must not break a dialogue block, so such lines are dropped
    text = _BONEYARD_RE.sub("", text)
    kept = []
    for line in text.split("\n"):
        stripped = _NOTE_RE.sub("", line)
        if stripped.strip() == "" and line.strip() != "":
            continue
        kept.append(stripped.rstrip() if stripped.strip() else "")
    title_page, lines = _split_title_page(kept)
    title_page = {k: "\n".join(_plain(x) for x in v.split("\n")) for k, v in title_page.items()}

    elements: list[Element] = []
    scene = -1
    speaker: str | None = None  # inside a dialogue block while set
    action: list[str] = []

    def flush_action() -> None:
        if action:
            body = _plain(" ".join(action))
            if body:
                elements.append(Element("action", body, scene))
            action.clear()

    n = len(lines)
    for i, raw in enumerate(lines):
        line = raw.strip()
        prev_blank = i == 0 or not lines[i - 1].strip()
        next_blank = i + 1 >= n or not lines[i + 1].strip()
        if not line:
            flush_action()
            # two spaces on a "blank" line keep a dialogue block going (spec); a real blank ends it
            if not raw.startswith("  "):
                speaker = None
            continue
        if speaker is not None:
            if line.startswith("(") and line.endswith(")"):
                elements.append(Element("parenthetical", _plain(line), scene, character=speaker))
            else:
                last = elements[-1]
                if last.kind == "dialogue" and last.character == speaker:
                    last.text = _plain(last.text + " " + line)
                else:
                    elements.append(Element("dialogue", _plain(line), scene, character=speaker))
            continue
        if line.startswith("!"):  # forced action
            action.append(line[1:])
            continue
        if line == "===" or re.fullmatch(r"={3,}", line):
            flush_action()
            elements.append(Element("page_break", "", scene))
            continue
        if line.startswith("#"):
            flush_action()
            elements.append(Element("section", _plain(line.lstrip("#")), scene))
            continue
        if line.startswith("=") and not line.startswith("=="):
            flush_action()
            elements.append(Element("synopsis", _plain(line[1:]), scene))
            continue
        if line.startswith("~"):
            flush_action()
            elements.append(Element("lyrics", _plain(line[1:]), scene))
            continue
        if line.startswith(">") and line.endswith("<"):
            flush_action()
            elements.append(Element("centered", _plain(line[1:-1]), scene))
            continue
        if line.startswith(">"):
            flush_action()
            elements.append(Element("transition", _plain(line[1:]).upper(), scene))
            continue
        forced_heading = line.startswith(".") and not line.startswith("..")
        if prev_blank and (forced_heading or _SCENE_RE.match(line)):
            flush_action()
            heading = line[1:] if forced_heading else line
            number = None
            m = _SCENE_NUMBER_RE.search(heading)
            if m:
                number, heading = m.group(1), heading[: m.start()]
            scene += 1
            elements.append(Element("scene_heading", _plain(heading).upper() if not forced_heading else _plain(heading),
                                    scene, scene_number=number))
            continue
        if prev_blank and next_blank and line == line.upper() and line.endswith("TO:") and re.search(r"[A-Z]", line):
            flush_action()
            elements.append(Element("transition", _plain(line), scene))
            continue
        forced_character = line.startswith("@")
        if prev_blank and not next_blank and (forced_character or _is_character_cue(line)):
            flush_action()
            cue = line[1:] if forced_character else line
            dual = cue.rstrip().endswith("^")
            cue = cue.rstrip().rstrip("^").strip()
            ext = "; ".join(x.strip() for x in _EXTENSION_RE.findall(cue)) or None
            name = _plain(_EXTENSION_RE.sub("", cue)).strip()
            elements.append(Element("character", name, scene, character=name, extension=ext, dual=dual))
            speaker = name
            continue
        action.append(raw.strip())
    flush_action()
    return Screenplay(title_page=title_page, elements=elements)


def _is_character_cue(line: str) -> bool:
    """All caps (letters required), not ending in a transition's colon; extensions may be mixed case."""
    name = _EXTENSION_RE.sub("", line).rstrip("^").strip()
    return bool(re.search(r"[A-Z]", name)) and name == name.upper() and not name.endswith(":") and len(name) <= 60


def looks_like_fountain(text: str) -> bool:
    """True when text has at least one scene heading on its own line (how a `script:` is told apart from prose)."""
    lines = text.replace("\r\n", "\n").split("\n")
    for i, line in enumerate(lines):
        s = line.strip()
        if (i == 0 or not lines[i - 1].strip()) and _SCENE_RE.match(s) and s.split()[0].upper() == s.split()[0]:
            return True
    return False


def resolve_screenplay(story, story_path: Path | None) -> Path | None:
    """The story's Fountain file as an absolute path, or None; a bad path is one-sentence StoryError."""
    from talos_assets.story import StoryError

    if story.screenplay is None:
        return None
    candidate = Path(story.screenplay)
    if not candidate.is_absolute():
        if story_path is None:
            raise StoryError(
                f"screenplay '{story.screenplay}' is relative but the story's own path is unknown; load the story from its file."
            )
        candidate = Path(story_path).parent / candidate
    candidate = candidate.resolve()
    if not candidate.is_file():
        raise StoryError(f"screenplay file '{story.screenplay}' was not found next to the story; fix 'screenplay' or remove it.")
    if candidate.suffix.lower() not in {".fountain", ".spmd", ".txt"}:
        raise StoryError(f"screenplay file '{story.screenplay}' is not a Fountain file (.fountain, .spmd or .txt).")
    return candidate


def read_screenplay(path: Path) -> Screenplay:
    from talos_assets.story import StoryError

    try:
        return parse_fountain(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError):
        raise StoryError(f"screenplay file '{Path(path).name}' cannot be read as UTF-8 text; save it as UTF-8.") from None


__all__ = ["Element", "Screenplay", "parse_fountain", "looks_like_fountain", "resolve_screenplay", "read_screenplay"]
