"""Story fidelity's evidence, gathered from a studio store: what one shot's stages really wrote.

Everything is read through `StudioStore`'s typed readers (the plate, the effect and weather layers,
key poses, in-between poses, prop placements, voices): the background plate Raygen stored, a few
evenly spaced frames of Stokes' layers (alpha only), each effect's anchor track followed through the
in-between poses as Stokes follows it (`effects.shot.shot_tracks`), each prop's drawn pose and its
grip against the holder's hand, and each voiced line's loudness (from its WAV) and mouth. A stage
that has not run leaves its evidence empty, so its elements fail rather than the check crashing.
"""

from __future__ import annotations

import wave
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from talos_assets.agents.evaluation.story_fidelity import (
    ElementCheck,
    PlatePainter,
    PropEvidence,
    ShotEvidence,
    StoryElement,
    VoiceEvidence,
    story_fidelity,
)
from talos_assets.spec import Pose, Setting, ShotPlan
from talos_assets.stores.studio import Layer, MissingStageError, StudioStore

ON_SCREEN_MARGIN = 0.1  # a prop's root this far outside the frame (fractions) still shows part of it


def sample_frames(shot: ShotPlan, samples: int = 8) -> list[int]:
    """Up to `samples` evenly spaced frames of the planned shot (handles left out)."""
    n = max(1, shot.frames)
    return sorted({int(round(f)) for f in np.linspace(0, n - 1, min(samples, n))})


def set_painter(shot: ShotPlan, set_dirs: Sequence[Path | str] = ()) -> PlatePainter:
    """Paints the shot's set for a setting exactly as Raygen paints its plate (palette, size, and the
    scene's seed, so every shot of a scene shares one plate); each setting is painted once."""
    from talos_assets.agents import sets

    painted: dict[str, np.ndarray] = {}

    def paint(setting: Setting) -> np.ndarray:
        key = setting.model_dump_json()
        if key not in painted:
            spec = sets.load_set(setting.place, set_dirs)
            painted[key] = sets.paint_set(spec, setting, shot.palette, shot.width, shot.height, seed=shot.scene_index)
        return painted[key]

    return paint


def _alphas(store: StudioStore, shot: ShotPlan, layers: Sequence[Layer], frames: Sequence[int]) -> list[np.ndarray]:
    """Per sampled frame, the largest alpha over the layers (zeros where a layer wrote nothing)."""
    from talos_assets.agents.frames import read_layer

    sequences = [store.frames(shot, layer) for layer in layers]
    out = []
    for f in frames:
        found = [read_layer(seq.path(f))[..., 3] for seq in sequences if seq.path(f).exists()]
        out.append(np.max(found, axis=0) if found else np.zeros((shot.height, shot.width), np.float32))
    return out


def _inbetweens(store: StudioStore, shot: ShotPlan) -> dict[str, list[Pose]]:
    try:
        return store.read_inbetween_poses(shot)
    except MissingStageError:
        return {}


def _effect_tracks(shot: ShotPlan, poses: dict[str, list[Pose]], geometry, character_dirs, prop_dirs) -> list[np.ndarray]:
    from talos_assets.agents.effects import shot as stokes

    if not shot.effects:
        return []
    rigs = stokes.load_anchor_rigs(list(poses), character_dirs, prop_dirs) if poses else None
    return [t.points for t in stokes.shot_tracks(shot, poses or None, rigs, geometry.horizon)]


def _prop_evidence(store: StudioStore, shot: ShotPlan, poses: dict[str, list[Pose]], frames: Sequence[int],
                   character_dirs, prop_dirs) -> list[PropEvidence]:
    """Each placed prop: on screen on some frame, and a held one's largest grip-to-hand gap (frame heights)."""
    from talos_assets.agents import props
    from talos_assets.agents.inbetweening.props import PROP_PREFIX
    from talos_assets.agents.key_animation import load_rig

    placements = store.read_prop_placements(shot)
    if not placements:
        return []
    aspect = shot.width / shot.height
    specs, prop_rigs = props.placement_specs(placements, prop_dirs), props.placement_rigs(placements, prop_dirs)
    out = []
    for pl in placements:
        track = poses.get(PROP_PREFIX + pl.key) or [pl.pose]
        drawn = [track[min(f, len(track) - 1)] for f in frames]
        m = ON_SCREEN_MARGIN
        on_screen = any(-m <= p.root_x <= 1 + m and -m <= p.root_y <= 1 + m for p in drawn)
        gap = None
        prop_rig = prop_rigs.get(PROP_PREFIX + pl.key)  # keyed like the poses: `prop:<key>`
        if pl.holder and prop_rig is not None:
            gaps = []
            for f, prop_pose in zip(frames, drawn):
                name, hand = pl.holder_at(f)  # a given prop is in the receiver's hand after the hand-over
                holder_track = poses.get(name or "")
                if not holder_track:
                    continue
                hx, hy, _ = props.hand_point(load_rig(name, character_dirs), holder_track[min(f, len(holder_track) - 1)],
                                             hand, aspect)
                gx, gy = props.grip_point(specs[pl.prop], prop_rig, prop_pose, aspect)
                gaps.append(float(np.hypot((gx - hx) * aspect, gy - hy)))
            gap = max(gaps) if gaps else None
        out.append(PropEvidence(key=pl.key, prop=pl.prop, holder=pl.holder, on_screen=on_screen, grip_gap=gap))
    return out


def _wav_rms(path: Path) -> float:
    """RMS of a 16-bit PCM WAV as the voice agent writes them (0 for a missing file)."""
    if not path.exists():
        return 0.0
    with wave.open(str(path), "rb") as wav:
        pcm = np.frombuffer(wav.readframes(wav.getnframes()), "<i2").astype(np.float64) / 32767.0
    return float(np.sqrt(np.mean(pcm**2))) if pcm.size else 0.0


def _voice_evidence(store: StudioStore, shot: ShotPlan) -> list[VoiceEvidence]:
    from talos_assets.agents.voice.speech import ShotVoices

    if shot.beat != "dialogue":
        return []
    try:
        voices = ShotVoices.model_validate_json(store.read_shot_voices_json(shot))
    except MissingStageError:
        return []
    return [VoiceEvidence(speaker=line.speaker, off_screen=line.off_screen,
                          rms=_wav_rms(store.voice_file(shot, line.audio_file)) if line.audio_file else 0.0,
                          mouth_open=max((m.open for m in line.mouth), default=0.0))
            for line in voices.lines]


def gather_shot_evidence(store: StudioStore, shot: ShotPlan, set_dirs: Sequence[Path | str] = (),
                         character_dirs: Sequence[Path | str] = (), prop_dirs: Sequence[Path | str] = (),
                         samples: int = 8) -> ShotEvidence:
    """What the shot's stages wrote, as `ShotEvidence` (empty parts where a stage has not run)."""
    from talos_assets.agents.effects.shot import set_geometry
    from talos_assets.agents.frames import read_layer
    from talos_assets.agents.key_animation import load_rig

    frames = sample_frames(shot, samples)
    plate_path = store.background_path(shot)
    try:
        keys = store.read_key_poses(shot)
    except MissingStageError:
        keys = []
    poses = _inbetweens(store, shot)
    geometry = set_geometry(shot, set_dirs)
    return ShotEvidence(
        plate=read_layer(plate_path) if plate_path.exists() else None,
        sample_frames=frames,
        effect_alpha=_alphas(store, shot, (Layer.effects, Layer.effects_back), frames) if shot.effects else [],
        weather_alpha=_alphas(store, shot, (Layer.weather,), frames),
        effect_tracks=_effect_tracks(shot, poses, geometry, character_dirs, prop_dirs),
        props=_prop_evidence(store, shot, poses, frames, character_dirs, prop_dirs),
        keys=keys,
        rigs={c: load_rig(c, character_dirs) for c in sorted({k.character for k in keys})},
        voices=_voice_evidence(store, shot),
        interior=geometry.interior,
    )


def shot_fidelity_from_store(store: StudioStore, shot: ShotPlan, set_dirs: Sequence[Path | str] = (),
                             character_dirs: Sequence[Path | str] = (), prop_dirs: Sequence[Path | str] = (),
                             elements: Sequence[StoryElement] | None = None) -> list[ElementCheck]:
    """Story fidelity of one rendered shot: each element (default: the scene graph's) against what its
    stages stored. `*_dirs` are the studio's user folders of sets, characters and props."""
    evidence = gather_shot_evidence(store, shot, set_dirs, character_dirs, prop_dirs)
    return story_fidelity(shot, evidence, set_painter(shot, set_dirs), elements)
