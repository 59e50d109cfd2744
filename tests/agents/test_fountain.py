"""Fountain screenplay parsing: the elements of the syntax (fountain.io) come out typed; notes and the boneyard do not."""

from __future__ import annotations

from pathlib import Path

import pytest

from talos_assets.agents.direction.fountain import looks_like_fountain, parse_fountain
from talos_assets.story import StoryError, parse_story, resolve_screenplay

SAMPLE = """\
Title: Brick & Steel
Credit: Written by
Author: Stu Maschwitz
Draft date: 1/27/2012
Contact:
    Next Level Productions
    1588 Mission Dr.

EXT. BRICK'S PATIO - DAY #1#

A gorgeous day. The sun is shining. [[Is it, though?]]

/* STEEL
This dialogue was cut and lives in the boneyard.
*/

BRICK
(grinning)
This is a Southern California patio.

STEEL (O.S.)
Sure is.
(beat)
Every summer.

CUT TO:

.SNIPER SCOPE POV

!SCREAMING MAN runs across the frame.

@McCLANE
Yippee ki-yay.

INT. KITCHEN - NIGHT

>THE END<

> FADE TO BLACK.

~Willy Wonka! Willy Wonka!
"""


def test_elements_of_a_sample_script():
    sp = parse_fountain(SAMPLE)
    assert sp.title_page["title"] == "Brick & Steel"
    assert sp.title_page["contact"].splitlines() == ["Next Level Productions", "1588 Mission Dr."]
    assert sp.scene_headings == ["EXT. BRICK'S PATIO - DAY", "SNIPER SCOPE POV", "INT. KITCHEN - NIGHT"]
    assert sp.of_kind("scene_heading")[0].scene_number == "1"
    assert sp.characters == ["BRICK", "STEEL", "McCLANE"]
    steel = sp.of_kind("character")[1]
    assert steel.extension == "O.S."
    dialogue = [(e.character, e.text) for e in sp.of_kind("dialogue")]
    assert dialogue == [("BRICK", "This is a Southern California patio."), ("STEEL", "Sure is."),
                        ("STEEL", "Every summer."), ("McCLANE", "Yippee ki-yay.")]
    parens = [(e.character, e.text) for e in sp.of_kind("parenthetical")]
    assert parens == [("BRICK", "(grinning)"), ("STEEL", "(beat)")]
    assert [e.text for e in sp.of_kind("transition")] == ["CUT TO:", "FADE TO BLACK."]
    assert [e.text for e in sp.of_kind("centered")] == ["THE END"]
    assert [e.text for e in sp.of_kind("lyrics")] == ["Willy Wonka! Willy Wonka!"]
    actions = [e.text for e in sp.of_kind("action")]
    assert actions == ["A gorgeous day. The sun is shining.", "SCREAMING MAN runs across the frame."]
    # notes and the boneyard never reach the screen
    everything = " ".join(e.text for e in sp.elements)
    assert "Is it, though" not in everything and "boneyard" not in everything
    # every element knows its scene
    assert [e.scene for e in sp.of_kind("dialogue")] == [0, 0, 0, 1]


def test_caps_in_action_is_not_a_character():
    sp = parse_fountain("INT. HALL - DAY\n\nThe door opens.\nBANG.\n\nHe waits.\n")
    assert sp.of_kind("character") == [] and sp.of_kind("dialogue") == []
    assert len(sp.of_kind("action")) == 2


def test_prose_is_not_fountain():
    assert looks_like_fountain("EXT. SHORE - DUSK\n\nTalos waits.\n")
    assert looks_like_fountain("Title: x\n\nINT. ROOM - DAY\n\nQuiet.")
    assert not looks_like_fountain("Talos waits on the shore. Interior thoughts come and go.")


def test_story_points_at_a_screenplay(tmp_path: Path):
    story = parse_story("title: t\nscreenplay: missing.fountain\n")
    with pytest.raises(StoryError, match="screenplay file 'missing.fountain' was not found") as info:
        resolve_screenplay(story, tmp_path / "story.yaml")
    assert "\n" not in str(info.value)
    (tmp_path / "play.fountain").write_text("EXT. SHORE - DUSK\n\nTalos waits.\n")
    story = parse_story("title: t\nscreenplay: play.fountain\n")
    assert resolve_screenplay(story, tmp_path / "story.yaml") == (tmp_path / "play.fountain").resolve()
    (tmp_path / "notes.pdf").write_text("x")
    with pytest.raises(StoryError, match="not a Fountain file"):
        resolve_screenplay(parse_story("title: t\nscreenplay: notes.pdf\n"), tmp_path / "story.yaml")


def test_emphasis_is_stripped_like_the_markdown_regex():
    """The linear emphasis stripper gives exactly what the lazy regex gives, on every small string."""
    import itertools
    import re

    from talos_assets.agents.direction.fountain import _strip_emphasis

    regex = re.compile(r"(\*{1,3}|_)(?=\S)(.+?)(?<=\S)\1")
    for n in range(1, 8):
        for chars in itertools.product("a *_\n", repeat=n):
            text = "".join(chars)
            assert _strip_emphasis(text) == regex.sub(lambda m: m.group(2), text), repr(text)
    assert parse_fountain("INT. HALL - DAY\n\nA ***very*** _quiet_ **hall**.\n").of_kind("action")[0].text == \
        "A very quiet hall."


@pytest.mark.parametrize("hostile", [
    "EXT. A - DAY\n\nBOB\n" + "hello there friend\n" * 20_000,  # one endless speech
    "EXT. A - DAY\n\n" + "_a " * 100_000,  # emphasis openers that never close
    "EXT. A - DAY\n\nBOB\n" + "*a\n" * 100_000,
    "/* " * 100_000,  # a boneyard that never closes
    "INT. B\n\n" + "[[ " * 100_000,  # notes that never close
])
def test_a_hostile_screenplay_parses_in_linear_time(hostile):
    import time

    t0 = time.perf_counter()
    parse_fountain(hostile)
    assert time.perf_counter() - t0 < 5.0  # ~0.3 MB; the quadratic parser took minutes on such input


def test_bare_fade_lines_are_transitions_not_action():
    sp = parse_fountain("FADE IN:\n\nEXT. SHORE - DUSK\n\nThe sea rolls.\n\nFADE OUT.\n\nFADE TO BLACK.\n\n"
                        "The door opens.\nFADE OUT.\n")
    assert [e.text for e in sp.of_kind("transition")] == ["FADE IN:", "FADE OUT.", "FADE TO BLACK."]
    # inside a paragraph the same words are the paragraph's
    assert [e.text for e in sp.of_kind("action")] == ["The sea rolls.", "The door opens. FADE OUT."]


def test_dual_dialogue_and_extensions_on_cues():
    sp = parse_fountain("INT. ROOM - DAY\n\nBRICK\nHi.\n\nSTEEL (V.O.) ^\nHey.\n\nBRICK (CONT'D)\nBye.\n")
    cues = sp.of_kind("character")
    assert [(c.text, c.extension, c.dual) for c in cues] == [("BRICK", None, False), ("STEEL", "V.O.", True),
                                                            ("BRICK", "CONT'D", False)]
