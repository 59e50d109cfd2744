"""Fountain screenplay parsing: plain-text screenplay -> typed elements (scene headings, action, dialogue...).

Follows the Fountain 1.1 syntax (https://fountain.io/syntax): a title page of `Key: value` lines at the
top; scene headings starting INT/EXT/EST/INT./EXT/I/E (or forced with a leading `.`), optional scene
numbers `#1A#`; characters as an all-caps line before dialogue (forced with `@`, extensions like
`(V.O.)`, dual dialogue `^`); parentheticals `( )` inside dialogue; transitions (all caps ending in
`TO:`, the bare FADE IN:/FADE OUT./FADE TO BLACK. screenplays also write, or forced with `>`);
centered text `>text<`; lyrics `~`; sections `#`; synopses `=`; page breaks `===`; forced action `!`.
Notes `[[ ]]` and the boneyard `/* */` are removed before parsing, and emphasis markers (`*`, `_`)
are stripped from the text Prism reads. Parsing is line-based with the
spec's blank-line context rules, so a text that merely shouts a word in caps is not taken for a cue.
Every step is linear in the text's length (a screenplay is untrusted input): a dialogue element is
joined once when it ends, and the lazy note/boneyard/emphasis matches never rescan the text.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass, field
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
# transitions written without the spec's `TO:` ending, recognised alone on their line in caps
_BARE_TRANSITION_RE = re.compile(
    r"^(FADE (IN|OUT|TO BLACK|TO WHITE)|(CUT|SMASH CUT|SMASH) TO BLACK|IRIS (IN|OUT))[.:]?$")
_MARK_RE = re.compile(r"[*_]")
_NEWLINE_RE = re.compile(r"\n")
# positions where each emphasis marker could close a span: the marker, preceded by a non-space
_CLOSER_RES = {m: re.compile(rf"(?<=\S)(?={re.escape(m)})") for m in ("***", "**", "*", "_")}


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


def _strip_lazy(pattern: re.Pattern, closer: str, text: str) -> str:
    """`pattern.sub("", text)` for a lazy `open.*?close` pattern, in linear time: no match can end
    after the last `closer`, so the text beyond it is left alone instead of being rescanned once for
    every unclosed opener."""
    end = text.rfind(closer)
    if end < 0:
        return text
    end += len(closer)
    return pattern.sub("", text[:end]) + text[end:]


def _opener_marks(text: str, p: int) -> list[str]:
    """The markers a span may open with at p, longest first (`\\*{1,3}` is greedy, then backs off)."""
    if text[p] == "_":
        return ["_"]
    k = 1
    while k < 3 and p + k < len(text) and text[p + k] == "*":
        k += 1
    return ["*" * n for n in range(k, 0, -1)]


def _strip_emphasis(text: str) -> str:
    """Text with `*italic*`, `**bold**`, `***both***` and `_underline_` spans unwrapped.

    The same result as `re.sub(r"(\\*{1,3}|_)(?=\\S)(.+?)(?<=\\S)\\1", r"\\2", text)` (leftmost opener,
    longest star run first, nearest closer, never across a newline), without that regex's rescan to
    the end of the text for every opener that has no closer: closers are found by bisection.
    """
    closers = {m: [c.start() for c in pat.finditer(text)] for m, pat in _CLOSER_RES.items()}
    newlines = [m.start() for m in _NEWLINE_RE.finditer(text)]
    out: list[str] = []
    pos = 0
    for opener in _MARK_RE.finditer(text):
        p = opener.start()
        if p < pos:
            continue
        for mark in _opener_marks(text, p):
            start = p + len(mark)
            if start >= len(text) or text[start].isspace():
                continue
            at = closers[mark]
            k = bisect_left(at, start + 1)
            nl = bisect_left(newlines, start)
            if k == len(at) or (nl < len(newlines) and newlines[nl] < at[k]):
                continue
            out += [text[pos:p], text[start:at[k]]]
            pos = at[k] + len(mark)
            break
    out.append(text[pos:])
    return "".join(out)


def _plain(text: str) -> str:
    """Text without emphasis markers and escapes, whitespace collapsed."""
    text = _strip_emphasis(text)
    text = _strip_emphasis(text)  # nested ***bold italic*** / _**x**_
    return re.sub(r"\s+", " ", text.replace("\\", "")).strip()


def _split_title_page(lines: list[str]) -> tuple[dict[str, str], list[str]]:
    """Title page: `Key: value` lines at the very top, ended by a blank line; indented lines continue a value."""
    first = lines[0] if lines else ""
    if not _TITLE_KEY_RE.match(first) or _SCENE_RE.match(first) or _BARE_TRANSITION_RE.match(first):
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


def _writer_lines(text: str) -> list[str]:
    """The lines that are for the screen: the boneyard and notes are for the writer. A note alone on
    its line leaves an empty line, which must not break a dialogue block, so such lines are dropped."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\t", "    ")
    text = _strip_lazy(_BONEYARD_RE, "*/", text)
    kept = []
    for line in text.split("\n"):
        stripped = _strip_lazy(_NOTE_RE, "]]", line)
        if stripped.strip() == "" and line.strip() != "":
            continue
        kept.append(stripped.rstrip() if stripped.strip() else "")
    return kept


class _Parser:
    """One pass over the lines with the spec's blank-line context: a character cue opens a dialogue
    block that runs to the next truly blank line; other lines are tried as marked elements, scene
    headings, transitions and cues, and whatever is left gathers into action paragraphs."""

    def __init__(self, lines: list[str]):
        self.lines = lines
        self.elements: list[Element] = []
        self.scene = -1
        self.speaker: str | None = None  # inside a dialogue block while set
        self.action: list[str] = []
        self.speech: list[str] = []  # the lines of the dialogue element still open

    def add(self, kind: ElementKind, text: str, **extra) -> None:
        self.close_speech()
        self.elements.append(Element(kind, text, self.scene, **extra))

    def flush_action(self) -> None:
        if self.action:
            body = _plain(" ".join(self.action))
            if body:
                self.add("action", body)
            self.action.clear()

    def close_speech(self) -> None:
        if self.speech:
            self.elements[-1].text = _plain(" ".join(self.speech))
            self.speech = []

    def run(self) -> list[Element]:
        n = len(self.lines)
        for i, raw in enumerate(self.lines):
            line = raw.strip()
            prev_blank = i == 0 or not self.lines[i - 1].strip()
            next_blank = i + 1 >= n or not self.lines[i + 1].strip()
            if not line:
                self.flush_action()
                # two spaces on a "blank" line keep a dialogue block going (spec); a real blank ends it
                if not raw.startswith("  "):
                    self.close_speech()
                    self.speaker = None
            elif self.speaker is not None:
                self.dialogue(line)
            elif line.startswith("!"):  # forced action
                self.action.append(line[1:])
            elif not (self.marked(line) or self.heading(line, prev_blank)
                      or self.transition(line, prev_blank, next_blank) or self.cue(line, prev_blank, next_blank)):
                self.action.append(line)
        self.flush_action()
        self.close_speech()
        return self.elements

    def dialogue(self, line: str) -> None:
        if line.startswith("(") and line.endswith(")"):
            self.add("parenthetical", _plain(line), character=self.speaker)
        elif self.speech:
            self.speech.append(line)
        else:
            self.add("dialogue", "", character=self.speaker)
            self.speech = [line]

    def marked(self, line: str) -> bool:
        """Page breaks, sections, synopses, lyrics, centered text and forced transitions."""
        if re.fullmatch(r"={3,}", line):
            kind, text = "page_break", ""
        elif line.startswith("#"):
            kind, text = "section", _plain(line.lstrip("#"))
        elif line.startswith("=") and not line.startswith("=="):
            kind, text = "synopsis", _plain(line[1:])
        elif line.startswith("~"):
            kind, text = "lyrics", _plain(line[1:])
        elif line.startswith(">") and line.endswith("<"):
            kind, text = "centered", _plain(line[1:-1])
        elif line.startswith(">"):
            kind, text = "transition", _plain(line[1:]).upper()
        else:
            return False
        self.flush_action()
        self.add(kind, text)
        return True

    def heading(self, line: str, prev_blank: bool) -> bool:
        forced = line.startswith(".") and not line.startswith("..")
        if not (prev_blank and (forced or _SCENE_RE.match(line))):
            return False
        self.flush_action()
        heading = line[1:] if forced else line
        number = None
        m = _SCENE_NUMBER_RE.search(heading)
        if m:
            number, heading = m.group(1), heading[: m.start()]
        self.scene += 1
        self.add("scene_heading", _plain(heading).upper() if not forced else _plain(heading), scene_number=number)
        return True

    def transition(self, line: str, prev_blank: bool, next_blank: bool) -> bool:
        """`... TO:` alone in caps (the spec), and the few transitions screenplays write without it
        (FADE IN:, FADE OUT., FADE TO BLACK., CUT TO BLACK.): an action shot of "FADE OUT." is a bug."""
        caps = line == line.upper() and re.search(r"[A-Z]", line)
        if not (prev_blank and next_blank and caps and (line.endswith("TO:") or _BARE_TRANSITION_RE.match(line))):
            return False
        self.flush_action()
        self.add("transition", _plain(line))
        return True

    def cue(self, line: str, prev_blank: bool, next_blank: bool) -> bool:
        forced = line.startswith("@")
        if not (prev_blank and not next_blank and (forced or _is_character_cue(line))):
            return False
        self.flush_action()
        cue = line[1:] if forced else line
        dual = cue.rstrip().endswith("^")
        cue = cue.rstrip().rstrip("^").strip()
        ext = "; ".join(x.strip() for x in _EXTENSION_RE.findall(cue)) or None
        name = _plain(_EXTENSION_RE.sub("", cue)).strip()
        self.add("character", name, character=name, extension=ext, dual=dual)
        self.speaker = name
        return True


def parse_fountain(text: str) -> Screenplay:
    """Parse Fountain text into a title page and a list of elements."""
    title_page, lines = _split_title_page(_writer_lines(text))
    title_page = {k: "\n".join(_plain(x) for x in v.split("\n")) for k, v in title_page.items()}
    return Screenplay(title_page=title_page, elements=_Parser(lines).run())


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
