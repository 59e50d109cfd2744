"""Props changing hands: "Pip gives Talos the lantern" is a give whose prop leaves the giver's hand
and ends in the receiver's. The giver holds it when the shot opens (it is theirs to give), the
receiver holds it when the shot ends, and in the scene's later shots (`HeldProps.carry`)."""

from __future__ import annotations

from talos_assets.spec import CharacterAction, PropUse

GIVING = ("give",)


def _given_prop(action: CharacterAction, props: list[PropUse]) -> PropUse | None:
    """The prop a give passes: the one it names, else the only prop the giver holds."""
    if action.prop is not None:
        return next((p for p in props if p.prop == action.prop), None)
    if action.target_kind == "prop":
        return next((p for p in props if p.prop == action.target), None)
    mine = [p for p in props if p.holder == action.character]
    return mine[0] if len(mine) == 1 else None


def _receiver(action: CharacterAction, chars: list[str]) -> str | None:
    if action.target in chars and action.target != action.character:
        return action.target
    return None


def hand_overs(props: list[PropUse], actions: list[CharacterAction], chars: list[str]) -> list[PropUse]:
    """The shot's props with each give's prop in the giver's hand and `given_to` the receiver.

    A prop the user already gave a `given_to` is kept as written; a give with no receiver in the
    frame (a character who is not in the shot) or no prop to pass changes nothing.
    """
    out = list(props)
    for a in actions:
        if a.action not in GIVING:
            continue
        receiver = _receiver(a, chars)
        given = _given_prop(a, out)
        if receiver is None or given is None or given.given_to is not None:
            continue
        i = out.index(given)
        hand = given.hand if given.holder == a.character else "right"
        out[i] = given.model_copy(update={"holder": a.character, "hand": hand, "given_to": receiver})
    return out
