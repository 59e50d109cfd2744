"""Postures last from shot to shot: a character who sat down in one shot is still sitting in the next
shot of the scene they are in, until a line stands them up, moves them, or the scene ends.

Within a shot Axis already holds a posture under the upper-body actions beside it
(`key_animation/acting/layers.py`); across shots nothing did, so "Talos sits on the rock" followed by
"He looks at the stars" showed him standing again. Prism now carries the posture the last shot ended
in into the next one as its held form (sitting, lying), and Axis layers the shot's own actions on it.
"""

from __future__ import annotations

from talos_assets.world_spec import CharacterAction

# the posture an action leaves the character in, held (no transition) in a later shot
ENDS_IN: dict[str, str] = {"sit": "sit", "sit_down": "sit", "lie_down": "sleep", "sleep": "sleep"}
# what a seated or lying character can do without getting up (the upper body; Axis layers them)
CARRIED_UNDER = {"gaze_up", "look_at", "wave", "point", "laugh", "cry", "nod", "shake_head", "shrug", "talk",
                 "clap", "pray", "tremble", "reach", "hold", "gesture", "hammer", "strike", "throw", "give"}


class HeldPostures:
    """Each character's posture at the end of the last shot they were in, per scene and place."""

    def __init__(self) -> None:
        self.where: tuple[int, str | None] = (-1, None)
        self.posture: dict[str, str] = {}  # character -> held posture ('sit', 'sleep')

    def carry(self, scene: int, place: str | None, actions: list[CharacterAction], chars: list[str],
              explicit: bool) -> list[CharacterAction]:
        """The shot's actions with each on-screen character's held posture first, where the shot gives
        them no posture of their own and nothing that needs them on their feet; then remember how
        the shot leaves them. A new scene or a new place starts everyone afresh. An explicit
        `actions:` list is the user's word and is never added to."""
        if (scene, place) != self.where:
            self.where, self.posture = (scene, place), {}
        out = list(actions)
        if not explicit:
            for who in chars:
                held = self.posture.get(who)
                mine = [a.action for a in actions if a.character == who]
                if held is not None and all(a in CARRIED_UNDER for a in mine):
                    out.insert(0, CharacterAction(character=who, action=held))
        self._note(out)
        return out

    def _note(self, actions: list[CharacterAction]) -> None:
        for who in {a.character for a in actions}:
            last = None
            for a in actions:
                if a.character != who or a.action in CARRIED_UNDER:
                    continue  # an upper-body action keeps whatever posture the character is in
                last = ENDS_IN.get(a.action, "stand")  # anything else leaves them standing
            if last is None:
                continue
            if last == "stand":
                self.posture.pop(who, None)
            else:
                self.posture[who] = last
