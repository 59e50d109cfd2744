"""Body language and behaviour: the words a screenplay uses to show an emotion instead of naming it.

Screenwriters are taught to show, not tell: action lines say "She slams the drawer", not "She is
angry". Writers' references list, per emotion, the physical signals, actions and surroundings that
carry it (Ackerman & Puglisi, The Emotion Thesaurus, 2012; the cues of Ekman's and Wallbott's studies
of bodily expression, 1998). These are such words in their base forms, grouped by the emotion they
most often show; `lexicon.py` merges them as cue words of weight 0.7, below Prism's own core and cue
words, which keep their entry when a word is in both. Ordinary stage verbs with no leaning
(walk, look, turn, hold, take) are left out on purpose.
"""

from __future__ import annotations

from talos_assets.spec import Emotion

BODY_WEIGHT = 0.7

BODY_CUES: dict[Emotion, str] = {
    Emotion.joy: """beam grin giggle chuckle cackle whoop cheer clap applaud hug squeeze embrace kiss twirl spin hop
        bounce skip prance jig caper frolic romp tickle tease wink toast clink serenade play splash laugh
        hooray yay bravo congrats thanks hurrah bingo jackpot champion winner reward bonus puppy kitten toy
        candy sweets cake picnic parade fireworks confetti bouquet balloon song tune carol music reunion
        party joke buddy pal darling sweetheart honey grandchild newborn baby wedding bride groom engaged
        graduate promotion hired accepted finally lucky luck fortune kite""",
    Emotion.sadness: """sigh slump sag droop mope trudge shuffle sniff sniffle weep sob whimper wipe linger hesitate bury
        grave tombstone headstone cemetery coffin wreath urn widow widower orphan memorial portrait
        photograph keepsake locket ashes cobweb abandoned deserted vacant unoccupied ruin rubble wreckage
        leftover untouched unopened unsent unanswered absent absence departure depart goodbye farewell gone
        missing lost memory forgot sorry apology apologise apologize alone lonely solitary quietly sadly
        silently rain drizzle autumn withered wilted fallen fade dim grey gray""",
    Emotion.anger: """slam punch kick hurl fling smash shove snatch yank jab stab grab rip shred crumple stomp storm glare
        scowl sneer snarl growl hiss spit seethe fume bristle clench bark yell shout holler roar bellow
        curse swear accuse blame betray lie lied liar cheat thief steal stole stolen rob sabotage ruin wreck
        trash insult mock taunt jeer scold lecture threaten bully traitor coward idiot fool stupid useless
        pathetic enough nerve dare outrage""",
    Emotion.fear: """tremble shiver shake quake quiver freeze flinch cower cringe crouch huddle hide duck tiptoe creep
        sneak peek peer gasp gulp swallow pant clutch cling retreat flee scramble hurry lock
        barricade creak scratch scrape thud knock rattle howl shriek scream footstep boot breath breathing
        shadow silhouette stranger intruder prowler burglar ghost monster beast wolf dark darkness fog mist
        cellar basement attic crypt tomb alley danger trap chase hunt stalk lurk loom pale alarm siren groan""",
    Emotion.surprise: """gasp blink gape gawk startle jolt flinch whirl spin pop burst leap appear reappear vanish disappear
        materialise materialize transform reveal unveil unmask wink sneeze hiccup twist sudden surprise whoa
        huh seriously impossible unbelievable overnight""",
    Emotion.calm: """sit lie lean lounge recline rest relax nap doze snooze yawn stretch sip pour brew kettle tea coffee
        cocoa soup bread bake cook stir knit sew read write garden water prune weed sweep dust tidy
         hum whistle sway bob drift float glide stroll amble wander potter putter fish fishing porch
        hammock armchair couch sofa rug quilt pillow fireplace hearth stove cabin cottage meadow
        pond brook stream creek breeze cricket bird birdsong chirp purr cat evening afternoon twilight
        sunset dusk moonlight snowfall patter tap drip tick murmur alright shh hush easy slow slowly
        comforting cruise""",
    Emotion.determination: """grip clench brace plant stride march trudge climb scale haul heave hoist push shove lift strap
        buckle tie lace tighten fasten hammer forge weld dig shovel chop build rebuild repair fix mend patch
        train practise practice drill rehearse study prepare ready aim focus concentrate persist insist
        refuse vow swear promise pledge finish complete deliver rescue save protect defend guard shield
        fight battle charge advance onward forward upward attempt try again tomorrow dawn plan route mission
        task goal sharpen""",
    Emotion.awe: """gaze behold marvel admire wonder stare gape crest summit peak ridge vista panorama horizon valley
        canyon gorge chasm abyss cliff waterfall glacier iceberg volcano aurora rainbow comet meteor eclipse
        constellation galaxy nebula planet moon star starlight sky heavens cathedral temple palace castle
        tower spire dome colossus giant titan leviathan whale dragon phoenix unicorn airship zeppelin glow
        gleam glitter glimmer shimmer sparkle twinkle dazzle radiate blaze illuminate luminous golden silver
        crystal jewel gem pearl thousand thousands million millions countless endless infinite boundless
        vast huge immense enormous colossal towering soaring ancient timeless unfold emerge soar hover
        overhead ocean sea world universe speechless hushed holy sacred""",
}
