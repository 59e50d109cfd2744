"""Prism's emotion reading on real text: VADER's lexicon, negation, punctuation and capitals, the
scene's mood and the previous beat, and the labelled set's held-out accuracy and fallback share."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

import talos_assets
from talos_assets.agents.direction.affect import analyze_affect
from talos_assets.agents.direction.emotion_context import AffectContext, affect_in_context, read_in_context, scene_mood
from talos_assets.agents.direction.emotion_vader import vader_valence
from talos_assets.spec import Emotion

EVAL = Path(talos_assets.__file__).parent / "data" / "emotion_eval.yaml"


@pytest.mark.parametrize("line", ["Nobody came to her birthday party.", "The robot powers down for the last time."])
def test_sad_lines_without_a_sad_word_read_as_sadness(line):
    affect = analyze_affect(line)
    assert affect.emotion == Emotion.sadness and affect.valence < 0 and not affect.neutral


def test_vader_lexicon_is_loaded_and_used():
    lexicon = vader_valence()
    assert len(lexicon) > 7000  # the package's ~7,500 rated words, less the few grammar words set aside
    assert lexicon["horrible"] < -0.5 < 0.5 < lexicon["wonderful"]
    # "dreadfully"/"splendid" aside, a word only VADER knows still gives evidence and a valence sign
    assert analyze_affect("What a pleasant evening.").valence > 0
    bad = analyze_affect("That was a nasty trick.")
    assert bad.valence < 0 and not bad.neutral


@pytest.mark.parametrize("word", ["happy", "afraid", "angry", "calm"])
def test_negation_flips_valence_and_moves_the_emotion(word):
    plain, negated = analyze_affect(f"He is {word}."), analyze_affect(f"He is not {word}.")
    assert plain.valence * negated.valence < 0
    assert negated.emotion != plain.emotion


def test_capitals_and_exclamation_raise_arousal():
    calm = analyze_affect("You broke the clock.")
    bang = analyze_affect("You broke the clock!")
    caps = analyze_affect("You BROKE the clock!")
    assert calm.arousal < bang.arousal < caps.arousal
    assert analyze_affect("Get out.").arousal < analyze_affect("GET OUT!").arousal
    # a trailing "..." lowers it again
    assert analyze_affect("You broke the clock...").arousal < calm.arousal


def test_a_plain_line_takes_the_scene_mood_not_calm():
    plain = "Pass me the cup."
    assert analyze_affect(plain).neutral  # read alone: no evidence, the caller's default
    sad_scene = ["Mira weeps beside her grandmother's grave.", plain, "The rain will not stop."]
    read = read_in_context([(0, line) for line in sad_scene])
    assert read[1].emotion == Emotion.sadness and read[1].source == "context" and not read[1].neutral
    happy_scene = ["Everyone laughs and dances at the wedding.", plain]
    assert read_in_context([(0, line) for line in happy_scene])[1].emotion == Emotion.joy
    # the previous beat carries only within its scene; a scene with no evidence keeps the default
    other_scene = read_in_context([(0, sad_scene[0]), (1, plain)])
    assert other_scene[1].neutral


def test_the_previous_beat_decays_toward_the_scene_mood():
    mood = scene_mood([analyze_affect("A gentle breeze drifts over the peaceful lake.")])
    furious = analyze_affect("He roars in rage and smashes the gate!")
    first = affect_in_context("Pass me the cup.", AffectContext(scene=mood, previous=furious))
    second = affect_in_context("Pass me the cup.", AffectContext(scene=mood, previous=first))
    assert furious.arousal > first.arousal > second.arousal  # halfway to the calm mood each plain beat
    assert second.emotion == Emotion.calm


def test_a_line_with_strong_evidence_keeps_its_own_emotion_in_a_sad_scene():
    mood = scene_mood([analyze_affect("She weeps alone at the funeral.")])
    joy = affect_in_context("They laugh and dance with delight!", AffectContext(scene=mood))
    assert joy.emotion == Emotion.joy


def _held_out_reading():
    items = [i for i in yaml.safe_load(EVAL.read_text())["items"] if i["split"] == "test"]
    reads = []
    for it in items:
        if it.get("context"):
            reads.append(read_in_context([(0, t) for t in [*it["context"], it["text"]]])[-1])
        else:
            reads.append(analyze_affect(it["text"]))
    return items, reads


def _held_out_scores():
    items, reads = _held_out_reading()
    accuracy = sum(r.emotion == Emotion(i["label"]) for i, r in zip(items, reads)) / len(items)
    fallback = sum(r.neutral for r in reads) / len(reads)
    return items, accuracy, fallback


_SESSION_12 = {"s13", "s14", "s15", "s16", "s17", "s18", "s19", "s20", "s21"}
_SESSION_13 = {"s22", "s23", "s24", "s25", "s26", "s27", "s28", "s29", "s30", "s31", "s32",
               "s33", "s34"}  # and session 14's s25-s34
_SESSION_15 = {"s35", "s36", "s37", "s38", "s39", "s40", "s41", "s42", "s43", "s44"}


def test_held_out_accuracy_and_fallback_share_do_not_regress():
    """Floors just under the figures measured: 0.775 on 129 held-out lines with the dialogue acts (0.667
    before), 0.771 on 153 with session 8's lines, 0.754 on 211 with session 11's two blind batches and
    0.78 on those same 211 after session 12's rules. Session 12's nine blind batches (read 0.729, 0.708,
    0.740, 0.625, 0.854, 0.750, 0.792, 0.781 and 0.760 unseen; the fourth is screenplay dialogue carried
    by subtext, the last five natural story lines) bring the whole held-out part to 0.750 on 444 lines
    (0.723 with the session-start reader); the older lines keep their own floor. Session 13's three natural
    batches (0.812, 0.844 and 0.875 unseen) bring it to 0.774 on 532 lines; session 14's ten (0.833, 0.823,
    0.812, 0.792, 0.812, 0.812, 0.896, 0.823, 0.885 and 0.844 unseen) to 0.825 on 796. Session 15's
    ten (0.750, 0.625, 0.771, 0.729 unseen by the rules; s39-s40 0.604 and 0.656 by the rules, 0.729
    and 0.708 with the learned classifier; s41-s44 0.781, 0.698, 0.750 and 0.698 with it) and the
    classifier mixed in (`emotion_model.py`): 0.897 on 962, 0.893 on 1015, 0.889 on 1072."""
    items, reads = _held_out_reading()
    hits = [r.emotion == Emotion(i["label"]) for i, r in zip(items, reads)]
    older = [h for h, i in zip(hits, items) if i.get("batch") not in _SESSION_12 | _SESSION_13 | _SESSION_15]
    assert len(items) >= 300 and sum("kind" in i for i in items) >= 95  # plain lines added for issue 10
    assert sum(i.get("batch") == "s4" for i in items) >= 40  # the second batch, written before it was read
    assert len(older) == 211 and sum(older) / len(older) >= 0.76, f"older held-out {sum(older) / len(older):.3f}"
    assert sum(hits) / len(hits) >= 0.885, f"held-out accuracy {sum(hits) / len(hits):.3f}"
    fallback = sum(r.neutral for r in reads) / len(reads)
    assert fallback < 0.10, f"held-out fallback share {fallback:.3f}"


def test_held_out_accuracy_meets_the_issue_target():
    """0.889 on 1072 held-out lines with the learned classifier mixed in; lines of a new writer, read
    before any of them is learnt, still read 0.70-0.78 (batches s39-s44)."""
    _, accuracy, _ = _held_out_scores()
    assert accuracy >= 0.85, f"held-out accuracy {accuracy:.3f}"


def test_the_classifier_learns_from_the_tuning_part_only_and_named_emotions_lead():
    from talos_assets.agents.direction import emotion_model

    items = yaml.safe_load(EVAL.read_text())["items"]
    assert all(emotion_model.tuning_part(i["text"]) == (i["split"] == "train") for i in items)
    line = "Ben slams the ledger shut and kicks the stool across the shop."
    probs = emotion_model.emotion_probabilities(line)
    assert abs(sum(probs.values()) - 1.0) < 1e-6 and max(probs, key=probs.get) == Emotion.anger
    emotion_model._classifier.cache_clear()  # fitted again from scratch: the same weights
    assert emotion_model.emotion_probabilities(line) == probs
    # a line that names its feeling keeps it whatever the classifier leans to
    for word, emotion in (("calm", Emotion.calm), ("furious", Emotion.anger), ("terrified", Emotion.fear)):
        assert analyze_affect(f"He is {word}.").emotion == emotion


def test_screenplay_lines_rarely_fall_back_in_context():
    from talos_assets.agents.direction.screenplay import beats_from_screenplay

    path = Path(talos_assets.__file__).parent.parent / "examples" / "lighthouse_keepers.fountain"
    beats, scenes, _ = beats_from_screenplay(path.read_text(), {}, ["talos", "mira", "pip"])
    assert sum(b.kind == "dialogue" for b in beats) >= 20
    lines = [(b.scene, f"{b.parenthetical} {b.text}".strip()) for b in beats]
    read = read_in_context(lines, [s.heading for s in scenes])
    assert sum(r.neutral for r in read) / len(read) < 0.10


# Dialogue acts (`emotion_acts.py`): lines written for these tests, not taken from the evaluation set.
@pytest.mark.parametrize("line, emotion", [
    ("You're moving to the coast? Next week?", Emotion.surprise),           # declarative / fragment question
    ("Did you smell that?", Emotion.fear),                              # alarm at a percept
    ("You never help. You never even try.", Emotion.anger),             # habitual accusation
    ("Touch my garden again and you'll regret it.", Emotion.anger),     # threat
    ("There, there. It was only the thunder.", Emotion.calm),           # reassurance
    ("Stay for supper. There's no hurry at all.", Emotion.calm),        # hospitality
    ("I'll swim across if I have to.", Emotion.determination),         # resolution
    ("It's just us now.", Emotion.sadness),                             # what is gone
    ("The desert goes on forever.", Emotion.awe),                       # wonder at scale
    ("We made it! We actually made it!", Emotion.joy),                  # success celebrated
    ("Ugh. The pump is jammed again.", Emotion.anger),                  # interjection
    ("Rosa lays a place at the empty chair, as she does every night.", Emotion.sadness),  # someone absent
    ("He polishes the silver locket and puts it away.", Emotion.sadness),  # a keepsake handled
    # situations from the blind batches' tuning parts (new wording here)
    ("The kitchen feels enormous without her humming.", Emotion.sadness),  # absence
    ("The radio dies just as the footsteps reach the landing.", Emotion.fear),  # a light or machine fails
    ("The stranger is still behind them, two streets later.", Emotion.fear),  # "still" is not stillness here
    ("Ada sees red when the twins spill paint on her map.", Emotion.anger),  # an idiom
    ("Omar refuses to give up and swims for the buoy again.", Emotion.determination),
    ("The lanterns drift up as far as Mira can see.", Emotion.awe),
    # session 12's blind batches' tuning parts (new wording here)
    ("Pip rewrites the spell line by line until it works.", Emotion.determination),  # keeping at it
    ("Mira's scarf still hangs where she left it.", Emotion.sadness),  # left where someone left it
    ("The teapot clears its throat and starts to talk.", Emotion.surprise),  # an object that talks
    ("Ben backs away from the humming crate, not daring to blink.", Emotion.fear),
    ("Omar spits out his tea when the goat walks into the office.", Emotion.surprise),
    ("You read my letters? You had no right.", Emotion.anger),  # a right denied
    ("Please, take the cart. I have children.", Emotion.fear),  # a plea
    ("The shop's scan is clear. You can go home.", Emotion.joy),  # good news
    ("Talos pulls himself up by the railing and walks on.", Emotion.determination),
    # session 15's blind batches' tuning parts (new wording here)
    ("Duck! It's right behind you!", Emotion.fear),  # an order to flee, a thing close
    ("Ben goes stiff as the cellar door creaks.", Emotion.fear),
    ("Grandpa won't wake up, Mira.", Emotion.sadness),  # a loss that cannot be undone
    ("The band plays on. Everyone else already left.", Emotion.sadness),
    ("Fine. We'll build it ourselves.", Emotion.determination),
    ("Lena falls off the wall, dusts off her knees and climbs back on.", Emotion.determination),
    ("Omar reels back as the statue turns its head.", Emotion.surprise),
    ("The dishes can wait. Sit with me.", Emotion.calm),
    ("Who opened my cage of crickets?", Emotion.anger),
    ("Say that again and you can walk home.", Emotion.anger),
    ("It rolled! Talos, it rolled on its own!", Emotion.joy),
])
def test_dialogue_acts_name_the_emotion_of_plain_lines(line, emotion):
    affect = analyze_affect(line)
    assert affect.emotion == emotion and not affect.neutral, (line, affect.emotion, affect.matched)


def test_dialogue_acts_leave_other_questions_and_plain_orders_alone():
    from talos_assets.agents.direction.emotion_acts import declarative_question, dialogue_acts

    assert declarative_question("you're leaving tonight?")
    assert not declarative_question("are you leaving tonight?")  # a yes/no question asks, it does not doubt
    assert not declarative_question("where is the key?")
    assert not declarative_question("you're leaving, aren't you?")  # a tag question expects yes
    assert not declarative_question("hello?")  # calling out
    assert dialogue_acts("Pass me the cup.") == [] and analyze_affect("Pass me the cup.").neutral
    # a past complaint is not the habitual accusation; a parenthetical is not part of the grammar
    assert dialogue_acts("You never told me.") == []
    assert dialogue_acts("(looking up at the tower) Why isn't the lamp lit?") == []


def test_look_alike_words_are_not_read_as_the_emotion_word_they_resemble():
    from talos_assets.agents.direction.lexicon import lemma

    assert lemma("wind") is None and lemma("sweater") is None  # not "win", not "sweat"
    assert lemma("wins") == "win" and lemma("sweating") == "sweat"
