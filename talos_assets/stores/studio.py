"""The studio's working store: every stage of every shot is read and written through typed methods.

A studio home holds `films/<film>/plan.json` (the checked plan), `films/<film>/shots/<slot>/<stage>/`
(each stage's frames and specs) and the film-level edit files; deliverables go to `renders/<film>/`.
No asset or agent builds one of these paths from strings: they ask this store for a `FrameSequence`
or a typed spec. Every path is built from validated ids only (`^[a-z0-9][a-z0-9_-]{0,63}$`), and
every file is written to a temp name and renamed, so nothing half-written sits at a final path.
Plain Python (no Dagster): the Dagster resource `resources.studio.StudioHome` wraps it.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from enum import Enum
from pathlib import Path

from pydantic import BaseModel

from talos_assets.agents.frames import atomic_write_bytes
from talos_assets.revision_spec import ShotOverride, ShotRevision, plan_digest, revised_shot
from talos_assets.spec import CameraKey, ClipCut, FilmPlan, FramedFrame, FrameSequence, KeyPose, Pose, ShotPlan, is_valid_id


class MissingStageError(ValueError):
    """A stage read before the stage that writes it has run; the message names what to materialize."""


class Stage(str, Enum):
    scene = "scene"
    keys = "keys"
    inbetweens = "inbetweens"
    colored = "colored"
    lit = "lit"
    effects = "effects"
    render = "render"
    storyboard = "storyboard"


class Layer(str, Enum):
    """The frame sequences stages write: 8-bit PNG for line coverage and region maps, half-float
    linear OpenEXR for colour layers (keeps emissive values above 1.0 for HDR masters)."""

    line = "line"
    regions = "regions"
    colored = "colored"
    lit = "lit"
    shadow = "shadow"
    effects = "effects"
    render = "render"
    effects_back = "effects_back"  # Stokes' effects drawn behind the characters
    weather = "weather"  # Stokes' rain / snow / wind / lightning, in front of everything


# layer -> (stage folder, file prefix, suffix)
_LAYERS: dict[Layer, tuple[Stage, str, str]] = {
    Layer.line: (Stage.inbetweens, "line_", ".png"),
    Layer.regions: (Stage.inbetweens, "regions_", ".png"),
    Layer.colored: (Stage.colored, "f", ".exr"),
    Layer.lit: (Stage.lit, "f", ".exr"),
    Layer.shadow: (Stage.lit, "shadow_", ".exr"),
    Layer.effects: (Stage.effects, "f", ".exr"),
    Layer.render: (Stage.render, "f", ".exr"),
    Layer.effects_back: (Stage.effects, "back_", ".exr"),
    Layer.weather: (Stage.effects, "weather_", ".exr"),
}


class Delivery(BaseModel):
    """What a finished film delivers next to it in `renders/<film>/`."""

    folder: Path
    film: Path
    still: Path
    timeline: Path
    edl: Path
    storyboard: Path
    storyboard_pdf: Path
    evaluation: Path
    published: Path  # the publication marker: present only while Echo let the film out (no ERROR check failed)
    masters: dict[str, Path]  # the story's deliverables beyond the SDR film


def checked_id(kind: str, value: str) -> str:
    if not is_valid_id(value):
        raise ValueError(f"{kind} id '{value}' is not allowed: use a-z, 0-9, '_' or '-' (at most 64, no leading '_' or '-')")
    return value


def write_json(path: Path, payload: str | dict | list) -> Path:
    text = payload if isinstance(payload, str) else json.dumps(payload, indent=1)
    return atomic_write_bytes(path, text.encode())


class StudioStore:
    """Typed reads and writes of a studio's films, shots and deliveries."""

    def __init__(self, root: Path | str, renders: Path | str) -> None:
        self.root = Path(root)
        self.renders = Path(renders)

    # ---- folders ---------------------------------------------------------------------------
    def film_dir(self, film_id: str) -> Path:
        path = self.root / "films" / checked_id("film", film_id)
        path.mkdir(parents=True, exist_ok=True)
        return path

    def stage_dir(self, film_id: str, slot: str, stage: Stage | str) -> Path:
        stage = Stage(stage)
        return self.root / "films" / checked_id("film", film_id) / "shots" / checked_id("shot", slot) / stage.value

    def fresh_stage(self, shot: ShotPlan, stage: Stage | str) -> Path:
        """An empty folder for a stage: a re-run replaces only this shot's stage, nothing else."""
        path = self.stage_dir(shot.film_id, shot.slot, stage)
        if path.exists():
            shutil.rmtree(path)
        path.mkdir(parents=True)
        return path

    def frames(self, shot: ShotPlan, layer: Layer | str) -> FrameSequence:
        """The shot's frames of one layer: frame f of the shot (handles included) is `.path(f)`."""
        stage, prefix, suffix = _LAYERS[Layer(layer)]
        return FrameSequence(folder=self.stage_dir(shot.film_id, shot.slot, stage), prefix=prefix, suffix=suffix,
                             count=shot.total_frames)

    # ---- specs of one film and one shot -----------------------------------------------------
    def _read(self, path: Path, what: str, fix: str) -> str:
        if not path.exists():
            raise MissingStageError(f"{what} is missing: {fix}.")
        return path.read_text()

    def write_checked_plan(self, plan: FilmPlan) -> Path:
        """The plan `talos forge` or the inbox sensor checked: the one `film_plan` renders (directed once)."""
        return write_json(self.film_dir(plan.film_id) / "checked_plan.json", plan.model_dump_json(indent=1))

    def read_checked_plan(self, film_id: str) -> FilmPlan:
        text = self._read(self.film_dir(film_id) / "checked_plan.json", f"the checked plan of film '{film_id}'",
                          "submit its story with `talos forge STORY` or drop it into the inbox")
        return FilmPlan.model_validate_json(text)

    def write_plan(self, plan: FilmPlan) -> Path:
        return write_json(self.film_dir(plan.film_id) / "plan.json", plan.model_dump_json(indent=1))

    def has_plan(self, film_id: str) -> bool:
        return (self.root / "films" / checked_id("film", film_id) / "plan.json").exists()

    def read_plan(self, film_id: str) -> FilmPlan:
        """The film's plan as every stage renders it: Prism's plan with each shot's stored revision
        applied (the one place revisions reach the plan); without revision files, Prism's plan as is."""
        plan = self.read_directed_plan(film_id)
        shots = [self.revised(shot) for shot in plan.shots]
        if all(new is old for new, old in zip(shots, plan.shots)):
            return plan
        return plan.model_copy(update={"shots": shots})

    def read_directed_plan(self, film_id: str) -> FilmPlan:
        """The plan as Prism directed it, before any of Echo's revisions."""
        text = self._read(self.film_dir(film_id) / "plan.json", f"the plan of film '{film_id}'",
                          "materialize film_plan for it first (talos forge STORY)")
        return FilmPlan.model_validate_json(text)

    # ---- Echo's revisions: one override file beside each revised shot -----------------------
    def _revision_path(self, film_id: str, slot: str) -> Path:
        return self.root / "films" / checked_id("film", film_id) / "shots" / checked_id("shot", slot) / "revision.json"

    def write_revision(self, directed: ShotPlan, revision: ShotRevision, tickets: list[int] = ()) -> Path:
        """Store the revision of one shot, made for `directed` (the shot as Prism planned it); the
        identity revision removes the file, so the shot renders as planned again."""
        path = self._revision_path(directed.film_id, directed.slot)
        if revision.is_identity:
            path.unlink(missing_ok=True)
            return path
        override = ShotOverride(shot_id=directed.shot_id, plan_digest=plan_digest(directed), revision=revision,
                                revised_digest=plan_digest(revised_shot(directed, revision)), tickets=list(tickets))
        return write_json(path, override.model_dump_json(indent=1))

    def read_override(self, film_id: str, slot: str) -> ShotOverride | None:
        path = self._revision_path(film_id, slot)
        if not path.exists():
            return None
        try:
            return ShotOverride.model_validate_json(path.read_text())
        except ValueError:
            raise ValueError(f"the revision file {path} cannot be read: delete it to render the shot as planned.") from None

    def shot_revision(self, shot: ShotPlan) -> ShotRevision:
        """The revision in force for a shot (directed or revised plan); identity when none applies."""
        override = self.read_override(shot.film_id, shot.slot)
        if override is None or override.shot_id != shot.shot_id:
            return ShotRevision()
        if plan_digest(shot) not in (override.plan_digest, override.revised_digest):
            return ShotRevision()  # made for an earlier plan of this slot
        return override.revision

    def revised(self, directed: ShotPlan) -> ShotPlan:
        """A directed shot with its stored revision applied; a revision made for another plan of the
        slot (the story was edited since) is ignored."""
        override = self.read_override(directed.film_id, directed.slot)
        if override is None or override.shot_id != directed.shot_id or override.plan_digest != plan_digest(directed):
            return directed
        return revised_shot(directed, override.revision)

    def _shot_file(self, shot: ShotPlan, stage: Stage, name: str) -> Path:
        return self.stage_dir(shot.film_id, shot.slot, stage) / name

    def write_scene_graph(self, shot: ShotPlan) -> Path:
        return write_json(self._shot_file(shot, Stage.scene, "scene_graph.json"), shot.model_dump_json(indent=1))

    def write_camera_plan(self, shot: ShotPlan, keys: list[CameraKey]) -> Path:
        return write_json(self._shot_file(shot, Stage.scene, "camera_plan.json"), [k.model_dump() for k in keys])

    def camera_plot_path(self, shot: ShotPlan) -> Path:
        return self._shot_file(shot, Stage.scene, "camera_plan.png")

    def read_camera_plan(self, shot: ShotPlan) -> list[CameraKey]:
        text = self._read(self._shot_file(shot, Stage.scene, "camera_plan.json"),
                          f"the camera plan of shot {shot.slot} of '{shot.film_id}'", "materialize camera_plan first")
        return [CameraKey.model_validate(k) for k in json.loads(text)]

    def write_key_poses(self, shot: ShotPlan, keys: list[KeyPose]) -> Path:
        return write_json(self._shot_file(shot, Stage.keys, "key_poses.json"), [k.model_dump() for k in keys])

    def read_key_poses(self, shot: ShotPlan) -> list[KeyPose]:
        text = self._read(self._shot_file(shot, Stage.keys, "key_poses.json"),
                          f"the key poses of shot {shot.slot} of '{shot.film_id}'", "materialize key_poses first")
        return [KeyPose.model_validate(k) for k in json.loads(text)]

    def key_drawing_path(self, shot: ShotPlan, index: int, key: KeyPose) -> Path:
        return self._shot_file(shot, Stage.keys, f"key{index:02d}_{key.character}_f{key.frame:04d}.png")

    def write_inbetween_poses(self, shot: ShotPlan, poses: dict[str, list[Pose]]) -> Path:
        payload = {c: [p.model_dump() for p in ps] for c, ps in poses.items()}
        return write_json(self._shot_file(shot, Stage.inbetweens, "poses.json"), payload)

    def read_inbetween_poses(self, shot: ShotPlan) -> dict[str, list[Pose]]:
        text = self._read(self._shot_file(shot, Stage.inbetweens, "poses.json"),
                          f"the in-betweens of shot {shot.slot} of '{shot.film_id}'", "materialize inbetweens first")
        return {c: [Pose.model_validate(p) for p in ps] for c, ps in json.loads(text).items()}

    def write_framing(self, shot: ShotPlan, framing: list[FramedFrame]) -> Path:
        return write_json(self._shot_file(shot, Stage.inbetweens, "framing.json"), [f.model_dump() for f in framing])

    def read_framing(self, shot: ShotPlan) -> list[FramedFrame]:
        """Per frame, the camera the in-betweens were drawn through (every later layer follows it)."""
        text = self._read(self._shot_file(shot, Stage.inbetweens, "framing.json"),
                          f"the framing of the in-betweens of shot {shot.slot} of '{shot.film_id}'",
                          "materialize inbetweens first")
        return [FramedFrame.model_validate(f) for f in json.loads(text)]

    def write_motion_curves(self, shot: ShotPlan, curves: dict[str, list[float]]) -> Path:
        return write_json(self._shot_file(shot, Stage.inbetweens, "motion_curves.json"), curves)

    def motion_plot_path(self, shot: ShotPlan) -> Path:
        return self._shot_file(shot, Stage.inbetweens, "motion_curves.png")

    def background_path(self, shot: ShotPlan) -> Path:
        return self._shot_file(shot, Stage.lit, "background.png")

    def key_light_path(self, shot: ShotPlan) -> Path:
        return self._shot_file(shot, Stage.lit, "key_light.json")

    def storyboard_panel_path(self, shot: ShotPlan) -> Path:
        return self._shot_file(shot, Stage.storyboard, "panel.png")

    # ---- the film's edit ---------------------------------------------------------------------
    def soundtrack_path(self, film_id: str) -> Path:
        return self.film_dir(film_id) / "soundtrack.wav"

    def music_analysis_path(self, film_id: str) -> Path:
        return self.film_dir(film_id) / "music_analysis.json"

    def beat_grid_path(self, film_id: str) -> Path:
        return self.film_dir(film_id) / "beat_grid.json"

    def read_music_analysis_json(self, film_id: str) -> str:
        return self._read(self.music_analysis_path(film_id), f"the soundtrack analysis of film '{film_id}'",
                          "materialize soundtrack first")

    def read_beat_grid_json(self, film_id: str) -> str:
        return self._read(self.beat_grid_path(film_id), f"the beat grid of film '{film_id}'", "materialize soundtrack first")

    def write_cuts(self, film_id: str, cuts: list[ClipCut]) -> Path:
        return write_json(self.film_dir(film_id) / "cuts.json", [c.model_dump() for c in cuts])

    def read_cuts(self, film_id: str) -> list[ClipCut]:
        text = self._read(self.film_dir(film_id) / "cuts.json", f"the timeline of film '{film_id}'",
                          "materialize timeline first")
        return [ClipCut.model_validate(c) for c in json.loads(text)]

    def rendered_frames(self, plan: FilmPlan) -> dict[str, FrameSequence]:
        """Every shot's final frames; a shot not rendered yet is named so the user can render it."""
        found: dict[str, FrameSequence] = {}
        for shot in plan.shots:
            on_disk = self.frames(shot, Layer.render).found()
            if on_disk.count < shot.total_frames:
                raise MissingStageError(
                    f"shot {shot.slot} ({shot.shot_id}) has {on_disk.count} of {shot.total_frames} rendered frames: "
                    f"materialize shot_render for {plan.film_id}|{shot.slot}")
            found[shot.slot] = on_disk.model_copy(update={"count": shot.total_frames})
        return found

    def delivery(self, film_id: str) -> Delivery:
        folder = self.renders / checked_id("film", film_id)
        return Delivery(
            folder=folder, film=folder / f"{film_id}.mp4", still=folder / f"{film_id}_still.png",
            timeline=folder / f"{film_id}.otio", edl=folder / f"{film_id}.edl",
            storyboard=folder / f"{film_id}_storyboard.png", storyboard_pdf=folder / f"{film_id}_storyboard.pdf",
            evaluation=folder / f"{film_id}_evaluation.json", published=folder / f"{film_id}_published.json",
            masters={"hdr10-hevc": folder / f"{film_id}_hdr10.mp4", "prores4444": folder / f"{film_id}_4444.mov",
                     "exr-sequence": folder / f"{film_id}_exr"},
        )

    def delivery_dir(self, film_id: str) -> Path:
        folder = self.delivery(film_id).folder
        folder.mkdir(parents=True, exist_ok=True)
        return folder

    # ---- dialogue (the voice agent) and the film's mix ----------------------------------------
    def voice_dir(self, shot: ShotPlan) -> Path:
        """A shot's voices: `voices.json` (each line's text, timings, visemes and mouth per frame) and
        one WAV per line (`line0.wav`, `line1.wav` in a dual dialogue)."""
        return self.root / "films" / checked_id("film", shot.film_id) / "shots" / checked_id("shot", shot.slot) / "voice"

    def write_shot_voices(self, shot: ShotPlan, voices_json: str, audio: dict[str, Callable[[Path], Path]]) -> Path:
        """Replace the shot's voices: `audio` maps each WAV's file name to a function writing it there;
        a shot that says nothing is written too (an empty list), so readers can tell it was voiced."""
        folder = self.voice_dir(shot)
        if folder.exists():
            shutil.rmtree(folder)
        folder.mkdir(parents=True)
        for name, write in audio.items():
            write(self.voice_file(shot, name))
        write_json(folder / "voices.json", voices_json)
        return folder

    def read_shot_voices_json(self, shot: ShotPlan) -> str:
        """The shot's voices JSON; MissingStageError before the shot was voiced."""
        return self._read(self.voice_dir(shot) / "voices.json",
                          f"the dialogue of shot {shot.slot} ({shot.shot_id}) of '{shot.film_id}'",
                          f"materialize dialogue_line for {shot.film_id}|{shot.slot}")

    def voice_file(self, shot: ShotPlan, name: str) -> Path:
        """One of the shot's line WAVs, by the file name its voices JSON gives."""
        return self.voice_dir(shot) / (checked_id("voice file", Path(name).stem) + ".wav")

    def mix_path(self, film_id: str) -> Path:
        """The film's stereo mix (dialogue over the ducked music, -14 LUFS, <= -1 dBTP)."""
        return self.film_dir(film_id) / "mix.wav"

    def subtitles_path(self, film_id: str) -> Path:
        """The film's subtitles, delivered beside it."""
        return self.delivery_dir(film_id) / f"{checked_id('film', film_id)}.srt"

    # ---- props (Axis places them beside the key poses; Flux writes their per-frame poses into
    # the in-between poses as `prop:<key>`, beside the characters') ------------------------------
    def write_prop_placements(self, shot: ShotPlan, placements: list) -> Path:
        """The shot's props as Axis placed them (`props.PropPlacement`: standing, held by whom, insert)."""
        return write_json(self._shot_file(shot, Stage.keys, "props.json"), [p.model_dump() for p in placements])

    def read_prop_placements(self, shot: ShotPlan) -> list:
        """The placed props of a shot; none when Axis placed none (or staged it before props existed)."""
        from talos_assets.agents.props import PropPlacement  # the agent's type; imported late to keep the store light

        path = self._shot_file(shot, Stage.keys, "props.json")
        if not path.exists():
            return []
        return [PropPlacement.model_validate(p) for p in json.loads(path.read_text())]

    # ---- lip sync (Flux reads each on-screen speaker's mouth from the voices) ------------------
    def read_mouth_tracks(self, shot: ShotPlan) -> dict[str, list]:
        """Each on-screen speaker's mouth per frame (`voice.MouthFrame`) from the shot's voices; none
        for a shot that is not dialogue, and none for a line heard off screen (V.O., O.S.)."""
        if shot.beat != "dialogue":
            return {}
        from talos_assets.agents.voice.visemes import MouthFrame  # the agent's type; imported late to keep the store light

        lines = json.loads(self.read_shot_voices_json(shot)).get("lines", [])
        return {line["speaker"]: [MouthFrame.model_validate(m) for m in line["mouth"]]
                for line in lines if line.get("speaker") and not line.get("off_screen") and line.get("mouth")}
