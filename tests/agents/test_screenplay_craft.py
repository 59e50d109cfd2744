"""Screenplay craft: centred text is a title card, transitions end the shot before them, dual dialogue
is one two-shot of both speakers, and a V.O./O.S. line is heard, not seen spoken; the title card is
drawn centred, wrapped and inside the frame."""

from __future__ import annotations

import numpy as np
import pytest

from talos_assets.agents.direction.craft import (
    dialogue_parts,
    screenplay_transition,
    title_seconds,
    transitions_from_plan,
)
from talos_assets.agents.direction.film import direct_film
from talos_assets.agents.direction.screenplay import beats_from_screenplay, is_off_screen, transition_kind
from talos_assets.agents.title_card import SAFE_W, card_colors, draw_title_card
from talos_assets.agents.voice.lines import spoken_line
from talos_assets.spec import CameraMove, Palette
from talos_assets.story import parse_story

PALETTE = Palette.from_hex_list("dusk", ["#1b1a2e", "#f3d9b1", "#6b3f2a", "#2e5a7a", "#e0a030", "#222222",
                                         "#89b4d6", "#4a6b3a"])
CAST = ["talos", "mira", "pip"]

SCRIPT = """\
Title: The Lantern

FADE IN:

> THE LANTERN <

EXT. SHORE - DUSK

TALOS polishes the lantern.

TALOS (V.O.)
I kept this light for a hundred years.

SMASH CUT TO:

INT. ROOM - NIGHT

MIRA
Hello?

TALOS
(warmly)
Hi.

PIP ^
Hey!

NARRATOR (V.O.)
And so it ended.

DISSOLVE TO:

MIRA (O.S.)
Come back!

MIRA (CONT'D)
Please.

FADE OUT.

> THE END <
"""


def _plan(script: str = SCRIPT, **kw):
    story = parse_story("title: t\nfps: 12\nscript: |\n" + "".join(f"  {ln}\n" for ln in script.splitlines()))
    return direct_film(story, PALETTE, cast=CAST, **kw)


@pytest.fixture(scope="module")
def plan():
    return _plan(line_seconds=lambda text, speaker: 1.0)


def _shot(plan, text: str):
    return next(s for s in plan.shots if text in s.description)


@pytest.mark.parametrize("text, kind", [
    ("CUT TO:", "cut"), ("MATCH CUT TO:", "cut"), ("SMASH CUT TO:", "whip-pan"), ("DISSOLVE TO:", "dissolve"),
    ("FADE OUT.", "dip-to-black"), ("FADE TO BLACK.", "dip-to-black"), ("CUT TO BLACK.", "dip-to-black"),
    ("WHIP PAN TO:", "whip-pan"), ("FADE IN:", None), ("TIME CUT:", "cut"),
])
def test_transition_words(text, kind):
    assert transition_kind(text) == kind


def test_extensions():
    assert is_off_screen("V.O.") and is_off_screen("O.S.") and is_off_screen("O.C.") and is_off_screen("V.O.; CONT'D")
    assert not is_off_screen("CONT'D") and not is_off_screen(None) and not is_off_screen("")


def test_centred_text_is_a_title_card(plan):
    titles = [s for s in plan.shots if s.beat == "title"]
    assert [s.title_text for s in titles] == ["THE LANTERN", "THE END"]
    for s in titles:
        assert s.characters == [] and s.actions == [] and s.props == [] and s.effects == []
        assert s.camera == CameraMove.static and s.speaker is None
        assert s.duration == pytest.approx(title_seconds(s.title_text), abs=1 / s.fps)
    # the card does not open its scene: the scene's first real shot still establishes
    assert _shot(plan, "polishes").shot_size.value == "establishing"


def test_transitions_end_the_shot_before_them(plan):
    assert _shot(plan, "hundred years").transition_out == "whip-pan"  # SMASH CUT TO:
    assert _shot(plan, "so it ended").transition_out == "dissolve"
    assert _shot(plan, "Please").transition_out == "dip-to-black"  # FADE OUT. before THE END
    assert plan.shots[0].transition_out is None  # FADE IN: opens, it ends nothing
    assert _shot(plan, "Hello").transition_out is None
    assert transitions_from_plan(plan) == {s.shot_id: s.transition_out for s in plan.shots if s.transition_out}
    assert screenplay_transition(_shot(plan, "so it ended"), 12) == ("dissolve", 12)
    assert screenplay_transition(_shot(plan, "hundred years"), 12) == ("whip-pan", 3)
    assert screenplay_transition(_shot(plan, "Hello"), 12) is None


def test_dual_dialogue_is_one_two_shot_of_both(plan):
    duo = _shot(plan, "Hi.")
    assert duo.beat == "dialogue" and duo.speakers == ["talos", "pip"] and duo.speaker == "talos"
    assert {"talos", "pip"} <= set(duo.characters)
    assert duo.shot_size.value in ("medium", "wide", "establishing")
    assert duo.description == 'TALOS (warmly): "Hi."\nPIP: "Hey!"'
    talkers = {a.character for a in duo.actions if a.action == "talk"}
    assert talkers == {"talos", "pip"}
    parts = dialogue_parts(duo)
    assert [(who, spoken_line(d).text) for who, d in parts] == [("talos", "Hi."), ("pip", "Hey!")]
    # both lines are heard: the shot lasts at least both voices
    assert duo.duration >= 2 * 1.0
    assert "Hey" not in " ".join(s.description for s in plan.shots if s is not duo)


def test_off_screen_lines_are_heard_not_seen(plan):
    vo = _shot(plan, "hundred years")
    assert vo.off_screen and vo.speaker == "talos" and vo.speakers == ["talos"]
    assert vo.characters == ["talos"]  # he is in the scene: seen, silent, under his own voice-over
    assert not any(a.action == "talk" for a in vo.actions)
    assert spoken_line(vo.description).off_screen  # the voice reads the extension from the description too
    narrator = _shot(plan, "so it ended")  # NARRATOR borrows talos's rig (the studio has three); the room is framed
    assert narrator.off_screen and narrator.speaker == "talos" and narrator.characters == ["mira", "pip"]
    assert not any(a.action == "talk" for a in narrator.actions)
    os_line = _shot(plan, "Come back")
    assert os_line.off_screen and "mira" not in os_line.characters and os_line.characters
    assert not any(a.action == "talk" for a in os_line.actions)


def test_contd_keeps_the_speaker_on_screen(plan):
    more = _shot(plan, "Please")
    assert not more.off_screen and more.speaker == "mira" and "mira" in more.characters
    assert any(a.character == "mira" and a.action == "talk" for a in more.actions)
    assert "(warmly)" not in spoken_line(_shot(plan, "Hi.").description.split("\n")[0]).text


def test_voice_over_of_someone_not_in_the_scene_is_not_framed():
    text = "EXT. SHORE - DUSK\n\nMIRA waits by the sea.\n\nTALOS (V.O.)\nShe waited.\n"
    beats, scenes, _ = beats_from_screenplay(text, {}, CAST)
    vo = beats[-1]
    assert vo.off_screen and vo.speaker == "talos" and vo.characters == ["mira"]
    assert scenes[0].cast == ["mira"]  # the voice is not put in the scene
    plan = _plan(text)
    assert plan.shots[-1].characters == ["mira"] and plan.shots[-1].off_screen


def test_title_card_is_centred_and_in_the_palette():
    card = draw_title_card("THE END", PALETTE, 320, 180)
    assert card.shape == (180, 320, 4) and card.dtype == np.float32 and np.all(card[..., 3] == 1.0)
    plate, ink, _ = card_colors(PALETTE)
    dist = np.linalg.norm(card[..., :3] - ink, axis=2)
    inked = dist < 0.25 * np.linalg.norm(ink - plate)
    assert inked.sum() > 150  # the words are drawn
    ys, xs = np.nonzero(inked)
    assert abs(xs.mean() - 160) < 320 * 0.05 and abs(ys.mean() - 90) < 180 * 0.08
    assert np.allclose(card[2, 160, :3], plate, atol=0.01)  # the plate is the darkest swatch
    assert np.array_equal(card, draw_title_card("THE END", PALETTE, 320, 180))  # deterministic


def test_long_title_wraps_inside_the_frame():
    text = ("THE LANTERN KEEPER: A STORY OF A HUNDRED YEARS OF LIGHT AND OF THE SHIPS THAT CAME HOME "
            "AGAIN AND AGAIN THROUGH THE STORMS")
    card = draw_title_card(text, PALETTE, 320, 180)
    plate, ink, _ = card_colors(PALETTE)
    inked = np.linalg.norm(card[..., :3] - ink, axis=2) < 0.25 * np.linalg.norm(ink - plate)
    ys, xs = np.nonzero(inked)
    margin = (1 - SAFE_W) / 2 * 320
    assert xs.min() >= margin - 4 and xs.max() <= 320 - margin + 4  # title-safe, nothing cut by the frame
    assert ys.min() > 0 and ys.max() < 179
    rows = np.flatnonzero(inked.any(axis=1))
    assert (np.diff(rows) > 1).sum() >= 2  # wrapped on several lines
    assert abs(xs.mean() - 160) < 320 * 0.06


def test_title_card_refuses_a_tiny_frame():
    with pytest.raises(ValueError, match="8x8"):
        draw_title_card("X", PALETTE, 4, 4)


def test_voice_over_an_empty_place_shows_the_place():
    plan = _plan("EXT. SHORE - DUSK\n\nThe sea is calm.\n\nTALOS (V.O.)\nI remember the sea.\n")
    vo = plan.shots[-1]
    assert vo.off_screen and vo.characters == [] and vo.actions == [] and vo.shot_size.value == "wide"


def test_title_card_without_a_scalable_font_uses_hershey(monkeypatch):
    from talos_assets.agents import title_card

    monkeypatch.setattr(title_card, "_face", lambda size: title_card._Face(size, None))  # Pillow < 10.1
    card = title_card.draw_title_card("THE END OF THE LONG NIGHT AT SEA", PALETTE, 320, 180)
    plate, ink, _ = card_colors(PALETTE)
    inked = np.linalg.norm(card[..., :3] - ink, axis=2) < 0.25 * np.linalg.norm(ink - plate)
    ys, xs = np.nonzero(inked)
    assert inked.sum() > 150 and abs(xs.mean() - 160) < 320 * 0.06 and abs(ys.mean() - 90) < 180 * 0.1
    assert xs.min() > 0 and xs.max() < 319
