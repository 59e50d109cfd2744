"""The effect-anchor ranker: learnt from the tuning part only, deterministic, and where a new writer's
wording defeats the rules it places the effect where the line says."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
import yaml

from talos_assets.agents.direction.effect_anchor_model import AnchorRanker
from talos_assets.agents.direction.vocabulary import vocabulary_index
from talos_assets.agents.direction.world import prose_tokens
from talos_assets.agents.direction.world import read_line as read_line_by_rules
from talos_assets.agents.direction.world_reading import EVAL, anchor_examples, anchor_ranker, read_line, tuning_part

NAMES = {c: c for c in ("talos", "mira", "pip", "ada", "ben", "lena", "omar", "rosa")}
REPO = Path(__file__).resolve().parents[2]


def _anchors(line) -> list[tuple[str, str | None]]:
    return [(e.kind.value, e.anchor or ("behind" if e.behind else None)) for e in line.effects]


def test_the_ranker_learns_from_the_tuning_part_only():
    spec = importlib.util.spec_from_file_location("world_extraction", REPO / "bench" / "world_extraction.py")
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    items = yaml.safe_load(EVAL.read_text())["items"]
    assert all(tuning_part(i["text"]) == (bench.split_of(i["text"]) == "tuning") for i in items)
    examples, _ = anchor_examples()
    words = {i["text"]: " ".join(t.text for t in prose_tokens(i["text"])) for i in items}
    tuning = {words[i["text"]] for i in items if tuning_part(i["text"])}
    held_out = {words[i["text"]] for i in items if not tuning_part(i["text"])} - tuning
    read = {" ".join(t.text for t in ex.tokens) for ex in examples}
    assert len(examples) > 1000 and len(read) > 700
    assert read <= tuning and not read & held_out


# lines of the kind the rules misplace on a new writer's page (the rules' answer after the arrow)
RANKED = [
    ("A comet streaks across the sky and explodes high above the hills.", ("explosion", "sky")),  # rules: none
    ("Ada skids along the track on her left knee, and a small cloud of dust puffs up.", ("dust", "l_knee")),  # rules: none
    ("Omar warms his hands over a fire in a rusty barrel.", ("fire", "prop:barrel")),  # rules: none
    ("Omar bangs the anvil with his hammer, and sparks scatter across the floor.", ("sparks", "prop:anvil")),  # rules: ground
    ("Ben slaps the water and spray flies up.", ("splash", "horizon")),  # rules: none
]


@pytest.mark.parametrize("text,effect", RANKED)
def test_the_ranker_places_what_the_rules_miss(text, effect):
    index = vocabulary_index()
    assert _anchors(read_line(text, index, NAMES)) == [effect]
    assert _anchors(read_line_by_rules(text, index, NAMES)) != [effect]


def test_the_rules_anchor_holds_where_the_line_names_its_source():
    index = vocabulary_index()
    for text, effect in [("A fire roars from his bronze heart.", ("fire", "chest")),
                         ("Smoke rises from the sea.", ("smoke", "horizon")),
                         ("The lantern gutters and thin smoke curls towards the door.", ("smoke", "prop:lantern"))]:
        assert _anchors(read_line(text, index, NAMES)) == _anchors(read_line_by_rules(text, index, NAMES)) == [effect]


def test_a_refit_ranker_chooses_the_same_anchors():
    examples, names = anchor_examples()
    index = vocabulary_index()
    again = AnchorRanker(examples, index, names)
    for text, _ in RANKED:
        line = read_line_by_rules(text, index, NAMES, ranker=again)
        assert _anchors(line) == _anchors(read_line(text, index, NAMES))
    assert anchor_ranker() is anchor_ranker()  # fitted once per process
