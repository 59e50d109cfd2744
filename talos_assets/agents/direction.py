"""Prism, the director: turns a story into a film plan of shots with emotion, size, camera and timing.

The embedded director reads the story's explicit shots, or splits a script/logline into beats
(sentences), estimates each beat's valence/arousal with a lexicon (with negation flipping and
intensifiers scaling, in the spirit of VADER, Hutto & Gilbert 2014), names the emotion by the nearest
point of Russell's circumplex, and applies film grammar: an establishing shot first, tighter shot
sizes as arousal rises, camera moves chosen per emotion, shorter shots for higher arousal. The camera
plan is a per-frame curve (centre, zoom, roll) eased between keys.
"""

from __future__ import annotations

import hashlib
import math
import re

from talos_assets.spec import (
    EMOTION_VA,
    CameraKey,
    CameraMove,
    Emotion,
    FilmPlan,
    Palette,
    ShotInput,
    ShotPlan,
    ShotSize,
    StorySpec,
)

# word -> (valence, arousal) in [-1, 1]; a compact affective lexicon in the style of ANEW/NRC-VAD.
AFFECT_LEXICON: dict[str, tuple[float, float]] = {
    # joy / warmth
    "joy": (0.9, 0.6), "happy": (0.85, 0.5), "laugh": (0.8, 0.6), "laughs": (0.8, 0.6), "smile": (0.75, 0.3),
    "smiles": (0.75, 0.3), "delight": (0.85, 0.6), "celebrate": (0.85, 0.7), "dance": (0.7, 0.7),
    "dances": (0.7, 0.7), "love": (0.9, 0.5), "friend": (0.7, 0.2), "friends": (0.7, 0.2), "warm": (0.6, 0.0),
    "play": (0.7, 0.5), "plays": (0.7, 0.5), "bright": (0.6, 0.3), "hope": (0.6, 0.2), "together": (0.6, 0.1),
    "sing": (0.7, 0.5), "sings": (0.7, 0.5), "wins": (0.8, 0.7), "win": (0.8, 0.7), "found": (0.5, 0.3),
    # sadness
    "sad": (-0.8, -0.4), "alone": (-0.6, -0.4), "lonely": (-0.7, -0.4), "cry": (-0.7, 0.1), "cries": (-0.7, 0.1),
    "tears": (-0.7, 0.0), "lost": (-0.6, -0.1), "grief": (-0.85, -0.3), "mourn": (-0.8, -0.3), "rust": (-0.4, -0.5),
    "rusted": (-0.4, -0.5), "broken": (-0.7, -0.2), "forgotten": (-0.6, -0.5), "empty": (-0.5, -0.5),
    "falls": (-0.4, 0.3), "fades": (-0.4, -0.6), "gray": (-0.3, -0.5), "rain": (-0.3, -0.3), "goodbye": (-0.6, -0.2),
    # anger
    "anger": (-0.7, 0.8), "angry": (-0.7, 0.8), "rage": (-0.8, 0.9), "furious": (-0.8, 0.9), "smash": (-0.6, 0.9),
    "smashes": (-0.6, 0.9), "fight": (-0.5, 0.85), "fights": (-0.5, 0.85), "shout": (-0.5, 0.8),
    "shouts": (-0.5, 0.8), "roar": (-0.4, 0.9), "roars": (-0.4, 0.9), "burn": (-0.5, 0.8), "burns": (-0.5, 0.8),
    "storm": (-0.4, 0.8), "strikes": (-0.5, 0.8),
    # fear
    "fear": (-0.8, 0.7), "afraid": (-0.8, 0.7), "scared": (-0.8, 0.7), "terror": (-0.9, 0.9), "dark": (-0.4, 0.3),
    "shadow": (-0.4, 0.3), "shadows": (-0.4, 0.3), "danger": (-0.7, 0.8), "hide": (-0.5, 0.5), "hides": (-0.5, 0.5),
    "tremble": (-0.6, 0.7), "trembles": (-0.6, 0.7), "flee": (-0.6, 0.8), "flees": (-0.6, 0.8), "monster": (-0.7, 0.7),
    # surprise
    "suddenly": (0.1, 0.8), "sudden": (0.1, 0.8), "surprise": (0.3, 0.8), "gasp": (0.0, 0.8), "gasps": (0.0, 0.8),
    "bursts": (0.2, 0.85), "flash": (0.1, 0.8), "explodes": (-0.1, 0.95), "appears": (0.2, 0.6),
    # calm
    "calm": (0.5, -0.7), "quiet": (0.4, -0.7), "still": (0.3, -0.6), "gentle": (0.6, -0.5), "softly": (0.5, -0.6),
    "rest": (0.5, -0.7), "rests": (0.5, -0.7), "sleep": (0.4, -0.8), "sleeps": (0.4, -0.8), "drift": (0.4, -0.5),
    "drifts": (0.4, -0.5), "breeze": (0.5, -0.4), "peace": (0.7, -0.6), "peaceful": (0.7, -0.6), "dawn": (0.5, -0.3),
    "sits": (0.2, -0.5), "waits": (0.0, -0.4), "slowly": (0.1, -0.5),
    # determination
    "determined": (0.4, 0.5), "climb": (0.3, 0.5), "climbs": (0.3, 0.5), "rises": (0.4, 0.5), "rise": (0.4, 0.5),
    "forge": (0.4, 0.6), "forges": (0.4, 0.6), "build": (0.4, 0.4), "builds": (0.4, 0.4), "strong": (0.5, 0.5),
    "march": (0.3, 0.6), "marches": (0.3, 0.6), "resolve": (0.4, 0.5), "again": (0.2, 0.3), "push": (0.2, 0.6),
    "pushes": (0.2, 0.6), "stands": (0.3, 0.3), "hammer": (0.2, 0.6),
    # awe
    "awe": (0.7, 0.3), "wonder": (0.7, 0.3), "vast": (0.5, 0.2), "stars": (0.6, 0.1), "sky": (0.5, 0.0),
    "glow": (0.6, 0.2), "glows": (0.6, 0.2), "light": (0.5, 0.1), "beautiful": (0.8, 0.3), "magic": (0.6, 0.4),
    "gazes": (0.4, 0.0), "sunset": (0.6, -0.1), "ocean": (0.4, 0.0), "ancient": (0.3, -0.1), "giant": (0.2, 0.4),
}
NEGATIONS = {"not", "no", "never", "nothing", "without", "isn't", "doesn't", "don't", "can't", "won't", "nor"}
# multiplier on the next affect word's distance from neutral
INTENSIFIERS = {"very": 1.4, "so": 1.3, "extremely": 1.7, "utterly": 1.6, "really": 1.3, "deeply": 1.5,
                "barely": 0.5, "slightly": 0.6, "somewhat": 0.7, "almost": 0.7, "too": 1.3}
_WORD_RE = re.compile(r"[a-z']+")


def estimate_affect(text: str) -> tuple[float, float]:
    """Valence/arousal of a line of text in [-1, 1]; (0, 0) when no affect word is found."""
    words = _WORD_RE.findall(text.lower())
    vals: list[tuple[float, float]] = []
    for i, w in enumerate(words):
        if w not in AFFECT_LEXICON:
            continue
        v, a = AFFECT_LEXICON[w]
        window = words[max(0, i - 3) : i]
        scale = 1.0
        for prev in window:
            scale *= INTENSIFIERS.get(prev, 1.0)
        if any(p in NEGATIONS for p in window):
            # negation flips valence and settles arousal: "not happy" reads as low, "not afraid" as calm
            v, a = -0.6 * v, -0.5 * abs(a)
        vals.append((max(-1.0, min(1.0, v * scale)), max(-1.0, min(1.0, a * scale))))
    if not vals:
        return 0.0, 0.0
    if "!" in text:
        vals = [(v, min(1.0, a + 0.15)) for v, a in vals]
    return sum(v for v, _ in vals) / len(vals), sum(a for _, a in vals) / len(vals)


def name_emotion(valence: float, arousal: float) -> Emotion:
    """Nearest named emotion on the valence/arousal plane."""
    return min(EMOTION_VA, key=lambda e: (EMOTION_VA[e][0] - valence) ** 2 + (EMOTION_VA[e][1] - arousal) ** 2)


def split_beats(text: str) -> list[str]:
    """Sentences of a logline/script, each a beat; screenplay-style blank lines also separate beats."""
    parts = re.split(r"(?<=[.!?])\s+|\n\s*\n", text.strip())
    return [p.strip() for p in parts if len(p.strip()) > 2]


_CAMERA_FOR_EMOTION = {
    Emotion.joy: CameraMove.pan, Emotion.sadness: CameraMove.pull_out, Emotion.anger: CameraMove.handheld,
    Emotion.fear: CameraMove.handheld, Emotion.surprise: CameraMove.push_in, Emotion.calm: CameraMove.static,
    Emotion.determination: CameraMove.dolly, Emotion.awe: CameraMove.tilt,
}


def choose_shot_size(index: int, arousal: float, emotion: Emotion) -> ShotSize:
    if index == 0:
        return ShotSize.establishing
    if emotion in (Emotion.awe,):
        return ShotSize.wide
    if arousal > 0.6:
        return ShotSize.close_up
    if arousal > 0.1:
        return ShotSize.medium
    return ShotSize.wide


def shot_duration(arousal: float) -> float:
    """Pacing: calm beats hold ~5 s, frantic ones ~2 s."""
    return round(3.5 - 1.5 * max(-1.0, min(1.0, arousal)), 2)


def _seed(*parts: str) -> int:
    return int(hashlib.sha256("|".join(parts).encode()).hexdigest()[:8], 16)


def slot_key(index: int) -> str:
    return f"s{index + 1:03d}"


def direct_film(story: StorySpec, palette: Palette, music_file=None, handle_seconds: float = 0.5) -> FilmPlan:
    """The embedded director: story -> FilmPlan with one ShotPlan per shot."""
    if story.shots:
        inputs = list(story.shots)
    else:
        text = story.script or story.logline or ""
        inputs = [ShotInput(id=f"shot-{i + 1:02d}", description=beat) for i, beat in enumerate(split_beats(text))]
        if not inputs:
            raise ValueError("the story's text has no sentence to make a shot from")
    shots: list[ShotPlan] = []
    for i, shot in enumerate(inputs):
        valence, arousal = estimate_affect(shot.description)
        if shot.emotion is not None:
            valence, arousal = EMOTION_VA[shot.emotion]
            emotion = shot.emotion
        else:
            emotion = name_emotion(valence, arousal) if (valence, arousal) != (0.0, 0.0) else Emotion.calm
            if (valence, arousal) == (0.0, 0.0):
                valence, arousal = EMOTION_VA[Emotion.calm]
        duration = shot.duration or shot_duration(arousal)
        frames = max(2, int(round(duration * story.fps)))
        shots.append(
            ShotPlan(
                film_id=story.film_id, shot_id=shot.id, slot=slot_key(i), index=i, description=shot.description,
                emotion=emotion, valence=valence, arousal=arousal,
                shot_size=choose_shot_size(i, arousal, emotion),
                camera=shot.camera or (CameraMove.static if i == 0 else _CAMERA_FOR_EMOTION[emotion]),
                duration=frames / story.fps, frames=frames,
                handle_frames=max(1, int(round(handle_seconds * story.fps))),
                fps=story.fps, width=story.resolution[0], height=story.resolution[1],
                characters=shot.characters, effects=shot.effects, palette=palette,
                seed=_seed(story.film_id, shot.id),
            )
        )
    return FilmPlan(film_id=story.film_id, title=story.title, fps=story.fps, width=story.resolution[0],
                    height=story.resolution[1], palette=palette, music_file=music_file, shots=shots)


_SIZE_ZOOM = {ShotSize.establishing: 1.0, ShotSize.wide: 1.05, ShotSize.medium: 1.35, ShotSize.close_up: 1.8,
              ShotSize.insert: 2.2}


def _smoothstep(t: float) -> float:
    return t * t * (3.0 - 2.0 * t)


def camera_plan(shot: ShotPlan) -> list[CameraKey]:
    """One CameraKey per rendered frame (planned frames plus the edit handle), eased between the ends."""
    n = shot.total_frames
    zoom0 = _SIZE_ZOOM[shot.shot_size]
    # characters stand with their heads at about a third of the stage height: tighter sizes frame
    # head and shoulders, so the centre rises as the zoom grows
    cy = {ShotSize.close_up: 0.42, ShotSize.insert: 0.45, ShotSize.medium: 0.48}.get(shot.shot_size, 0.5)
    start = dict(center_x=0.5, center_y=cy, zoom=zoom0, roll=0.0)
    end = dict(start)
    move = shot.camera
    if move == CameraMove.pan:
        start["center_x"], end["center_x"] = 0.42, 0.58
    elif move == CameraMove.tilt:
        start["center_y"], end["center_y"] = cy + 0.08, cy - 0.08
    elif move == CameraMove.push_in:
        end["zoom"] = zoom0 * 1.3
    elif move == CameraMove.pull_out:
        start["zoom"] = zoom0 * 1.3
    elif move == CameraMove.dolly:
        start["center_x"], end["center_x"] = 0.45, 0.55
        end["zoom"] = zoom0 * 1.12
    keys = []
    for f in range(n):
        t = _smoothstep(f / max(1, shot.frames - 1)) if f < shot.frames else 1.0
        k = {name: start[name] + (end[name] - start[name]) * t for name in start}
        if move == CameraMove.handheld:
            # two incommensurate sines read as an operator's hand, seeded so each shot differs
            ph = (shot.seed % 1000) / 1000.0 * 2 * math.pi
            amp = 0.006 + 0.01 * max(0.0, shot.arousal)
            k["center_x"] += amp * (math.sin(f * 0.37 + ph) + 0.5 * math.sin(f * 0.91 + 2 * ph))
            k["center_y"] += amp * (math.sin(f * 0.29 + 3 * ph) + 0.5 * math.sin(f * 1.13 + ph))
            k["roll"] = 0.8 * amp * 100 * math.sin(f * 0.21 + ph)
        half = 0.5 / k["zoom"]
        # keep the frame inside the stage so no empty border shows
        k["center_x"] = min(max(k["center_x"], half), 1 - half)
        k["center_y"] = min(max(k["center_y"], half), 1 - half)
        keys.append(CameraKey(frame=f, **k))
    return keys
