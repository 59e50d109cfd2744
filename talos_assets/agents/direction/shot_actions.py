"""What each character of a shot does: explicit `actions:` win (even an empty list), a dialogue line's
speaker talks (and acts its parenthetical: "(laughing)" -> laugh), an action line's verbs are read
for the characters in frame (`action_text.read_actions`)."""

from __future__ import annotations

from talos_assets.agents.direction.action_text import read_actions
from talos_assets.agents.direction.beats import Beat
from talos_assets.spec import CharacterAction, PropUse, WorldVocabulary


def shot_actions(beat: Beat, chars: list[str], props: list[PropUse], names: dict[str, str],
                 vocabulary: WorldVocabulary) -> list[CharacterAction]:
    if beat.shot is not None and "actions" in beat.shot.model_fields_set:
        return list(beat.shot.actions)
    if beat.kind == "dialogue":
        if beat.speaker not in chars:  # a voice-over or an off-screen line: nobody on screen talks
            return []
        talk = [CharacterAction(character=beat.speaker, action="talk")]
        return talk + read_actions(beat.parenthetical, [beat.speaker], vocabulary=vocabulary)
    return read_actions(beat.text, chars, props=[p.prop for p in props], aliases=names, vocabulary=vocabulary)
