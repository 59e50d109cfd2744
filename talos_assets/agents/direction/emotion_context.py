"""A beat's emotion in its scene: the scene's mood and the previous beat carry to lines that say little.

Readers of a screenplay do not read "Pass me the shovel." as calm at a graveside: a line with no
affect of its own takes the mood of what came before it. Prism reads every line alone first
(`affect.py`), then gives each scene a mood (the evidence-weighted mean of its lines, plus its
heading: "NIGHT", "STORM"), and reads the lines in order: a line with strong evidence of its own
keeps its emotion and is only tinted by the mood; a weak line (one vote or less, or punctuation
only) is decided together with the previous beat and the mood; a line with no evidence takes the
previous beat decayed halfway toward the scene's mood (so a run of plain lines drifts back to the
scene's mood, not to calm). Only a line with no evidence in a scene with none falls back to the
caller's default. The carry-over follows the "emotional inertia" of affect dynamics (Kuppens et al.
2010): the last state predicts the next best when nothing new is said.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from talos_assets.agents.direction.affect import Affect, emotion_from_votes, analyze_affect
from talos_assets.spec import Emotion

STRONG = 1.0  # evidence (a core word's vote) at and above which a line keeps its own emotion
_HEADING_WEIGHT = 0.5  # a scene heading counts as half a line


@dataclass
class AffectContext:
    """What a line is read with: its scene's mood and the previous beat in the same scene."""

    scene: Affect | None = None
    previous: Affect | None = None


def _mix(parts: Sequence[tuple[Affect, float]], source: str, matched: list[str]) -> Affect:
    """Weighted blend of affects: VAD means and summed (normalised) votes, named like a line."""
    tw = sum(w for _, w in parts) or 1.0
    v = sum(a.valence * w for a, w in parts) / tw
    ar = sum(a.arousal * w for a, w in parts) / tw
    d = sum(a.dominance * w for a, w in parts) / tw
    votes: dict[Emotion, float] = {}
    for a, w in parts:
        total = sum(s for s in a.votes.values() if s > 0) or 1.0
        for e, s in a.votes.items():
            if s > 0:
                votes[e] = votes.get(e, 0.0) + w * s / total
    emotion = emotion_from_votes(votes, v, ar, d)
    return Affect(v, ar, d, emotion, votes, matched, source, sum(votes.values()))


def scene_mood(affects: Sequence[Affect], heading: str = "") -> Affect | None:
    """The mood of a scene from its lines read alone (and its heading); None when nothing in it has
    any evidence."""
    parts = [(a, min(a.evidence, 2.0)) for a in affects if not a.neutral and a.votes]
    if heading.strip():
        head = analyze_affect(heading.lower())  # headings are written in capitals, which is not shouting
        if not head.neutral and head.votes:
            parts.append((head, _HEADING_WEIGHT))
    if not parts:
        return None
    return _mix(parts, "context", [])


def affect_in_context(own: Affect | str, context: AffectContext) -> Affect:
    """A line's affect given its scene's mood and the previous beat (see the module's rule)."""
    own = analyze_affect(own) if isinstance(own, str) else own
    carry = [(a, w) for a, w in ((context.previous, 0.5), (context.scene, 0.5)) if a is not None and not a.neutral]
    if not carry or own.evidence >= STRONG:
        if own.neutral or not carry:
            return own
        tinted = _mix([(own, 0.8), *((a, 0.2 * w) for a, w in carry)], "text", own.matched)
        tinted.emotion, tinted.votes, tinted.evidence = own.emotion, own.votes, own.evidence
        return tinted
    if own.neutral:
        return _mix(carry, "context", [])
    # weak evidence: the line, the previous beat and the mood decide together; punctuation's arousal stays
    mixed = _mix([(own, 1.0), *carry], "text", own.matched)
    mixed.arousal = max(mixed.arousal, own.arousal) if own.arousal > 0 else mixed.arousal
    return mixed


def read_in_context(lines: Sequence[tuple[int, str]], headings: Sequence[str] = ()) -> list[Affect]:
    """Affects of a film's lines, each given as (scene index, text) in film order; `headings[i]` is
    scene i's heading. The previous beat carries only within a scene."""
    alone = [analyze_affect(text) for _, text in lines]
    by_scene: dict[int, list[Affect]] = {}
    for (scene, _), aff in zip(lines, alone):
        by_scene.setdefault(scene, []).append(aff)
    moods = {s: scene_mood(affs, headings[s] if 0 <= s < len(headings) else "") for s, affs in by_scene.items()}
    out: list[Affect] = []
    previous: Affect | None = None
    last_scene: int | None = None
    for (scene, _), aff in zip(lines, alone):
        if scene != last_scene:
            previous, last_scene = None, scene
        read = affect_in_context(aff, AffectContext(scene=moods[scene], previous=previous))
        out.append(read)
        previous = read if not read.neutral else previous
    return out
