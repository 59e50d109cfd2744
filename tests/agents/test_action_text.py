"""Prism reads what each character does from a line's verbs: subjects, targets, phrasal verbs,
negation, several clauses and pronouns; and the held-out figures of the labelled action set."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
import yaml

from talos_assets.agents.direction.action_lexicon import ACTION_WORDS, builtin_lexicon
from talos_assets.agents.direction.action_text import read_actions
from talos_assets.agents.direction.vocabulary import builtin_vocabulary
from talos_assets.spec import ACTIONS, CharacterAction, WorldVocabulary

REPO = Path(__file__).resolve().parents[2]


def _read(text: str, characters: list[str], **kw) -> list[tuple]:
    return [(a.character, a.action, a.target) for a in read_actions(text, characters, **kw)]


def test_the_give_sentence_has_recipient_and_object():
    acts = read_actions("Pip hands Mira the book.", ["pip", "mira"])
    assert acts == [CharacterAction(character="pip", action="give", target="mira", target_kind="character",
                                    prop="book")]
    moved = read_actions("Mira gives the book to Pip.", ["pip", "mira"])
    assert [(a.character, a.target, a.prop) for a in moved] == [("mira", "pip", "book")]
    tossed = read_actions("Pip picks up the key and tosses it to Mira.", ["pip", "mira"])
    assert [(a.action, a.target, a.prop) for a in tossed] == [("pick_up", "key", "key"), ("throw", "mira", "key")]


@pytest.mark.parametrize("text, expected", [
    ("Mira looks at Pip.", [("mira", "look_at", "pip")]),
    ("Pip walks to the door.", [("pip", "walk", "door")]),
    ("Talos hammers the anvil.", [("talos", "hammer", "anvil")]),
    ("Talos strikes his chest.", [("talos", "strike", None)]),  # his own chest: no target
    ("Mira points at the moon.", [("mira", "point", "moon")]),
    ("Pip walks with Mira to the well.", [("pip", "walk", None)]),  # a companion, not a destination
    ("Mira looks at Pip's kite.", [("mira", "look_at", "kite")]),
    ("Everyone looks at Pip.", [("talos", "look_at", "pip"), ("mira", "look_at", "pip")]),
])
def test_subjects_and_targets(text, expected):
    assert _read(text, ["talos", "mira", "pip"]) == expected


def test_names_match_any_case_and_aliases_and_keep_the_callers_spelling():
    assert _read("MIRA waves at the old robot.", ["Mira", "Talos"], aliases={"old robot": "talos"}) == [
        ("Mira", "wave", "Talos")]
    assert _read("The robot sits down.", ["talos"], aliases={"robot": "talos"}) == [("talos", "sit_down", None)]


@pytest.mark.parametrize("text, action", [
    ("Pip sits by the fire.", "sit"), ("Pip sits down.", "sit_down"), ("Pip gets up.", "stand_up"),
    ("Pip picks up the ball.", "pick_up"), ("Pip picks the ball up.", "pick_up"), ("Pip lies down.", "lie_down"),
    ("Pip falls asleep.", "sleep"), ("Pip falls.", "fall"), ("Pip falls to his knees.", "kneel"),
    ("Pip gazes up at the stars.", "gaze_up"), ("Pip looks at the sky.", "gaze_up"),
    ("Pip shakes his head.", "shake_head"), ("Pip shakes.", "tremble"), ("Pip embraces Mira.", "hug"),
    ("Pip throws his arms around Mira.", "hug"), ("Pip tosses the ball.", "throw"),
    ("Pip bursts into tears.", "cry"), ("Pip bows to Mira.", "bow"), ("Pip ran.", "run"), ("Pip sat.", "sit"),
    ("Pip lay on the bed.", "lie_down"), ("Pip is walking home.", "walk"), ("Pip knelt.", "kneel"),
    ("Pip was dancing.", "dance"), ("Pip carried the basket.", "carry"), ("Pip hurries home.", "run"),
])
def test_phrasal_verbs_synonyms_and_inflections(text, action):
    assert [a for _, a, _ in _read(text, ["pip", "mira"])] == [action]


def test_shaking_hands_and_hugging_are_reciprocal_for_two_subjects():
    assert _read("Pip and Mira shake hands.", ["pip", "mira"]) == [
        ("pip", "shake_hands", "mira"), ("mira", "shake_hands", "pip")]
    assert _read("They hug.", ["pip", "mira"]) == [("pip", "hug", "mira"), ("mira", "hug", "pip")]
    assert _read("They look at each other.", ["pip", "mira"]) == [("pip", "look_at", "mira"), ("mira", "look_at", "pip")]


@pytest.mark.parametrize("text", ["Pip does not sit.", "Pip never runs.", "Pip refuses to dance.",
                                  "Pip doesn't look at Mira.", "Pip wants to jump.", "Nobody dances.",
                                  "Pip cannot sit still."])
def test_negated_or_wished_acts_are_not_acted(text):
    assert _read(text, ["pip", "mira"]) == []


def test_two_negations_cancel_and_a_contrast_keeps_its_positive_half():
    assert _read("Pip can't stop laughing.", ["pip"]) == [("pip", "laugh", None)]
    assert _read("Pip does not sit but stands.", ["pip"]) == [("pip", "stand", None)]
    assert _read("Pip laughs but Mira does not.", ["pip", "mira"]) == [("pip", "laugh", None)]


def test_several_clauses_act_in_clause_order_for_each_subject():
    assert _read("They laugh and dance.", ["pip", "mira"]) == [
        ("pip", "laugh", None), ("mira", "laugh", None), ("pip", "dance", None), ("mira", "dance", None)]
    assert _read("Pip sits down on the bench, then looks at Mira and waves.", ["pip", "mira"]) == [
        ("pip", "sit_down", "bench"), ("pip", "look_at", "mira"), ("pip", "wave", None)]
    assert _read("Pip runs to hug Mira.", ["pip", "mira"]) == [("pip", "run", "mira"), ("pip", "hug", "mira")]


def test_pronouns_resolve_to_the_last_named_character():
    assert _read("Talos enters. He sits down.", ["talos", "mira"]) == [("talos", "walk", None), ("talos", "sit_down", None)]
    assert _read("Pip hands Mira the book. She smiles at him.", ["pip", "mira"])[-1] == ("mira", "look_at", "pip")
    assert _read("They sit together.", ["talos", "mira"]) == [("talos", "sit", None), ("mira", "sit", None)]
    assert _read("Her hands tremble.", ["mira"]) == [("mira", "tremble", None)]


def test_a_line_without_a_subject_acts_its_only_character_and_a_thing_acts_nobody():
    assert _read("Sits by the fire.", ["pip"]) == [("pip", "sit", None)]
    assert _read("Sits by the fire.", ["pip", "mira"]) == []
    assert _read("The wind pushes the boat.", ["pip"]) == []
    assert _read("The crowd cheers as Pip celebrates.", ["pip"]) == [("pip", "celebrate", None)]
    assert _read("Pip watches the dance.", ["pip"]) == [("pip", "look_at", None)]  # a noun after "the"
    assert _read("Ada runs her fingers through her hair.", ["ada"]) == []


def test_passives_copulas_and_opening_nouns():
    assert _read("Mira is lifted by Talos.", ["talos", "mira"]) == [("talos", "pick_up", "mira")]
    assert _read("Mira is carried away.", ["talos", "mira"]) == []  # done to her, by nobody named
    assert _read("Pip looks tired.", ["pip"]) == []
    assert _read("Waves crash. Pip runs.", ["pip"]) == [("pip", "run", None)]
    assert _read("Waves goodbye.", ["pip"]) == [("pip", "wave", None)]
    assert _read("He sits on the steps and waits.", ["pip"]) == [("pip", "sit", None)]  # waiting keeps the seat


def test_smiling_alone_is_no_action():
    assert _read("Mira smiles.", ["mira"]) == []


def test_props_come_from_the_studio_vocabulary_and_the_extra_ids():
    vocab = builtin_vocabulary().model_copy(deep=True)
    vocab.props["telescope"] = ["telescope", "spyglass"]
    vocab = WorldVocabulary.model_validate(vocab.model_dump())
    lifted = read_actions("Pip lifts the spyglass.", ["pip"], vocabulary=vocab)
    assert [(a.action, a.target, a.prop) for a in lifted] == [("pick_up", "telescope", "telescope")]
    orb = read_actions("Pip hands Mira the magic-orb.", ["pip", "mira"], props=["magic-orb"])
    assert [(a.target, a.prop) for a in orb] == [("mira", "magic-orb")]
    assert read_actions("(beat)", ["pip"]) == []  # a screenplay pause, not a blow


def test_quoted_speech_is_spoken_not_acted():
    assert _read("\u201cCome here,\u201d Mira says, waving.", ["mira"]) == [("mira", "talk", None), ("mira", "wave", None)]
    assert _read('"Run!" shouts Pip, and he runs.', ["pip"]) == [("pip", "talk", None), ("pip", "run", None)]


def test_a_prop_word_used_as_a_noun_is_not_a_verb():
    assert _read("Talos walks to the forge, hammer in hand.", ["talos"]) == [("talos", "walk", None)]
    assert _read("Pip holds the lantern close.", ["pip"]) == [("pip", "hold", "lantern")]


def test_every_action_id_has_words_and_its_verb_reads_back():
    table = yaml.safe_load(ACTION_WORDS.read_text())["actions"]
    assert set(ACTIONS) <= set(table)
    lex = builtin_lexicon()
    for action in ACTIONS:
        verb = table[action][0].split()
        word = verb[0] + ("es" if verb[0].endswith(("sh", "ch", "s")) else "s")
        text = f"Pip {' '.join([word, *verb[1:]])}."
        assert lex.verb_lemma(word) == verb[0], text
        assert [a for _, a, _ in _read(text, ["pip"])] == [action], text


def _bench():
    spec = importlib.util.spec_from_file_location("action_extraction", REPO / "bench" / "action_extraction.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@pytest.fixture(scope="module")
def held_out():
    bench = _bench()
    items = bench.load_eval()
    assert len(items) >= 100 and any(it["text"] == "Pip hands Mira the book." for it in items)
    res = bench.evaluate(items)
    assert 0.2 <= res["held-out"]["lines"] / len(items) <= 0.4
    return res["held-out"]["levels"]


@pytest.mark.parametrize("level", ["action", "target", "prop"])
def test_held_out_figures_meet_the_target(held_out, level):
    # measured 0.987 recall / 0.975 precision at every level on 64 held-out lines, the blind riding batch
    # included (bench/results/action_extraction.json); the target is 0.9
    fig = held_out[level]
    assert fig["expected"] >= 70 and fig["recall"] >= 0.98 and fig["precision"] >= 0.97, fig
