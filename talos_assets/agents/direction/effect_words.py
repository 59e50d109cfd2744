"""Prism's effect words: the words that name each effect kind, and the word lists its reader uses to
find where an effect comes from (body parts, set words, emitting and turning verbs, measures) and when
a word is not an effect (a light doing its job, a likeness, an ending). `effect_anchors.py` and
`effects_text.py` read them.
"""

from __future__ import annotations

from talos_assets.agents.direction.worldtext import PREPOSITIONS, PhraseIndex, Token
from talos_assets.spec import EffectKind

EFFECT_WORDS: dict[EffectKind, list[str]] = {
    EffectKind.fire: ["fire", "flame", "flaming", "blaze", "blazing", "burn", "burning", "inferno", "ablaze", "campfire",
                      "bonfire", "on fire", "fireball", "wildfire", "firestorm"],
    EffectKind.smoke: ["smoke", "smoking", "fume", "smog", "smoky", "smoulder", "smouldering", "smolder", "smoldering"],
    EffectKind.dust: ["dust", "dusty", "dust cloud", "sawdust"],
    EffectKind.steam: ["steam", "steaming", "steamy", "steamed", "vapour", "vapor"],
    EffectKind.sparks: ["spark", "ember", "cinder", "sparking", "sparked"],
    EffectKind.magic: ["magic", "magical", "spell", "shimmer", "shimmering", "enchantment", "sorcery", "aura",
                       "glow", "glowing"],
    EffectKind.explosion: ["explosion", "explode", "exploded", "exploding", "blast", "detonate", "detonation",
                           "blows up", "blew up", "firework", "firecracker", "blew apart", "blows apart", "blown apart", "blew its top",
                           "blows its top"],
    EffectKind.splash: ["splash", "splashing", "splashed", "spray", "foam", "spraying water", "spraying seawater",
                        "spraying rainwater", "spraying mud", "sprayed water", "sprayed seawater", "sprayed mud"],
    EffectKind.ink: ["ink", "inky"],
}
EFFECT_INDEX = PhraseIndex((w, k.value) for k, ws in EFFECT_WORDS.items() for w in ws)
# snow and rain are the sky's unless the line names the one thing they come out of ("snow swirls out
# of the open book", "rain falls from her palms")
FLURRY = PhraseIndex([("snow", "snow"), ("snowflake", "snow"), ("blizzard", "snow"), ("rain", "rain"),
                       ("raindrop", "rain"), ("drizzle", "rain"), ("rain shower", "rain"), ("snow flurry", "snow"),
                       ("raining", "rain"), ("snowing", "snow")])
# verbs of a light doing its job: an effect only when nothing in the clause is a light
# a verb right after an effect word makes it the subject ("the bonfire smoke drifted"), not a verb itself
SUBJECT_VERBS = {"drifted", "drifts", "rose", "rises", "curled", "curls", "hung", "hangs", "billowed", "billows",
                 "filled", "fills", "poured", "pours", "spread", "spreads", "climbed", "climbs", "wafted", "wafts",
                 "stung", "stings", "lingered", "lingers", "hovered", "hovers", "swirled", "swirls"}
THROWN_FLURRIES = {"spray", "flurry", "puff", "shower", "burst", "fountain", "wall", "plume", "spurt", "swirl"}
# what follows an effect word to name a thing, not the effect: "the steam engine", "the fire marshal", "a smoke bomb"
MACHINES = {"engine", "engines", "train", "trains", "locomotive", "roller", "iron", "irons", "punk", "hammer", "marshal",
            "marshals", "brigade", "alarm", "alarms", "station", "fighter", "fighters", "drill", "escape", "exit", "cue",
            "bomb", "bombs", "pellet", "pellets", "detector", "detectors", "plug", "plugs",
            "extinguisher", "extinguishers", "hydrant", "hose", "hoses", "signal", "signals", "screen", "grenade",
            "grenades", "trick", "tricks", "show", "shows", "breather", "breathers", "breather's", "breathers'", "eater",
            "eaters", "path", "paths", "track", "tracks", "block", "blocks"}  # "the cinder path"
# dry stuff that is dust once it is in the air ("a cloud of flour", "ash rains down", "the wind whips sand")
AIRBORNE_DRY = {"sand", "grit", "flour", "ash", "chalk", "powder"}
DRY_SPRAY = {"sand", "dirt", "dust", "gravel", "earth", "soil", "sawdust", "grit", "pebbles", "ash"}
LIGHT_VERBS = {"burn", "burns", "burning", "glow", "glows", "glowing", "blaze", "blazes", "blazed", "blazing"}
LIGHT_THINGS = {"candle", "candles", "lamp", "lamps", "lantern", "lanterns", "torch", "torches", "forge",
                 "fireplace", "hearth", "sun", "moon", "sky", "window", "windows", "screen", "coals", "embers",
                 "horizon", "stars", "city", "streetlights",
                "lava", "pipe", "cigar", "neon", "coal", "jukebox", "kiln"}
BODY_HEAT = {"eyes", "cheeks", "face", "ears", "throat", "lungs", "muscles", "wound", "legs", "thighs", "calves"}  # "his eyes burn": feeling
STRONG = {"roar", "roars", "roaring", "blaze", "blazes", "blazing", "huge", "erupt", "erupts", "erupting",
           "massive", "towering", "raging", "billow", "billows", "billowing", "great", "enormous", "violent",
           "fierce", "explodes", "inferno", "thick", "pours", "surges", "bursts", "mighty", "giant", "rages"}
WEAK = {"faint", "wisp", "wisps", "small", "flickers", "flicker", "flickering", "thin", "tiny", "little",
         "slight", "trickle", "curls", "gentle", "soft", "single", "weak", "dim"}
BODY = {"chest": "chest", "heart": "chest", "core": "chest", "torso": "chest", "body": "chest", "breast": "chest",
         "head": "head", "eyes": "head", "eye": "head", "face": "head", "mouth": "head", "brow": "head",
         "crown": "head", "back": "chest", "shoulders": "chest", "hand": "r_wrist", "hands": "r_wrist", "palm": "r_wrist", "palms": "r_wrist",
         "fingers": "r_wrist", "fingertips": "r_wrist", "fist": "r_wrist", "fists": "r_wrist", "wrist": "r_wrist",
         "staff": "r_wrist", "wand": "r_wrist", "pen": "r_wrist", "sparkler": "r_wrist", "feet": "ground", "foot": "ground",
         # the rest of the body a line may name, to the joint that carries it (Stokes' JOINT_ALIASES)
         "arm": "r_elbow", "arms": "r_elbow", "elbow": "r_elbow", "hair": "head", "forehead": "head", "lips": "head",
         "nose": "head", "nostrils": "head", "nostril": "head", "snout": "head", "skull": "head", "jaw": "head", "neck": "neck", "throat": "neck", "ribs": "chest", "belly": "chest",
         "stomach": "chest", "skin": "chest", "joints": "chest", "knuckles": "r_wrist", "fingertip": "r_wrist",
         "finger": "r_wrist", "thumb": "r_wrist", "boots": "ground", "heels": "ground", "toes": "ground",
         "breath": "head", "beard": "head", "moustache": "head", "mustache": "head", "sleeve": "r_elbow",
         "sleeves": "r_elbow", "hips": "pelvis", "hip": "pelvis", "waist": "pelvis", "ankle": "r_ankle",
         "ankles": "r_ankle", "knee": "r_knee", "knees": "r_knee", "leg": "r_knee", "legs": "r_knee", "teeth": "head",
         "ears": "head", "ear": "head", "tongue": "head", "coat": "chest", "shirt": "chest", "cloak": "chest",
         "jacket": "chest", "sweater": "chest", "dress": "chest", "gown": "chest", "glove": "r_wrist",
         "gloves": "r_wrist", "mitten": "r_wrist", "mittens": "r_wrist", "eyelashes": "head", "lashes": "head",
         "eyebrows": "head", "cheeks": "head", "cheek": "head", "chin": "head", "boot": "ground", "hat": "head",
         "shoulder": "r_shoulder", "helmet": "head", "cap": "head", "hood": "head", "necklace": "chest", "scarf": "neck",
         "ponytail": "head", "braid": "head", "braids": "head", "pigtails": "head", "collar": "neck", "amulet": "chest",
         "pendant": "chest", "locket": "chest", "paw": "r_wrist", "paws": "r_wrist", "claw": "r_wrist",
         "claws": "r_wrist", "sneaker": "ground", "sneakers": "ground", "shoe": "ground", "shoes": "ground",
         "slipper": "ground", "slippers": "ground", "sandal": "ground", "sandals": "ground", "hoof": "ground", "hooves": "ground", "heel": "ground", "cuff": "r_wrist", "cuffs": "r_wrist"}
SET = {"sea": "horizon", "ocean": "horizon", "horizon": "horizon", "water": "horizon", "waves": "horizon",
        "bay": "horizon", "lagoon": "horizon", "pool": "horizon", "brook": "horizon", "creek": "horizon",
        "canal": "horizon", "moat": "horizon", "bog": "ground", "marsh": "ground", "lake": "horizon", "pond": "horizon", "river": "horizon", "stream": "horizon", "ground": "ground", "sand": "ground", "floor": "ground", "earth": "ground",
        "road": "ground", "street": "ground", "dirt": "ground", "soil": "ground", "grass": "ground",
        "puddle": "ground", "puddles": "ground", "mud": "ground", "grave": "ground", "graves": "ground", "tomb": "ground",
        "path": "ground", "pavement": "ground", "cobblestones": "ground", "cobbles": "ground", "gravel": "ground",
        "ice": "ground", "deck": "ground", "fissure": "ground", "crevice": "ground", "crater": "ground",
        "geyser": "ground", "dune": "ground", "dunes": "ground", "lawn": "ground", "drain": "ground",
        "drains": "ground", "gutter": "ground", "gutters": "ground", "manhole": "ground", "sewer": "ground",
        "tiles": "ground", "floorboards": "ground", "boards": "ground", "planks": "ground", "concrete": "ground", "flagstones": "ground", "rug": "ground", "carpet": "ground",
        "sky": "sky", "heavens": "sky", "clouds": "sky", "surf": "horizon", "seawater": "horizon",
        "cove": "horizon", "tide": "horizon", "trail": "ground", "track": "ground",
        "sidewalk": "ground", "fountain": "horizon", "trough": "horizon", "waterfall": "horizon", "rapids": "horizon"}
ANCHOR_PREPS = PREPOSITIONS | {"of", "out", "between"}
# an effect that goes after someone is behind them: "a cloud of dust follows Pip"
FOLLOWS = {"follows", "followed", "following", "trails", "trailed", "trailing", "chases", "chased"}
# "on the road" is where an effect starts; "above the street" is not the ground
GOALS = {"toward", "towards", "past"}
OUT_OF_UNKNOWN = {"from", "out", "between", "inside", "off"}
DETERMINERS = {"the", "a", "an", "his", "her", "their", "its", "my", "your", "our", "this", "that"}
STANDS_AT = {"among", "amid", "under", "beneath", "between"}
HEARTHS = {"hearth", "fireplace", "grate", "stove", "furnace", "brazier"}
STILL = {"still", "already", "now", "quietly", "gently", "slowly", "faintly", "just"}
CONJUNCTIONS = {"until", "when", "as", "while", "before", "after", "because", "so", "if", "once", "till"}
BLOWN = {"wind", "breeze", "gust", "gale", "sand", "snow", "leaves", "dirt"}
RESTS_ON = {"on", "upon", "under", "beside", "by", "near", "against"}
# "switches on the lamp": "on" belongs to the verb, the lamp is what is acted on
PARTICLE_VERBS = {"switches", "switched", "switch", "turns", "turned", "turn", "flicks", "flicked", "puts", "put",
                  "picks", "picked", "lifts", "lifted", "holds", "held", "sets", "set", "lights", "lit", "blows", "blew",
                  "blowing", "knocks", "knocked", "knock", "tips", "tipped", "tip"}
VAGUE_PLACE = {"somewhere", "just", "right", "far", "high", "deep", "low", "close"}
GROUND_PREPS = {"on", "at", "from", "across", "along", "onto", "upon", "off", "in", "into", "out", "of", "to", "through"}
EFFECT_VERBS = {"spray", "sprays", "splash", "splashes", "explode", "explodes", "blast", "blasts", "burn", "burns",
                 "smoke", "smokes", "steam", "steams", "glow", "glows", "shimmer", "shimmers", "spark", "sparks"}
KICKS = {"kick", "kicks", "kicked", "kicking", "stamps", "stomps", "stamped", "stomped"}
WATER = {"sea", "ocean", "waves", "wave", "water", "surf", "spray", "tide", "breakers"}
# "Mira fires a flare": a signal shot up, not flames
WEAPONS = {"flare", "flares", "cannon", "cannons", "gun", "guns", "rifle", "rifles", "pistol", "pistols", "musket",
           "muskets", "artillery", "rocket", "rockets", "missile", "missiles", "torpedo", "torpedoes", "arrow", "arrows"}


def sided_joint(word: str, side: str) -> str | None:
    """The joint a body word names, on the side the word before it says: "her left arm" -> l_elbow,
    "his right boot" -> r_ankle (a foot with a side is that foot, not the ground under the figure)."""
    joint = BODY.get(word)
    if joint is None or side not in ("left", "right"):
        return joint
    if joint == "ground":
        return f"{side[0]}_ankle"
    return f"{side[0]}_{joint[2:]}" if joint[:2] in ("l_", "r_") else joint


# parts of a thing: "sparks fly off the strings" come from the guitar the line named
PROP_PARTS = {"strings", "string", "wick", "blade", "edge", "tip", "handle", "lid", "spout", "wheels", "wheel",
              "pages", "page", "screen", "keys", "engine", "exhaust", "hull", "sail", "sails", "mast", "bristles",
              "nib", "barrel", "muzzle", "hinges", "hinge", "roof", "chimney", "bell", "brim", "spine", "cover",
              "valve", "pipes", "pedals", "chain", "spokes", "brakes", "tyres", "tires", "bulb", "glass", "rim"}
IMPLEMENTS = {"staff", "wand"}  # held things that are not props: "from its tip" is the hand
# an effect that wraps something is anchored on what it wraps, not on where that thing stands
ENVELOPS = {"surrounds", "surround", "surrounding", "engulfs", "engulf", "envelops", "wraps", "circles",
             "encircles", "cloaks", "shrouds", "blankets", "covers", "fills", "fogs", "fogged", "mists", "coats",
             "spatters", "spattered", "splatters", "splattered", "drenches", "drenched", "cakes", "caked"}
# a thing giving off an effect is its source: "the lantern gives off a thin smoke"
EMITS = {"emits", "emit", "emitting", "belches", "spews", "spew", "exhales", "puffs", "breathes", "releases",
          "throws", "spits", "sheds", "showers", "spills", "leaves", "breathe", "breathed", "exhaled", "coughs",
          "coughed", "snorts", "snorted", "spat", "puffed", "belched", "throwing", "spitting", "spewing",
          "belching", "shedding", "showering", "spilling", "releasing", "puffing", "coughing", "trails",
          "trailing", "trailed", "belch", "spit", "puff", "release", "shed", "sneezes", "sneezed", "sneeze", "yawns", "yawned", "burps", "burped", "hiccups", "hiccuped"}
EMIT_PARTICLES = {"gives": "off", "give": "off", "giving": "off", "sends": "up", "lets": "off"}
# what a character breathes, coughs or spits comes from the mouth: "Talos breathes out a plume of steam"
BREATH = {"breathes", "breathe", "breathed", "exhales", "exhaled", "coughs", "coughed", "sneezes", "sneezed",
           "snorts", "snorted", "spits", "spat", "puffs", "puffed", "belches", "belched", "sneeze", "yawns", "yawned", "burps", "burped", "hiccups", "hiccuped"}
PERSON_OBJECTS = {"him", "her", "them", "me", "us"}
PRONOUNS = {"he", "she", "they", "it", "i", "we"}
LIGHTS_UP = {"lights", "lit", "illuminates", "illuminated", "brightens", "brightened"}
# an effect said of a thing as its verb comes from that thing: "the old car smokes", "the key glows";
# "sparks" is a verb only right after what sparks ("Ben's sword sparks"), else it is the noun
PREDICATES = {"smokes", "smoked", "smoulders", "smoulder", "smolders", "steams", "steamed", "glows", "glowed",
               "shimmers", "shimmered", "burns", "burned", "burnt", "blazes", "blazed", "sparks", "sparked"}
NOUN_TOO = {"sparks"}
# "the house explodes": said of the house, unless a phrase places the blast ("on the horizon")
BLOWS_UP = {"explodes", "exploded", "explode", "blows", "blew"}
MADE_OF = {"light", "fire", "flame", "flames", "magic", "energy", "smoke", "steam", "sparks"}
# ... or as what fills, covers or surrounds it: "the book hums with magic", "the crate is covered in
# dust", "a bottle full of ink", "the truck rattles past in a cloud of dust"
HOLDS_EFFECT = {"with", "in", "into", "of"}
MEASURES = {"cloud", "clouds", "burst", "bursts", "puff", "puffs", "plume", "plumes", "wisp", "wisps", "curl",
             "curls", "trail", "trails", "wake", "haze", "shower", "showers", "spray", "column", "cloak", "veil",
             "film", "layer", "coat", "blanket", "halo", "ring", "shroud", "swirl", "spurt", "jet", "gust", "sheet",
             "ball", "balls", "wall", "fountain", "shower", "mushroom", "pillar", "tongue", "tongues", "flash"}
NOT_A_HOLDER = {"made", "one", "out", "kind", "sort", "sign", "smell", "scent", "sound", "light", "lights"}
# ... or as what it turns into: "bursts into flames", "catches fire", "is ablaze", "is on fire", "goes up in smoke"
BECOMES = {"into", "catches", "caught", "catch", "catching", "is", "are", "was", "were"}
TURNING_VERBS = {"into", "catches", "caught", "catch", "catching", "bursts", "burst", "goes", "went", "go", "up",
                  "to", "starts", "started", "begins", "began", "seems", "seemed"}
# "the key starts to glow": an effect verb after "to"
BASE_PREDICATES = {"smoke", "smoulder", "smolder", "steam", "glow", "shimmer", "burn", "blaze", "spark"}
# an effect word before a thing describes it: "the burning boat", "a smoking barrel"
ATTRIBUTIVE = {"burning", "smoking", "steaming", "glowing", "blazing", "flaming", "smouldering", "smoldering",
                "sparking", "shimmering"}

# "the candle has stopped smoking", "the engine ceased steaming": an ending verb before the effect's gerund
STOPPING = {"stopped", "stops", "stop", "ceased", "ceases", "quit", "quits", "finished", "finishes"}
FLURRY_VERBS = {"falls", "fall", "fell", "falling", "swirls", "swirl", "swirled", "swirling", "pours", "poured",
                 "sprays", "sprayed", "puffs", "puffed", "gushed",
                 "pouring", "drifts", "drifted", "drifting", "spills", "spilled", "spilling", "drips", "dripped",
                 "dripping", "tumbles", "tumbled", "rises", "rose", "blows", "blew", "flies", "flew", "streams",
                 "streamed", "showers", "showered", "flutters", "fluttered", "whirls", "whirled", "sprinkles",
                 "sprinkled", "spins", "spun", "bursts", "burst", "billows", "billowed", "erupts", "erupted", "whirls", "whirl", "drift", "pour", "spill", "drip", "tumble", "rise", "blow",
                "fly", "stream", "flutter", "sprinkle", "spin", "billow", "spills", "gushes", "gush"}
SHELTERS = {"prop:umbrella", "prop:house"}  # "rain drips from the umbrella" is still the sky's


def effect_shapes(tokens: list[Token]) -> set[int]:
    """Positions of words that give an effect its shape rather than name a thing: "a ball of fire",
    "a sheet of flame" (the ball is not a prop)."""
    starts = {m.start for m in EFFECT_INDEX.find(tokens) if not tokens[m.start].text.startswith("firework")}
    return {j for j in range(len(tokens) - 2) if tokens[j + 1].text == "of" and j + 2 in starts}
