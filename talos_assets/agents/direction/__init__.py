"""Prism, the director: turns a story into a scene graph and a film plan of shots with emotion, size,
lens, camera, staging and timing, then a camera plan per shot.

A story gives explicit shots, a Fountain screenplay (`fountain.py`, Fountain 1.1) or prose; all
three become the same beats grouped in scenes (`beats.py`, `screenplay.py`), or an LLM director the
studio configured writes the shot list (`llm.py`, schema-guided generation with validation
feedback). Each beat's emotion is read on Russell's circumplex plus PAD dominance with an affective
lexicon and VADER's rules (`lexicon.py`, `affect.py`), mixed with a classifier learnt from the tuning
half of the labelled lines (`emotion_model.py`); classic coverage grammar and the 180-degree
rule choose size, lens, duration, camera and screen sides (`grammar.py`); `film.py` directs the film
and `camera.py` eases a per-frame framing curve through each shot. The world of each shot (set, time
of day, weather, props, effects) is read from the same text (`world.py`, `props_text.py`,
`effects_text.py` with `effect_anchors.py`, `effect_sources.py`, `effect_phrases.py` and `effect_words.py`, on
`worldtext.py`'s tokens and `vocabulary.py`'s words) and kept per scene (`scene_world.py`).

    from talos_assets.agents.direction import camera_plan, direct_film
"""

from talos_assets.agents.direction.affect import (
    Affect,
    analyze_affect,
    classify_emotion,
    estimate_affect,
    name_emotion,
)
from talos_assets.agents.direction.beats import Beat, Scene, beats_from_prose, beats_from_shots, parse_heading, split_beats
from talos_assets.agents.direction.camera import camera_plan, subject_x
from talos_assets.agents.direction.candidates import choose_candidates, explicit_choices, plan_features, shot_candidates
from talos_assets.agents.direction.film import direct_film, slot_key, story_source
from talos_assets.agents.direction.fountain import Element, Screenplay, looks_like_fountain, parse_fountain
from talos_assets.agents.direction.grammar import (
    LENS_FOR_SIZE,
    choose_camera,
    choose_lens,
    choose_shot_size,
    dialogue_duration,
    lens_zoom,
    screen_sides,
    shot_duration,
)
from talos_assets.agents.direction.lexicon import AFFECT_LEXICON, EMOTION_DOMINANCE, INTENSIFIERS, NEGATIONS, lemma
from talos_assets.agents.direction.llm import parse_reply, request_shot_list, system_prompt
from talos_assets.agents.direction.screenplay import beats_from_screenplay, map_cast
from talos_assets.agents.direction.vocabulary import builtin_vocabulary, vocabulary_index
from talos_assets.agents.direction.world import read_heading, read_setting
from talos_assets.agents.direction.world_reading import read_line
from talos_assets.llm_config import LLMConfig
from talos_assets.story import resolve_screenplay

__all__ = [
    "AFFECT_LEXICON", "Affect", "Beat", "EMOTION_DOMINANCE", "Element", "INTENSIFIERS", "LENS_FOR_SIZE", "LLMConfig",
    "NEGATIONS", "Scene", "Screenplay", "analyze_affect", "beats_from_prose", "beats_from_screenplay",
    "beats_from_shots", "camera_plan", "choose_camera", "choose_lens", "choose_shot_size", "classify_emotion",
    "dialogue_duration", "direct_film", "estimate_affect", "lemma", "lens_zoom", "looks_like_fountain", "map_cast",
    "builtin_vocabulary", "name_emotion", "parse_fountain", "parse_heading", "parse_reply", "read_heading",
    "read_line", "read_setting", "request_shot_list", "resolve_screenplay", "vocabulary_index",
    "screen_sides", "shot_duration", "slot_key", "split_beats", "story_source", "subject_x", "system_prompt",
    "choose_candidates", "explicit_choices", "plan_features", "shot_candidates",
]
