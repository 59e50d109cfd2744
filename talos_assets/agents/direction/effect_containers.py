"""What an effect pours out of when the line has just opened or tipped something.

"Pip yanks open the oven and a cloud of smoke rolls out over the table": the smoke comes out of the
oven, and the table is only where it goes. The anchor rules and the ranker read the phrase after the
effect ("over the table", "across the workshop floor") as its place, which is right for smoke that
"hangs over the table" and wrong for smoke that comes "out": the thing opened in the sentence is the
source. When the studio has no prop for it (an oven, a trunk) the effect stands unanchored, as the
labelling guide says of any source the set cannot show (`docs/world_labels.md`); a body part someone
opens ("his chest panel pops open") is that joint.
"""

from __future__ import annotations

from dataclasses import replace

from talos_assets.agents.direction.effect_sources import thing_named
from talos_assets.agents.direction.effect_words import BODY, DETERMINERS, sided_joint
from talos_assets.agents.direction.vocabulary import VocabularyIndex
from talos_assets.agents.direction.worldtext import OWNERS, PREPOSITIONS, Token, name_of

_OPENS = {"opens", "opened", "opening"}
_TIPS = {"tips", "tipped", "tipping", "upends", "upended", "tilts", "tilted"}
_OUT_VERBS_SPAN = 4  # "smoke rolls out", "a glow of magic pours out": "out" within this many words of the effect
# where the effect heads once it is out: not where it comes from
_HEADS = {"over", "across", "onto", "into", "on", "along", "through", "at", "around", "toward", "towards"}
_NOT_NOUNS = {"and", "as", "while", "when", "then", "with", "up", "wide", "slowly", "suddenly", "again"}


def opened_source(tokens: list[Token], effects: list, index: VocabularyIndex, names: dict[str, str]) -> list:
    """Effects that come "out" after the sentence opens something take that thing as their source,
    where they are read unanchored or at the place they head to."""
    out = []
    for e in effects:
        if e.span is not None and not e.behind and _comes_out(tokens, e.span[1]):
            opened = _opened_thing(tokens, e.span[0], index, names)
            if opened is not None and (e.anchor is None or _heads_to(tokens, e.span[1], e.anchor, index, names)):
                anchor, who = opened
                e = replace(e, anchor=anchor, character=who)
        out.append(e)
    return out


def _comes_out(tokens: list[Token], end: int) -> bool:
    """ "rolls out", "come out" right after the effect, with no "of" or "from" to name the source itself."""
    clause = tokens[end - 1].clause
    after = [t.text for t in tokens[end:] if t.clause == clause]
    if "out" not in after[:_OUT_VERBS_SPAN]:
        return False
    k = after.index("out")
    return (k + 1 >= len(after) or after[k + 1] not in ("of", "from")) and "from" not in after


def _heads_to(tokens: list[Token], end: int, anchor: str, index: VocabularyIndex, names: dict[str, str]) -> bool:
    """The anchor is what a heading phrase after "out" names ("out over the table", "out across the floor")."""
    clause = tokens[end - 1].clause
    after = [j for j in range(end, len(tokens)) if tokens[j].clause == clause]
    for j in after:
        if tokens[j].text in _HEADS:
            named = thing_named(tokens[j + 1:j + 5], index, names)[0]
            if named == anchor or (anchor == "ground" and named is None
                                   and any(t.text in ("floor", "ground", "tiles") for t in tokens[j + 1:j + 5])):
                return True
    return False


def _opened_thing(tokens: list[Token], start: int, index: VocabularyIndex, names: dict[str, str]
                  ) -> tuple[str | None, str | None] | None:
    """(anchor, owner) of what the effect's sentence opens before it: (None, None) for a thing the studio
    cannot show ("the oven"), None when it opens nothing."""
    sentence = tokens[start].sentence
    for j in range(start - 1, -1, -1):
        t = tokens[j]
        if t.sentence != sentence:
            return None
        if t.text == "lid" and j + 1 < start and tokens[j + 1].text == "of":
            return named_thing(tokens[j + 2:start], index, names)  # "lifts the lid of the old trunk"
        if t.text in _TIPS:
            after = [w for w in tokens[j + 1:start] if w.clause == t.clause]
            if not after or after[0].text in ("it", "them", "over"):
                return None  # "tips it over the curtains": what "it" is, the anchor rules read
            return named_thing(after, index, names)  # "Mira tips the rain barrel, and water splashes out"
        if t.text in _OPENS or t.text == "open":
            after = [w for w in tokens[j + 1:start] if w.clause == t.clause]
            if after and after[0].text not in _NOT_NOUNS and after[0].text not in PREPOSITIONS:
                return named_thing(after, index, names)  # "yanked open the oven", "opens his chest"
            if t.text == "open":
                before = [w for w in tokens[:j] if w.clause == t.clause]
                return named_thing(before, index, names) if before else None  # "the crate bursts open"
            return None
    return None


def named_thing(words: list[Token], index: VocabularyIndex, names: dict[str, str]) -> tuple[str | None, str | None]:
    """The prop or body part a short noun phrase names ("the crate", "Talos's chest panel", "his great
    bronze chest"); (None, None) for anything else."""
    words = words[:6]
    anchor, who = thing_named(words, index, names)
    if anchor:
        return anchor, who  # a prop, a body part, or the set ("the kitchen floor cracks open")
    owned = bool(words) and (words[0].text in OWNERS or (words[0].text.endswith("'s") and name_of(words[0].text, names)))
    for k, w in enumerate(words):
        if owned and w.text in BODY and BODY[w.text] != "ground" and all(x.text not in DETERMINERS for x in words[1:k]):
            owner = name_of(words[0].text, names) if words[0].text.endswith("'s") else None
            return sided_joint(w.text, words[k - 1].text if k else ""), owner
    return None, None
