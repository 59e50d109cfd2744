"""A line's world as Prism reads it: the rules of `world.py`, with each effect's anchor chosen by the
ranker (`effect_anchor_model.py`) learnt from the tuning part of Prism's labelled lines.

A line is in the tuning part when int(sha256(text)[:8], 16) % 10 >= 3, the split the benchmark
(`bench/world_extraction.py`) reports by, so the held-out part is never read. The ranker is fitted
once per process, the first time a line is read.
"""

from __future__ import annotations

import functools
from pathlib import Path

import yaml

from talos_assets.agents.direction.effect_anchor_model import Anchor, AnchorExample, AnchorRanker
from talos_assets.agents.direction.eval_split import tuning_part
from talos_assets.agents.direction.vocabulary import VocabularyIndex, vocabulary_index
from talos_assets.agents.direction.world import LineWorld, prose_tokens
from talos_assets.agents.direction.world import read_line as read_line_by_rules

EVAL = Path(__file__).resolve().parents[2] / "data" / "world_eval.yaml"


def anchor_examples() -> tuple[list[AnchorExample], dict[str, str]]:
    """Every labelled effect of the tuning part as the rules read it, and the evaluation's cast."""
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    data = yaml.load(EVAL.read_text(), Loader=loader)
    names = {c: c for c in data.get("cast", [])}
    index = vocabulary_index()
    examples = []
    for item in data["items"]:
        gold = {e.split("@")[0]: (e.split("@", 1)[1] if "@" in e else "-") for e in item.get("effects") or []}
        if not (gold and tuning_part(item["text"])):
            continue
        line = read_line_by_rules(item["text"], index, names)
        tokens, present = prose_tokens(item["text"]), {f"prop:{p.prop}" for p in line.props}
        for e in line.effects:
            if e.kind.value in gold and e.span is not None:
                examples.append(AnchorExample(tokens, e.span, e.kind.value, Anchor(e.anchor, e.character, e.behind),
                                              present, gold[e.kind.value]))
    return examples, names


@functools.cache
def anchor_ranker() -> AnchorRanker:
    examples, names = anchor_examples()
    return AnchorRanker(examples, vocabulary_index(), names)


def read_line(text: str, index: VocabularyIndex, names: dict[str, str]) -> LineWorld:
    """A line's setting, props and effects, each effect placed by the learnt ranker."""
    return read_line_by_rules(text, index, names, ranker=anchor_ranker())
