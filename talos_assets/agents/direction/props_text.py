"""Prism's prop reading: the props a line names and who holds each.

A prop is held when a holding verb governs it ("Mira raises the lantern", "he picks up the key"),
when the line says it is in someone's hand ("the torch in his hand"), or when a person owns a prop
one carries ("her lantern", "Omar's umbrella"). The holder is the character the line names before
the verb or as the owner; a pronoun leaves it to the caller (the shot's subject). A negated prop
("without a lantern") is not in the shot; a prop word right after a name or pronoun is a verb
("Talos hammers the blade"). Words inside a place phrase ("throne room") are not props.
"""

from __future__ import annotations

from dataclasses import dataclass

from talos_assets.agents.direction.vocabulary import VocabularyIndex
from talos_assets.agents.direction.worldtext import RISING_PARTICLES, VERB_HOMOGRAPHS, Match, Token, name_of, negated

_HOLD_VERBS = {
    "hold", "holds", "holding", "held", "carry", "carries", "carrying", "carried", "raise", "raises", "raising",
    "raised", "lift", "lifts", "lifting", "lifted", "grip", "grips", "gripping", "gripped", "grab", "grabs",
    "grabbed", "pick", "picks", "picked", "picking", "swing", "swings", "swinging", "swung", "clutch",
    "clutches", "clutching", "clutched", "wield", "wields", "wielding", "brandish", "brandishes", "take",
    "takes", "took", "read", "reads", "reading", "tuck", "tucks", "tucked", "shoulders", "shouldered", "clasp",
    "clasps", "cradle", "cradles", "cradled", "cradling", "waves", "waving", "draws", "drew", "hoists", "hoisted", "plays", "playing",
    "snatch", "snatches", "snatched", "seize", "seizes", "seized", "grasp", "grasps", "grasped",
    "opens", "opened", "unfolds", "unfolded", "drinks", "drink", "drinking", "hug", "hugs", "hugging", "pockets",
    "pocketed", "slings", "slung", "keeps", "keep", "throws", "threw", "tosses", "tossed", "hurls", "fills",
    "filling", "offers", "offered", "gives", "gave", "hands", "handed", "pass", "passes", "passed", "passing", "clings", "cling", "wears", "wearing", "sips", "sipping", "lowers", "lowered", "strums", "strumming",
    "answers", "answered", "drags", "dragged", "dragging", "hauls", "hauled", "hauling", "tugs", "aims", "aimed",
    "shakes", "shook", "flips", "flipped", "polishes", "sharpens", "twirls", "twirling", "catches", "caught",
    "juggles", "juggled", "juggling", "skips", "skipped", "skims", "skimmed", "pulls", "pulled", "uncorks",
    "uncorked", "uncorking", "squeezes", "squeezed", "squeezing", "launches", "launched", "folds", "folding", "folded",
    "fetches", "brings", "brought", "lugs", "plunges", "plunged", "dips", "dipped", "quenches", "quenched",
}
_RELEASE_VERBS = {"sets", "set", "puts", "put", "places", "placed", "leaves", "left", "drops", "dropped", "lays",
                  "laid", "rests", "rested", "abandons", "hangs", "hung", "leans", "leaned", "props", "propped"}
# a prop leaving the hand it was in: "the book slips from Mira's fingers" is no longer held
_LEAVING = {"slips", "slipped", "slides", "slid", "falls", "fell", "tumbles", "tumbled", "drops", "dropped"}
_HELD_STATES = {"drawn", "raised", "aloft", "ready", "held", "clutched", "gripped", "in-hand"}
_HAND_WORDS = {"arm", "hand", "hands", "grip", "grasp", "arms", "fist", "palm", "fingers", "paws", "claws", "shoulder",
               "shoulders", "belt", "pocket", "hip", "back"}
# people a story names by what they are rather than by name: their hands hold things too
PEOPLE = {"witch", "wizard", "knight", "fisherman", "fishermen", "blacksmith", "sailor", "sailors", "man", "men", "woman",
          "women", "boy", "boys", "girl", "girls", "child", "children", "kid", "kids", "farmer", "guard", "guards",
          "soldier", "soldiers", "pirate", "pirates", "king", "queen", "prince", "princess", "captain", "stranger",
          "magician", "juggler", "baker", "chef", "cook", "waiter", "waitress", "mother", "father", "grandmother",
          "grandfather", "grandma", "grandpa", "mom", "dad", "mum", "teacher", "doctor", "crew", "villagers", "miner",
          "miners", "hunter", "thief", "thieves", "robber", "robbers", "keeper", "ranger", "driver", "rider", "riders",
          "monk", "priest", "sorceress", "mage", "villain", "hero", "umpire", "referee", "vendor", "seller",
          "shopkeeper", "merchant", "musician", "singer", "dancer", "dancers", "actor", "actors", "student", "students",
          "worker", "workers", "firefighter", "firefighters", "astronaut", "astronauts", "explorer", "explorers",
          "innkeeper", "bartender", "lady", "gentleman", "lord", "elf", "dwarf", "fairy", "postman", "conductor",
          "neighbour", "neighbor", "lifeguard", "porter", "servant", "maid", "butler", "nurse", "sheriff", "mayor"}
_PRONOUNS = {"he", "she", "they", "it", "i", "we", "you"}
_POSSESSIVES = {"his", "her", "their", "my", "your", "our"}
_FILLERS = {"the", "a", "an", "up", "down", "only", "from", "out", "to", "onto", "tightly", "his", "her", "their", "its", "old", "little", "great", "small",
            "heavy", "bright", "long", "rusty", "silver", "golden", "broken", "last", "new", "tiny", "big", "two", "three",
            "four", "five", "some", "several"}
# props a character can carry in one hand ("her lantern" puts it in her hand; "her house" does not)
HOLDABLE = {"lantern", "lamp", "candle", "torch", "basket", "hammer", "sword", "shield", "cup", "bottle", "book",
            "letter", "phone", "umbrella", "ball", "bag", "key", "guitar", "kite", "flower", "ladder", "rock", "clock"}
_FIXED = {"house", "tree", "door", "window", "moon", "ship", "car", "boat", "bed", "fence", "table", "bench",
          "anvil", "horse", "dog", "bird"}


# a prop word that names something else with the word before or after it: a toy, a trough, an engine's power
_NOT_THE_PROP = {("rocking", "horse"), ("hobby", "horse"), ("toy", "horse"), ("carousel", "horse"), ("horse", "trough"),
                 ("horse", "power"), ("horse", "chestnut"), ("horse", "fly"), ("horse", "hair"), ("sea", "horse"),
                 ("horse", "sense"), ("dark", "horse"), ("high", "horse"), ("iron", "horse"), ("horse", "race"),
                 ("hot", "dog"), ("dog", "tired"), ("sea", "dog"), ("top", "dog"), ("dog", "days"), ("cat", "nap"),
                 ("fat", "cat"), ("cat", "walk"), ("cat", "burglar"), ("early", "bird"), ("raven", "hair"),
                 ("raven", "haired"), ("eagle", "eye"), ("eagle", "eyed"), ("toy", "dog"), ("toy", "cat"), ("toy", "bird"),
                 ("stuffed", "dog"), ("stuffed", "cat"), ("bird", "feeder"), ("bird", "cage"),
                 ("bird", "bath"), ("dog", "bowl"), ("dog", "bed"), ("dog", "collar"), ("dog", "leash"), ("cat", "flap")}


_BUILT_OF_STONE = {"bridge", "bridges", "wall", "walls", "steps", "stairs", "staircase", "floor", "floors", "arch",
                   "archway", "tower", "towers", "path", "well", "circle", "lion", "lions", "statue", "angel", "face",
                   "gate", "gateway", "pillar", "pillars", "column", "columns", "hearth", "fireplace", "cottage", "church",
                   "chapel", "pier", "jetty", "quay", "terrace", "courtyard", "corridor", "passage", "slab"}
_RISERS_BEFORE_ROSE = {"sun", "moon", "dust", "smoke", "steam", "mist", "fog", "tide", "water", "voice", "curtain", "he",
                      "she", "it", "they", "who", "bread", "dough", "balloon", "kite", "sparks", "flames", "spray", "splash", "spray", "sparks", "cloud", "ink", "flames", "glow", "magic"}
_GUNS = {"cannon", "cannons", "gun", "guns", "rifle", "musket", "pistol", "shotgun", "blunderbuss"}


def _a_part_or_a_phrase(tokens: list[Token], m) -> bool:
    """ "the table of contents", "smoke billows from its barrel" after "fires the cannon": a phrase or a
    part of a gun, not the prop."""
    word = tokens[m.start].text
    rest = [t.text for t in tokens[m.end:m.end + 2]]
    if word == "table" and rest == ["of", "contents"]:
        return True
    if word in ("stone", "rock") and rest[:1] and rest[0] in _BUILT_OF_STONE:
        return True  # "a long stone bridge", "the stone steps": what it is built of
    sentence = {t.text for t in tokens if t.sentence == tokens[m.start].sentence}
    return word in ("barrel", "barrels") and bool(sentence & _GUNS) and m.start > 0 \
        and tokens[m.start - 1].text in ("its", "their")


# opening something holds it only when it is carried in the hand: a book or a bottle, not a crate
_OPENING = {"opens", "opened", "unfolds", "unfolded"}


def _can_hold(verb: str, prop: str) -> bool:
    return verb not in _OPENING or prop in HOLDABLE


@dataclass
class PropReading:
    """A prop a line names; `held` with `holder` None = held by the line's pronoun subject."""

    prop: str
    start: int
    held: bool = False
    holder: str | None = None
    owned: bool = False  # it belongs to or goes along with someone ("walks her dog"); `owner` None = the pronoun's subject
    owner: str | None = None
    moves: str | None = None  # walk | run | fly: it crosses the shot on its own ("a dog runs along the beach")


def _subject_before(tokens: list[Token], start: int, names: dict[str, str]) -> str | None:
    """The character doing the verb at `start`: the one the sentence names last before it, else
    (an opening phrase: "Holding a cup, Pip watches") the first one named after it; None when a
    pronoun stands for the doer."""
    sentence = tokens[start].sentence
    for j in range(start - 1, -1, -1):
        if tokens[j].sentence != sentence:
            break
        if tokens[j].text in _PRONOUNS:
            return _one_named_before(tokens, j, names) if tokens[j].text in ("he", "she") else None
        hit = name_of(tokens[j].text, names)
        if hit:
            return hit
    for t in tokens[start + 1:]:
        if t.sentence != sentence or t.text in _PRONOUNS:
            return None
        if name_of(t.text, names) and not t.text.endswith("'s"):
            return name_of(t.text, names)
    return None


def _one_named_before(tokens: list[Token], j: int, names: dict[str, str]) -> str | None:
    """ "Ben's teeth chatter as he holds the lantern": the one character the sentence names before its
    "he" or "she" is who it stands for (two named leave it open)."""
    named = {name_of(t.text, names) for t in tokens[:j] if t.sentence == tokens[j].sentence} - {None}
    return named.pop() if len(named) == 1 else None


def _pronoun_doer(tokens: list[Token], start: int, names: dict[str, str]) -> bool:
    """A pronoun (not a thing) does the verb at `start`: the nearest pronoun or name in its sentence,
    before it, else after it, is a pronoun."""
    sentence = tokens[start].sentence
    before = [t for t in reversed(tokens[:start]) if t.sentence == sentence]
    after = [t for t in tokens[start + 1:] if t.sentence == sentence]
    for side in (before, after):
        for t in side:
            if t.text in _PRONOUNS - {"it"}:
                return True
            if name_of(t.text, names):
                return False
    return False


def _person_doer(tokens: list[Token], start: int) -> bool:
    """ "The witch clutched her spellbook", "fishermen carry lanterns": someone not in the cast does
    the verb at `start` (a person named by what they are, just before it in its clause)."""
    return any(t.text in PEOPLE and t.clause == tokens[start].clause for t in tokens[max(0, start - 3):start])


def _with_hands(tokens: list[Token], clause: int) -> bool:
    """ "lifts the boat out of the water with both hands": a thing too big to carry, carried."""
    words = [t.text for t in tokens if t.clause == clause]
    return any(w in ("hands", "arms") and k and words[k - 1] in {"both", "his", "her", "their", "two"}
               for k, w in enumerate(words))


def _held_before(tokens: list[Token], m: Match, prev_prop: int, names: dict[str, str]) -> tuple[bool, str | None]:
    """Held by the doer of a holding verb before the prop ("Talos carries Mira's basket": Talos), else
    by the owner of a holdable prop ("her lantern", "Omar's umbrella")."""
    clause = tokens[m.start].clause
    owned: tuple[bool, str | None] | None = None
    for j in range(m.start - 1, max(prev_prop, m.start - 6), -1):
        t = tokens[j]
        if t.clause != clause:
            break
        owner = name_of(t.text, names) if t.text.endswith("'s") else None
        if owned is None and m.key in HOLDABLE and j >= m.start - 2:
            if owner:
                owned = (True, owner)
            elif t.text in _POSSESSIVES:
                owned = (True, _subject_before(tokens, j, names))
        if t.text in _HOLD_VERBS and _can_hold(t.text, m.key) and (m.key not in _FIXED or _with_hands(tokens, clause)):
            who = _subject_before(tokens, j, names)
            if who is None and not _pronoun_doer(tokens, j, names) and not _person_doer(tokens, j):
                return False, None  # "a spark ... catches the paper kite": no character's hand
            return True, who
        if t.text in _RELEASE_VERBS:
            return False, None  # "Rosa sets her guitar on the bench": no longer in her hand
        given_to = name_of(t.text, names) and not t.text.endswith("'s")  # "offers Pip a flower"
        if t.text not in _FILLERS and not owner and not given_to and t.text not in _POSSESSIVES \
                and not (j >= m.start - 2 and j > 0 and _owner_or_filler(tokens[j - 1].text, names)) \
                and not (j == m.start - 1 and j > 1 and _owner_or_filler(tokens[j - 2].text, names)):
            break  # two describing words read on: "shakes the blue bottle", "hands Talos a brand-new bronze shield"
    return owned or (False, None)


def _owner_or_filler(word: str, names: dict[str, str]) -> bool:
    return word in _FILLERS or word in _POSSESSIVES or (word.endswith("'s") and bool(name_of(word, names)))


def _held_in_hand(tokens: list[Token], m: Match, names: dict[str, str]) -> tuple[bool, str | None]:
    """ "the torch in his hand", "the letter in her bronze fingers", "lantern in hand", "the book
    Rosa carries" """
    clause = tokens[m.start].clause
    after = [t.text for t in tokens[m.end:m.end + 3] if t.clause == clause]
    if len(after) >= 3 and after[1] in ("is", "was", "had", "has"):
        after = [after[0], after[2]]  # "the letter Ben is holding"
    if len(after) >= 2 and (name_of(after[0], names) or after[0] in _PRONOUNS) and after[1] in _HOLD_VERBS:
        return True, name_of(after[0], names)
    if after and after[0] in _HELD_STATES and m.key not in _FIXED:
        return True, _subject_before(tokens, m.start, names)  # "sword drawn", "lantern aloft"
    # "the letter bursts into flame in Ada's fingers": the hand phrase may close the clause
    for j in range(m.end, min(len(tokens), m.end + 7)):
        if tokens[j].clause != clause or tokens[j].text in _LEAVING:
            break
        if tokens[j].text not in _HAND_WORDS:
            continue
        if tokens[j - 1].text == "in" and tokens[j].text in ("hand", "hands"):
            return True, _subject_before(tokens, m.start, names)
        for before in (tokens[j - 1].text, tokens[j - 2].text if j >= 2 else ""):
            owner = name_of(before, names)
            if before in _POSSESSIVES | {"each", "one", "both"} or owner:
                return True, owner or _subject_before(tokens, j - 1, names)
    return False, None


_BUNCHES = {"bouquet", "bunch", "handful", "armful", "pair", "of"}
_UNDER = {"under", "beneath", "behind", "inside", "underneath"}
_DRINKS = {"sips", "sipped", "sipping", "drinks", "drank", "drinking", "gulps", "gulped", "slurps", "slurped", "swigs"}


def _drunk_from(tokens: list[Token], m: Match, names: dict[str, str]) -> tuple[bool, str | None]:
    """ "Omar sips a cloudy cider from a tall mug": the cup or bottle a person drinks from is in hand."""
    if m.key not in ("cup", "bottle"):
        return False, None
    clause = [t for t in tokens[:m.start] if t.clause == tokens[m.start].clause]
    words = [t.text for t in clause]
    if "from" not in words[-4:]:
        return False, None
    verb = next((k for k in range(len(words) - 1, -1, -1) if words[k] in _DRINKS), None)
    if verb is None:
        return False, None
    who = _subject_before(tokens, tokens.index(clause[verb]), names)
    return (True, who) if who else (False, None)


def _carried_with(tokens: list[Token], m: Match, names: dict[str, str]) -> tuple[bool, str | None]:
    """ "Lena tiptoes down the hallway with a candle", "walks with a bouquet of roses": a hand-held
    prop someone the sentence names goes about with."""
    j = m.start - 1
    if j > 0 and tokens[j].clause == tokens[m.start].clause and tokens[j - 1].text in ("a", "an", "the", "his", "her", "their"):
        j -= 1  # one describing word: "with a spray bottle"
    while j >= 0 and tokens[j].clause == tokens[m.start].clause and (tokens[j].text in _FILLERS | _BUNCHES):
        j -= 1
    if j < 0 or tokens[j].text != "with" or m.key not in HOLDABLE:
        return False, None
    if j and tokens[j - 1].text.rstrip("s") in HOLDABLE | _FIXED | {"desk", "shelf", "counter", "tray", "cart"} \
            and not (j >= 3 and tokens[j - 3].text in _UNDER):
        return False, None  # "the kitchen table with a cup of tea": the table's, not in a hand (but "under the bed with a torch")
    who = _subject_before(tokens, j, names)
    return (True, who) if who else (False, None)


_ACCOMPANIES = {"walks", "walked", "walking", "walk", "leads", "led", "leading", "lead", "takes", "took", "taking",
                "brings", "brought", "bringing", "follows", "followed", "following"}
_FOLLOWS_AFTER = {"follows", "followed", "following", "trots", "trotted", "trotting", "pads", "padded", "padding", "runs",
                  "ran", "running", "scampers", "scampered", "bounds", "bounded", "trails", "trailed", "walks", "walked",
                  "walking", "tags", "tagged", "after", "behind", "beside", "alongside", "at", "along", "with"}


def _owner_of(tokens: list[Token], m: Match, names: dict[str, str]) -> tuple[bool, str | None]:
    """(owned, owner) of a prop the line does not put in a hand: who it belongs to or goes along with
    ("her dog", "Pip's cat", "walks the dog", "with his dog", "the puppy trots after Ben"); owned with
    no owner = the pronoun's subject."""
    clause = tokens[m.start].clause
    j = m.start - 1
    if j > 0 and tokens[j].clause == clause and tokens[j].text not in _POSSESSIVES | _FILLERS \
            and not tokens[j].text.endswith("'s"):
        j -= 1  # one describing word: "her old dog"
    while j >= 0 and tokens[j].clause == clause and tokens[j].text in {"the", "a", "an", "little", "old", "small", "big"}:
        j -= 1
    if j >= 0 and tokens[j].clause == clause:
        word = tokens[j].text
        if word.endswith("'s") and name_of(word, names):
            return True, name_of(word, names)
        if word in _POSSESSIVES or word in _ACCOMPANIES or word == "with":
            return True, _subject_before(tokens, j, names)
    after = [t for t in tokens[m.end:m.end + 5] if t.sentence == tokens[m.start].sentence]  # "after" opens a clause
    for k, t in enumerate(after):
        if t.text not in _FOLLOWS_AFTER:
            break
        if k + 1 < len(after) and (name_of(after[k + 1].text, names) or after[k + 1].text in ("him", "her", "them")):
            return True, name_of(after[k + 1].text, names)
    return False, None


# how a thing crosses the shot on its own, by the verb it does or the participle before it
MOVING = {
    "walk": {"walks", "walked", "walking", "trots", "trotted", "trotting", "wanders", "wandered", "strolls", "pads",
             "padded", "plods", "plodded", "ambles", "ambled", "creeps", "crept", "prowls", "prowled", "waddles",
             "walk", "trot", "wander", "amble", "plod"},
    "run": {"runs", "ran", "running", "gallops", "galloped", "galloping", "races", "raced", "racing", "dashes", "dashed",
            "bolts", "bolted", "bounds", "bounded", "bounding", "scampers", "scampered", "sprints", "sprinted",
            "charges", "charged", "canters", "cantered", "runaway", "thunders", "thundered", "chases", "chased",
            "run", "gallop", "race", "dash", "scamper", "bound", "sprint", "canter"},
    "fly": {"flies", "flew", "flying", "soars", "soared", "soaring", "swoops", "swooped", "glides", "glided", "wheels",
            "wheeled", "wheeling", "circles", "circled", "circling", "flutters", "fluttered", "flaps", "flapping",
            "fly", "soar", "swoop", "glide", "wheel", "circle", "flutter", "flap"},
}
_MOVES_OF = {w: kind for kind, words in MOVING.items() for w in words}


def _moves(tokens: list[Token], m: Match) -> str | None:
    """ "the dog runs along the beach", "a galloping horse", "gulls wheel over the harbour": how the thing
    crosses the shot on its own (the verb right after it, past an adverb, or the participle before it)."""
    j = m.end
    while j < len(tokens) and tokens[j].clause == tokens[m.start].clause and tokens[j].text.endswith("ly"):
        j += 1
    if j < len(tokens) and tokens[j].sentence == tokens[m.start].sentence and tokens[j].text in _MOVES_OF:
        return _MOVES_OF[tokens[j].text]
    if m.start and tokens[m.start - 1].text in _MOVES_OF and tokens[m.start - 1].text.endswith(("ing", "away")):
        return _MOVES_OF[tokens[m.start - 1].text]
    return None


def _holder(tokens: list[Token], m: Match, prev_prop: int, names: dict[str, str]) -> tuple[bool, str | None]:
    """(held, holder name) for the prop at m; held with no name = the pronoun's subject."""
    held = _held_before(tokens, m, prev_prop, names)
    if held[0]:
        return held
    held = _drunk_from(tokens, m, names)
    if held[0]:
        return held
    held = _held_in_hand(tokens, m, names)
    return held if held[0] else _carried_with(tokens, m, names)


def read_props(tokens: list[Token], index: VocabularyIndex, names: dict[str, str],
               taken: set[int] | None = None, after_nouns: set[int] = frozenset()) -> list[PropReading]:
    """The props a line names (first mention of each), with who holds them. `names` maps the
    lowercase names a line may use to character (rig) names; `taken` are tokens of place phrases;
    `after_nouns` are positions right after another noun the reader knows ("the rain hammers")."""
    out: dict[str, PropReading] = {}
    prev = -1
    matches = index.props.find(tokens, taken)
    for m in matches:
        before = tokens[m.start - 1].text if m.start else ""
        word = tokens[m.end - 1].text
        verb_form = word.endswith("s") and not word.endswith(("ss", "'s"))  # "rocks", "hammers"
        after_noun = verb_form and (before in names or m.start in after_nouns or any(n.end == m.start and not before.endswith("'s")
                                                           for n in matches))
        if word in VERB_HOMOGRAPHS and m.start in after_nouns and m.end < len(tokens) \
                and tokens[m.end].text in RISING_PARTICLES:
            continue  # "the steam rose up": a verb ("a rose from the garden" is a flower)
        if word in VERB_HOMOGRAPHS and before in _RISERS_BEFORE_ROSE:
            continue  # "the sun rose in a clear sky", "a puff of dust rose around her knee"
        if before in _PRONOUNS or (after_noun and tokens[m.start - 1].clause == tokens[m.start].clause):
            continue  # "Talos hammers the blade", "the boat rocks": a verb, not the prop
        if tokens[m.end - 1].text.endswith("'s") and any(n.start == m.end for n in matches):
            continue  # "a ship's lantern": the lantern is the prop
        if "like" in [t.text for t in tokens[max(0, m.start - 3):m.start] if t.clause == tokens[m.start].clause]:
            continue  # "a lantern shaped like a crescent moon": a likeness, not a second prop
        if negated(tokens, m.start):
            prev = m.end - 1
            continue
        after = tokens[m.end].text if m.end < len(tokens) else ""
        if (before, word.rstrip("s")) in _NOT_THE_PROP or (word.rstrip("s"), after) in _NOT_THE_PROP:
            continue  # "the rocking horse", "the horse trough": not the prop
        if _a_part_or_a_phrase(tokens, m):
            continue  # "the table of contents", a cannon's barrel
        held, holder = _holder(tokens, m, prev, names)
        prev = m.end - 1
        if m.key not in out:
            out[m.key] = PropReading(m.key, m.start, held, holder, *((False, None) if held else _owner_of(tokens, m, names)),
                                     moves=None if held else _moves(tokens, m))
        elif held and not out[m.key].held:
            out[m.key].held, out[m.key].holder = True, holder
    _held_as_pronoun(tokens, out, names)
    _held_in_relative_clause(tokens, out, names)
    _hammered(tokens, out, index, names)
    return list(out.values())


def _hammered(tokens: list[Token], props: dict[str, PropReading], index: VocabularyIndex, names: dict[str, str]) -> None:
    """ "Omar hammers a red-hot horseshoe", "Talos hammered out a plate": a character working a piece
    has a hammer in hand ("Talos hammers at the anvil" only strikes it; "rain hammers the roof" is rain)."""
    if "hammer" not in index.vocab.props or any(p.prop == "hammer" and p.held for p in props.values()):
        return
    for j, t in enumerate(tokens[1:-1], start=1):
        who = name_of(tokens[j - 1].text, names)
        if t.text in ("hammers", "hammered") and who and tokens[j + 1].text in ("a", "an", "out"):
            props["hammer"] = PropReading("hammer", j, True, who)
            return


def _held_in_relative_clause(tokens: list[Token], props: dict[str, PropReading], names: dict[str, str]) -> None:
    """ "the torch that Ben swung above his head", "the tome that Ada held open": held by the name."""
    for j, t in enumerate(tokens[:-2]):
        if t.text not in ("that", "which") or tokens[j + 2].text not in _HOLD_VERBS:
            continue
        who = name_of(tokens[j + 1].text, names)
        before = [p for p in props.values() if p.start < j and j - p.start <= 2]
        if who and before and not before[-1].held and before[-1].prop not in _FIXED:
            before[-1].held, before[-1].holder = True, who


def _held_as_pronoun(tokens: list[Token], props: dict[str, PropReading], names: dict[str, str]) -> None:
    """ "dust pours off the old books as Rosa opens them": a holding verb on "it"/"them" holds the
    prop named last before it."""
    for j, t in enumerate(tokens[:-1]):
        if t.text not in _HOLD_VERBS or tokens[j + 1].text not in ("it", "them"):
            continue
        before = [p for p in props.values() if p.start < j]
        last = max(before, key=lambda p: p.start, default=None)
        if last and not last.held and last.prop not in _FIXED and _can_hold(t.text, last.prop):
            last.held, last.holder = True, _subject_before(tokens, j, names)
