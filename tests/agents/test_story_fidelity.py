"""Echo's story fidelity on known answers: a shot whose evidence holds every element scores 1.0, and
taking one element's evidence away fails exactly that element (an empty effect layer, a bright plate
for a night shot, a speaker with no voiced line, a planned seat with the hips at standing height, a
held prop off its holder's hand). Plates come from a stand-in painter so the pixels are known."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from talos_assets.agents import key_animation as ka
from talos_assets.agents.evaluation.story_fidelity import (
    ANCHOR_RADIUS,
    PropEvidence,
    ShotEvidence,
    StoryElement,
    VoiceEvidence,
    alpha_near,
    fidelity_score,
    story_elements,
    story_fidelity,
    story_fidelity_finding,
)
from talos_assets.agents.key_animation.acting import Stage, perform
from talos_assets.spec import (
    CameraMove,
    CharacterAction,
    EffectSpec,
    Emotion,
    KeyPose,
    Palette,
    PropUse,
    Setting,
    ShotPlan,
    ShotSize,
)

W, H, FRAMES = 64, 36, 12
SKY = {"dawn": 0.3, "morning": 0.5, "noon": 0.8, "afternoon": 0.6, "dusk": 0.25, "night": 0.04}
PLACES = {"shore": 0.1, "forest": 0.4, "bedroom": 0.7}


def paint(setting: Setting) -> np.ndarray:
    """A stand-in for the set painter: each place a pattern, each time of day a sky brightness, snow a
    white ground; distinct settings give distinct pixels, as the real painter's do."""
    if setting.place not in PLACES:
        raise ValueError(f"set '{setting.place}' is not in the library")
    x = np.linspace(0.0, 1.0, W, dtype=np.float32)[None, :]
    y = np.linspace(0.0, 1.0, H, dtype=np.float32)[:, None]
    sky = SKY[setting.time_of_day.value]
    rgb = np.stack([sky * (0.6 + 0.4 * np.sin(6 * x + PLACES[setting.place] * 10) * y)] * 3, axis=-1)
    rgb[..., 2] *= 1.0 + 0.1 * list(type(setting.weather)).index(setting.weather)
    if setting.weather.value == "snow":
        rgb[H * 2 // 3:] = 0.9
    return np.clip(np.concatenate([rgb, np.ones((H, W, 1), np.float32)], axis=-1), 0.0, 1.0)


def _shot(**kw) -> ShotPlan:
    setting = kw.pop("setting", Setting(place="shore", time_of_day="night", weather="clear"))
    return ShotPlan(
        film_id="film", shot_id="s1", slot="s001", index=0, description="At night on the shore Talos sits; Mira speaks.",
        emotion=Emotion.calm, valence=0.2, arousal=0.0, shot_size=ShotSize.wide, camera=CameraMove.static,
        duration=FRAMES / 12, frames=FRAMES, handle_frames=0, fps=12, width=W, height=H, characters=["talos", "mira"],
        effects=[EffectSpec(kind="smoke", anchor="horizon")], palette=Palette.from_hex_list("t", ["#101010", "#e0b090"]),
        background=setting.place, setting=setting, props=[PropUse(prop="lantern", holder="mira")],
        actions=[CharacterAction(character="talos", action="sit")], beat="dialogue", speaker="mira", speakers=["mira"],
        **kw)


def _sitting_keys() -> list[KeyPose]:
    st = Stage(rig=ka.load_rig("talos"), x0=0.3, facing=1, root_y=0.84, scale=1.0, emotion=Emotion.calm, arousal=0.0,
               n_frames=FRAMES)
    return [k.model_copy(update={"character": "talos"}) for k in perform(st, "sit")]


def _standing_keys() -> list[KeyPose]:
    rig = ka.load_rig("talos")
    return [KeyPose(frame=f, character="talos", pose=rig.rest_pose(root_x=0.3, root_y=0.84)) for f in (0, FRAMES - 1)]


def _blob(cx: float, cy: float) -> np.ndarray:
    """An effect layer's alpha: a soft disc at (cx, cy) frame fractions."""
    ys, xs = np.mgrid[:H, :W]
    return np.clip(1.0 - np.hypot(xs - cx * W, ys - cy * H) / (0.1 * H), 0.0, 1.0).astype(np.float32)


def _evidence(shot: ShotPlan) -> ShotEvidence:
    """Evidence of a render that realised everything the shot names."""
    frames = [0, 4, 8, 11]
    return ShotEvidence(
        plate=paint(shot.setting), sample_frames=frames,
        effect_alpha=[_blob(0.5, 0.6) for _ in frames], weather_alpha=[np.zeros((H, W), np.float32) for _ in frames],
        effect_tracks=[np.tile([0.5, 0.6], (FRAMES, 1))],
        props=[PropEvidence(key="lantern", prop="lantern", holder="mira", on_screen=True, grip_gap=0.004)],
        keys=_sitting_keys(), rigs={"talos": ka.load_rig("talos")},
        voices=[VoiceEvidence(speaker="mira", rms=0.08, mouth_open=0.7)])


def _failed(shot: ShotPlan, ev: ShotEvidence) -> tuple[float, list[str]]:
    return fidelity_score(story_fidelity(shot, ev, paint))


def test_scene_graph_names_every_element():
    names = [e.name for e in story_elements(_shot())]
    assert names == ["set:shore", "time:night", "weather:clear", "prop:lantern", "effect:smoke@horizon",
                     "action:talos sit", "speaker:mira"]


def test_every_element_realised_scores_one():
    shot = _shot()
    checks = story_fidelity(shot, _evidence(shot), paint)
    assert len(checks) == 7 and all(c.found for c in checks), [c for c in checks if not c.found]
    finding = story_fidelity_finding(checks)
    assert finding.check == "story_fidelity" and finding.value == 1.0 and finding.severity == "ok"


def test_empty_effect_layer_fails_the_effect_by_its_share():
    shot = _shot()
    ev = _evidence(shot)
    ev.effect_alpha = [np.zeros((H, W), np.float32) for _ in ev.sample_frames]
    score, failed = _failed(shot, ev)
    assert failed == ["effect:smoke@horizon"]
    assert score == pytest.approx(1.0 - 1.0 / 7.0)
    finding = story_fidelity_finding(story_fidelity(shot, ev, paint))
    assert finding.severity == "warn" and "effect:smoke@horizon" in finding.detail


def test_effect_away_from_its_anchor_fails():
    shot = _shot()
    ev = _evidence(shot)
    ev.effect_alpha = [_blob(0.05, 0.05) for _ in ev.sample_frames]  # drawn in a corner, far from the horizon
    assert alpha_near(ev.effect_alpha[0], (0.5, 0.6)) == 0.0 and ANCHOR_RADIUS < 0.6
    assert _failed(shot, ev)[1] == ["effect:smoke@horizon"]


def test_night_shot_with_a_bright_plate_fails_time_only():
    shot = _shot()
    ev = dataclasses.replace(_evidence(shot), plate=paint(Setting(place="shore", time_of_day="noon", weather="clear")))
    checks = {c.element: c for c in story_fidelity(shot, ev, paint)}
    assert not checks["time:night"].found and "shows noon" in checks["time:night"].evidence
    assert checks["set:shore"].found and checks["weather:clear"].found  # the set and sky are still right


def test_night_plate_not_darker_than_noon_fails_even_if_it_matches():
    """A 'night' painting as bright as noon (a broken painter) is no night a viewer sees."""
    def bright_nights(setting: Setting) -> np.ndarray:
        night = setting.time_of_day.value == "night"
        return paint(Setting.model_validate(setting.model_dump() | {"time_of_day": "noon"}) if night else setting)

    shot = _shot()
    ev = dataclasses.replace(_evidence(shot), plate=bright_nights(shot.setting))
    assert fidelity_score(story_fidelity(shot, ev, bright_nights))[1] == ["time:night"]


def test_plate_of_another_set_fails_set():
    shot = _shot()
    ev = dataclasses.replace(_evidence(shot), plate=paint(Setting(place="forest", time_of_day="night", weather="clear")))
    checks = story_fidelity(shot, ev, paint, [StoryElement(kind="set", value="shore"), StoryElement(kind="set", value="forest")])
    assert [c.found for c in checks] == [False, True]
    # a plate that is no painting of the set at all fails every plate element
    ev.plate = np.full((H, W, 4), 0.5, np.float32)
    assert _failed(shot, ev)[1] == ["set:shore", "time:night", "weather:clear"]


def test_rain_needs_the_weather_layer_and_snow_the_white_ground():
    rain = _shot(setting=Setting(place="shore", time_of_day="noon", weather="rain"))
    ev = dataclasses.replace(_evidence(rain), plate=paint(rain.setting))
    assert "weather:rain" in _failed(rain, ev)[1]  # no drops drawn
    ev.weather_alpha = [_blob(0.5, 0.3) for _ in ev.sample_frames]
    assert "weather:rain" not in _failed(rain, ev)[1]
    snow = _shot(setting=Setting(place="shore", time_of_day="noon", weather="snow"))
    ev = dataclasses.replace(_evidence(snow), plate=paint(snow.setting), weather_alpha=ev.weather_alpha)
    assert "weather:snow" not in _failed(snow, ev)[1]
    assert "weather:clear" in _failed(_shot(setting=Setting(place="shore", time_of_day="night", weather="clear")),
                                      dataclasses.replace(_evidence(_shot()), weather_alpha=ev.weather_alpha))[1]


def test_speaker_without_a_voiced_line_fails_speaker():
    shot = _shot()
    ev = _evidence(shot)
    ev.voices = [VoiceEvidence(speaker="talos", rms=0.08, mouth_open=0.7)]  # someone else's line
    score, failed = _failed(shot, ev)
    assert failed == ["speaker:mira"] and score == pytest.approx(6 / 7)
    ev.voices = [VoiceEvidence(speaker="mira", rms=0.0, mouth_open=0.7)]  # silent audio
    assert _failed(shot, ev)[1] == ["speaker:mira"]
    ev.voices = [VoiceEvidence(speaker="mira", rms=0.08, mouth_open=0.0)]  # on screen, mouth shut
    assert _failed(shot, ev)[1] == ["speaker:mira"]
    ev.voices = [VoiceEvidence(speaker="mira", rms=0.08, mouth_open=0.0, off_screen=True)]  # V.O.: heard only
    assert _failed(shot, ev)[1] == []


def test_planned_sit_with_standing_hips_fails_action():
    shot = _shot()
    ev = dataclasses.replace(_evidence(shot), keys=_standing_keys())
    checks = {c.element: c for c in story_fidelity(shot, ev, paint)}
    assert not checks["action:talos sit"].found and "hips low" in checks["action:talos sit"].evidence
    assert fidelity_score(list(checks.values()))[1] == ["action:talos sit"]
    ev.keys = []
    assert _failed(shot, ev)[1] == ["action:talos sit"]


def test_prop_missing_off_screen_or_off_the_hand_fails():
    shot = _shot()
    ev = _evidence(shot)
    for props in ([], [PropEvidence(key="lantern", prop="lantern", holder="mira", on_screen=False, grip_gap=0.0)],
                  [PropEvidence(key="lantern", prop="lantern", holder="mira", on_screen=True, grip_gap=0.2)]):
        ev.props = props
        assert _failed(shot, ev)[1] == ["prop:lantern"], props


def test_finding_is_an_error_when_most_elements_are_missing():
    shot = _shot()
    ev = ShotEvidence()  # nothing rendered at all
    checks = story_fidelity(shot, ev, paint)
    score, failed = fidelity_score(checks)
    assert score == 0.0 and len(failed) == 7
    finding = story_fidelity_finding(checks)
    assert finding.severity == "error" and finding.characters == ["mira", "talos"]


# ---- the evidence gathered from a studio store (only the stages written here) ---------------------


def _store_with_held_lantern(tmp_path, offset: float = 0.0):
    """A store holding a shot's in-between poses and its lantern held in Mira's right hand (moved
    `offset` of the frame width off the hand), and Mira's voiced line; no plate, no effect layers."""
    from talos_assets.agents import music, props
    from talos_assets.agents.props import PropPlacement
    from talos_assets.agents.voice.speech import ShotVoices, VoicedLine
    from talos_assets.agents.voice.visemes import MouthFrame
    from talos_assets.stores.studio import StudioStore

    store, shot = StudioStore(tmp_path / "home", tmp_path / "renders"), _shot()
    rig, aspect = ka.load_rig("mira"), W / H
    pose = rig.rest_pose(root_x=0.6, root_y=0.84)
    held = props.held_pose(props.load_prop("lantern"), rig, pose, "right", 1.0, aspect)
    held = held.model_copy(update={"root_x": held.root_x + offset})
    store.write_prop_placements(shot, [PropPlacement(key="lantern", prop="lantern", holder="mira", pose=held)])
    store.write_inbetween_poses(shot, {"mira": [pose] * FRAMES, "prop:lantern": [held] * FRAMES})
    sr = 16000
    samples = (0.1 * np.sin(np.linspace(0, 2000, sr // 2))).astype(np.float32)
    line = VoicedLine(text="Look.", speaker="mira", source="espeak:en-us", sample_rate=sr, duration_s=0.5, onset_s=0.0,
                      offset_s=0.5, mouth=[MouthFrame(frame=f, viseme="open", open=0.8) for f in range(FRAMES)],
                      audio_file="line0.wav")
    store.write_shot_voices(shot, ShotVoices(lines=[line]).model_dump_json(),
                            {"line0.wav": lambda path: music.write_wav(path, samples, sr)})
    return store, shot


def test_store_evidence_follows_the_held_prop_and_the_voiced_line(tmp_path):
    from talos_assets.agents.evaluation.story_fidelity import GRIP_TOL
    from talos_assets.agents.evaluation.story_fidelity_store import gather_shot_evidence, shot_fidelity_from_store

    store, shot = _store_with_held_lantern(tmp_path)
    ev = gather_shot_evidence(store, shot)
    assert [(p.prop, p.holder, p.on_screen) for p in ev.props] == [("lantern", "mira", True)]
    assert ev.props[0].grip_gap < 1e-6
    assert [v.speaker for v in ev.voices] == ["mira"] and ev.voices[0].rms == pytest.approx(0.1 / np.sqrt(2), rel=0.05)
    assert ev.plate is None and all(not a.any() for a in ev.effect_alpha)
    failed = fidelity_score(shot_fidelity_from_store(store, shot))[1]
    # no plate, no effect layers, no key poses were stored: exactly those elements fail
    assert failed == ["set:shore", "time:night", "weather:clear", "effect:smoke@horizon", "action:talos sit"]
    store, shot = _store_with_held_lantern(tmp_path / "off", offset=0.2)
    assert gather_shot_evidence(store, shot).props[0].grip_gap > GRIP_TOL
    assert "prop:lantern" in fidelity_score(shot_fidelity_from_store(store, shot))[1]
