"""Effects a line names by what makes them, not by an effect word.

"The rocket bursts high over the bay" is an explosion, "the balloon bursts on Lena's head. SPLOOSH!"
a splash, "the wind whips sand across the dunes" dust, and "Omar smashes a smoke bomb on the ground"
smoke, though none of these lines says the effect's name. Each reader here adds the effect only where
the line's effect words have not already named it.
"""

from __future__ import annotations

from talos_assets.agents.direction.effect_anchors import anchor_of, made_by
from talos_assets.agents.direction.effect_phrases import after_dry_stuff
from talos_assets.agents.direction.effect_reading import EffectReading, clause_strength
from talos_assets.agents.direction.effect_words import AIRBORNE_DRY, THROWN_FLURRIES
from talos_assets.agents.direction.vocabulary import VocabularyIndex
from talos_assets.agents.direction.worldtext import Match, Token, ended, negated
from talos_assets.spec import EffectKind

BURSTS = {"burst", "bursts", "bursting", "pops", "popped", "pop"}


def unnamed_effects(tokens: list[Token], read: list[EffectReading], index: VocabularyIndex,
                    names: dict[str, str]) -> list[EffectReading]:
    """The effects the line names by what makes them, beyond the effects `read` from its effect words."""
    out = _sky_bursts(tokens, read) + _water_balloons(tokens, read, index, names)
    out += _airborne_dry(tokens, read + out, index, names)
    return out + _smoke_bombs(tokens, read + out)


_BOMBS = {"bomb", "bombs", "grenade", "grenades", "pellet", "pellets", "canister", "canisters"}
_SET_OFF = {"smashes", "smashed", "smash", "hurls", "hurled", "hurl", "throws", "threw", "throw", "tosses", "tossed",
            "toss", "drops", "dropped", "lobs", "lobbed", "flings", "flung", "explodes", "exploded", "bursts", "burst",
            "lights", "lit", "cracks", "cracked", "detonates", "detonated", "pops", "popped", "goes", "went"}


def _smoke_bombs(tokens: list[Token], read: list[EffectReading]) -> list[EffectReading]:
    """ "Omar smashes a smoke bomb on the ground and vanishes in a grey cloud": a smoke bomb set off is
    smoke where it lands ("on the ground"), or with no place when the line says none."""
    if any(e.kind == EffectKind.smoke for e in read):
        return []
    for j in range(len(tokens) - 1):
        if tokens[j].text != "smoke" or tokens[j + 1].text not in _BOMBS or negated(tokens, j):
            continue
        sentence = [t.text for t in tokens if t.sentence == tokens[j].sentence]
        if not (_SET_OFF & set(sentence) or {"cloud", "clouds"} & set(sentence)):
            continue
        landed = [t.text for t in tokens[j + 2:j + 6] if t.clause == tokens[j].clause]
        on_ground = bool(landed) and landed[0] in ("on", "onto", "at") and bool({"ground", "floor", "street", "road"} & set(landed))
        return [EffectReading(EffectKind.smoke, "ground" if on_ground else None, None, False,
                              clause_strength(tokens, tokens[j].clause), tokens[j].clause, span=(j, j + 1))]
    return []


def _sky_bursts(tokens: list[Token], read: list[EffectReading]) -> list[EffectReading]:
    """ "Talos fires the last rocket over the waves; it bursts high in the sky": a rocket, firework or
    flare bursting above or over the set is an explosion, though the line never says the word."""
    exploded = {tokens[e.span[0]].sentence for e in read if e.kind == EffectKind.explosion and e.span}
    out: list[EffectReading] = []
    for j, t in enumerate(tokens):
        if t.text not in BURSTS or t.sentence in exploded or negated(tokens, j):
            continue
        span = [k for k, x in enumerate(tokens) if x.clause == t.clause]
        placed = made_by(tokens, Match(EffectKind.explosion.value, j, j + 1), span)
        if placed is not None:
            exploded.add(t.sentence)
            out.append(EffectReading(EffectKind.explosion, placed or None, None, False, clause_strength(tokens, t.clause),
                                     t.clause, span=(j, j + 1)))
    return out


_WET = {"water", "splash", "sploosh", "splosh", "splat", "soaked", "soaks", "soaking", "drenched", "drenches", "wet"}


def _water_balloons(tokens: list[Token], read: list[EffectReading], index: VocabularyIndex,
                    names: dict[str, str]) -> list[EffectReading]:
    """ "Ben lobs a balloon. It bursts on Lena's head. SPLOOSH!": a water balloon bursting is a splash
    where it bursts (a line that never says water has a party balloon popping)."""
    words = {t.text for t in tokens}
    if not words & {"balloon", "balloons"} or not words & _WET or any(e.kind == EffectKind.splash for e in read):
        return []
    for j, t in enumerate(tokens):
        if t.text in BURSTS and not negated(tokens, j):
            anchor, who, behind = anchor_of(tokens, Match(EffectKind.splash.value, j, j + 1), index, names)
            return [EffectReading(EffectKind.splash, anchor, who, behind, clause_strength(tokens, t.clause), t.clause,
                                  span=(j, j + 1))]
    return []


_DRY_MOVES = {"billowed", "billowing", "billows", "blew", "blowing", "blows", "burst", "bursts", "climbed",
              "climbs", "clouds", "drifted", "drifts", "drives", "driving", "drove", "exploded", "explodes",
              "falling", "falls", "fell", "fill", "filled", "fills", "flew", "flies", "flying", "hisses", "hurled", "hurls",
              "kicked", "kicking", "kicks", "poured", "pours", "puffed", "puffs", "rained", "rains", "rises",
              "rising", "rose", "scattered", "scatters", "showered", "showers", "spat", "spilled", "spills",
              "spits", "sprayed", "spraying", "sprays", "streamed", "streams", "swirled", "swirling", "swirls",
              "whipped", "whipping", "whips"}
_COVERED = {"caked", "covered", "coated", "dusted", "thick", "smeared", "streaked", "plastered", "powdered"}
_DRY_FILLERS = {"the", "a", "an", "fine", "dry", "hot", "grey", "gray", "white", "red", "golden", "loose", "up", "of"}


def _airborne_dry(tokens: list[Token], read: list[EffectReading], index: VocabularyIndex,
                 names: dict[str, str]) -> list[EffectReading]:
    """ "the wind whips sand across the dunes", "sand sprayed up behind him", "a cloud of flour", "ash
    rains down": dry stuff in the air is dust (sand lying on the beach is the ground)."""
    if any(e.kind == EffectKind.dust for e in read):
        return []
    for j, t in enumerate(tokens):
        if (t.text in AIRBORNE_DRY and _moved(tokens, j)) or _white_cloud(tokens, j):
            if negated(tokens, j) or ended(tokens, j + 1):
                continue
            anchor, who, behind = anchor_of(tokens, Match(EffectKind.dust.value, j, j + 1), index, names)
            return [EffectReading(EffectKind.dust, anchor, who, behind, clause_strength(tokens, t.clause), t.clause,
                                  span=(j, j + 1))]
    return []


def _white_cloud(tokens: list[Token], j: int) -> bool:
    """ "a bag of flour bursts, and a white cloud puffs up", "tears open the flour bag, and a white puff
    bursts out of it": a cloud or puff that moves, after dry stuff its sentence names."""
    return tokens[j].text in ("cloud", "clouds", "puff", "puffs", "plume") and _moved(tokens, j) \
        and after_dry_stuff(tokens, j)


def _moved(tokens: list[Token], j: int) -> bool:
    """A verb of flying or throwing right before the dry stuff (past describing words) or right after
    it, or a cloud, puff or plume "of" it."""
    k = j - 1
    while k >= 0 and tokens[k].text in _DRY_FILLERS and tokens[k].clause == tokens[j].clause:
        k -= 1
    before = k >= 0 and tokens[k].clause == tokens[j].clause and tokens[k].text in _DRY_MOVES
    after = j + 1 < len(tokens) and tokens[j + 1].clause == tokens[j].clause and tokens[j + 1].text in _DRY_MOVES
    cloud = j >= 2 and tokens[j - 1].text == "of" and tokens[j - 2].text in THROWN_FLURRIES | {"cloud", "clouds", "plume", "column"}
    covered = j >= 2 and tokens[j - 1].text in ("in", "with") and tokens[j - 2].text in _COVERED
    return before or after or cloud or covered  # "her hair is caked in flour": dust on her, as "covered in dust"
