"""Typed specs at every boundary of the studio: the story a user writes and what the agents hand on.

The story is YAML validated by pydantic (`StorySpec`); Prism turns it into a `ShotPlan` per shot;
Axis and Flux exchange `Pose`/`KeyPose`; Cuttura's `BeatGrid` and `ClipCut` describe the edit.
Ids that end up in paths are checked against one pattern before any path is built.
"""

from __future__ import annotations

import re
from collections import Counter
from enum import Enum
from pathlib import Path
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator, model_validator

from talos_assets.world_spec import ID_PATTERN  # one id pattern for the whole studio
# shot slots per film (s001..s200): enough for a 10-minute film of 3 s shots
MAX_SHOTS = 200
# text a story may hold (a story file is untrusted input): a whole script inline, a line of it
MAX_SCRIPT_CHARS = 200_000
MAX_LINE_CHARS = 2_000
MAX_NAME_CHARS = 64
_ID_RE = re.compile(ID_PATTERN)
HEX_RE = re.compile(r"^#?[0-9a-fA-F]{6}$")

# Semantic regions a character's body parts carry; Chroma fills them, Axis draws them.
# Index in this tuple is the value stored in a region-hint map (0 = not the character).
REGION_NAMES: tuple[str, ...] = ("background", "skin", "hair", "coat", "accent", "eye")
# Palette roles, in the order a bare hex list is read.
PALETTE_ROLES: tuple[str, ...] = ("line", "skin", "hair", "coat", "accent", "eye", "sky", "ground")


class Emotion(str, Enum):
    joy = "joy"
    sadness = "sadness"
    anger = "anger"
    fear = "fear"
    surprise = "surprise"
    calm = "calm"
    determination = "determination"
    awe = "awe"


# Russell circumplex coordinates (valence, arousal) in [-1, 1] for each named emotion.
EMOTION_VA: dict[Emotion, tuple[float, float]] = {
    Emotion.joy: (0.8, 0.5),
    Emotion.sadness: (-0.7, -0.5),
    Emotion.anger: (-0.6, 0.8),
    Emotion.fear: (-0.7, 0.6),
    Emotion.surprise: (0.2, 0.8),
    Emotion.calm: (0.5, -0.6),
    Emotion.determination: (0.3, 0.4),
    Emotion.awe: (0.6, 0.2),
}


def is_valid_id(value: str) -> bool:
    return bool(_ID_RE.match(value))


def slugify(text: str, fallback: str = "film") -> str:
    """A path-safe id from free text (title -> film id)."""
    slug = re.sub(r"[^a-z0-9_-]+", "-", text.lower()).strip("-_")[:64]
    return slug if slug and is_valid_id(slug) else fallback


SafeId = Annotated[str, Field(pattern=ID_PATTERN, description="lowercase id: a-z, 0-9, '_' or '-', at most 64")]
Name = Annotated[str, Field(min_length=1, max_length=MAX_NAME_CHARS)]

# the world of a shot and the voices of its characters (talos_assets/world_spec.py)
from talos_assets.world_spec import (  # noqa: E402
    ACTIONS,
    CharacterAction,
    PropUse,
    Season,
    Setting,
    TimeOfDay,
    VoiceSpec,
    Weather,
    Water,
    WorldVocabulary,
)


def story_path_problem(path: Path) -> str | None:
    """Why a path written in a story may not be used (absolute, or climbing out with '..'), or None.
    A story names files inside its own folder only; symbolic links are checked when the path resolves."""
    if path.is_absolute():
        return f"'{path}' is an absolute path; a story may only name files inside its own folder, relative to the story file"
    if ".." in path.parts:
        return f"'{path}' climbs out of the story's folder with '..'; a story may only name files inside its own folder"
    return None


def _inside_story_folder(path: Path | None) -> Path | None:
    problem = story_path_problem(path) if path is not None else None
    if problem:
        raise ValueError(problem)
    return path


StoryPath = Annotated[Path, AfterValidator(_inside_story_folder)]


class CameraMove(str, Enum):
    static = "static"
    pan = "pan"
    tilt = "tilt"
    push_in = "push-in"
    pull_out = "pull-out"
    dolly = "dolly"
    handheld = "handheld"


class ShotSize(str, Enum):
    establishing = "establishing"
    wide = "wide"
    medium = "medium"
    close_up = "close-up"
    insert = "insert"


class EffectKind(str, Enum):
    smoke = "smoke"
    fire = "fire"
    ink = "ink"
    magic = "magic"
    dust = "dust"
    steam = "steam"
    sparks = "sparks"
    explosion = "explosion"
    splash = "splash"
    # rain and snow as an effect only when a story asks for them explicitly; the weather of a
    # `Setting` brings its own rain/snow layer
    rain = "rain"
    snow = "snow"


# where an effect can come from besides a joint of a character: the set's horizon line, the ground
# in front of the characters, the sky (falls from the top), or a prop of the shot (`prop:<id>`)
SET_ANCHORS: tuple[str, ...] = ("horizon", "ground", "sky")
_ANCHOR_RE = re.compile(r"^(?:[a-z][a-z0-9_]{0,31}|prop:[a-z0-9][a-z0-9_-]{0,63})$")


class EffectSpec(BaseModel):
    """One fluid effect in a shot: what it is, where it rises from, how strong."""

    model_config = ConfigDict(extra="forbid")
    kind: EffectKind = EffectKind.smoke
    source_x: float = Field(0.5, ge=0.0, le=1.0, description="emitter position, fraction of frame width")
    source_y: float = Field(0.9, ge=0.0, le=1.0, description="emitter position, fraction of frame height (0 = top)")
    strength: float = Field(1.0, gt=0.0, le=4.0)
    color: str | None = Field(None, description="hex tint; default from the palette")
    anchor: str | None = Field(
        None, description="where it comes from and moves with: a joint of `character` (chest, head, r_wrist...), "
                          "'horizon', 'ground', 'sky' or 'prop:<id>'; unset = source_x/source_y")
    character: Name | None = Field(None, description="whose joint the anchor names, or whom 'behind' refers to")
    behind: bool = Field(False, description="drawn behind the characters in depth")
    over: bool = Field(False, description="rain or snow that falls onto the anchor from a small cloud above it "
                                          "(\"raining only on his head\"), not out of it")

    @field_validator("anchor")
    @classmethod
    def _anchor(cls, v: str | None) -> str | None:
        if v is not None and not _ANCHOR_RE.match(v):
            raise ValueError(f"anchor '{v}' is not a joint name, 'horizon', 'ground', 'sky' or 'prop:<id>'")
        return v

    @field_validator("color")
    @classmethod
    def _hex(cls, v: str | None) -> str | None:
        if v is not None and not HEX_RE.match(v):
            raise ValueError(f"'{v}' is not a #rrggbb colour")
        return v


class Palette(BaseModel):
    """Named colours for each palette role (sRGB hex)."""

    model_config = ConfigDict(extra="forbid")
    name: str
    swatches: dict[str, str]

    @model_validator(mode="after")
    def _complete(self) -> "Palette":
        missing = [r for r in PALETTE_ROLES if r not in self.swatches]
        if missing:
            raise ValueError(f"palette '{self.name}' lacks roles {missing}")
        for role, v in self.swatches.items():
            if not HEX_RE.match(v):
                raise ValueError(f"palette colour for '{role}' is '{v}', not #rrggbb")
        return self

    @classmethod
    def from_hex_list(cls, name: str, colors: list[str]) -> "Palette":
        """Read a bare hex list in PALETTE_ROLES order; a short list repeats its colours."""
        if not colors:
            raise ValueError("palette hex list is empty")
        return cls(name=name, swatches={r: colors[i % len(colors)] for i, r in enumerate(PALETTE_ROLES)})

    def rgb(self, role: str) -> tuple[float, float, float]:
        """sRGB triple in [0, 1] for a role."""
        h = self.swatches[role].lstrip("#")
        return tuple(int(h[i : i + 2], 16) / 255.0 for i in (0, 2, 4))  # type: ignore[return-value]


# a rigged shot drawn on twos (1), threes (2)...: Flux in-betweens the frames between in pixels
# (talos_assets.agents.inbetweening.raster_shot)
RASTER_INBETWEENS_HELP = ("frames between each pair of frames rendered from the rig, in-betweened in pixels by Flux's raster "
                          "in-betweener (Protoforge's registered model, else DIS optical flow): 1 = on twos; 0 = every frame from the rig")


class ShotInput(BaseModel):
    """A shot written explicitly in the story."""

    model_config = ConfigDict(extra="forbid")
    id: SafeId
    description: str = Field(..., min_length=1, max_length=MAX_LINE_CHARS)
    emotion: Emotion | None = None
    duration: float | None = Field(None, gt=0.2, le=60.0, description="seconds")
    characters: list[Name] = Field(default_factory=lambda: ["talos"], max_length=16)
    camera: CameraMove | None = None
    effects: list[EffectSpec] = Field(default_factory=list, max_length=16)
    # film-grammar overrides; left out, Prism decides them (see talos_assets/agents/direction/grammar.py)
    shot_size: ShotSize | None = Field(None, description="establishing, wide, medium, close-up or insert")
    lens_mm: float | None = Field(None, ge=8.0, le=300.0, description="focal length in mm (35 mm still-frame equivalent)")
    location: str | None = Field(None, max_length=200, description="where the shot happens; a new location opens a scene with an establishing shot")
    speaker: str | None = Field(None, max_length=MAX_NAME_CHARS, description="the character speaking, when the shot is a line of dialogue")
    # the world, when the text should not decide it (see talos_assets/agents/direction/world.py)
    place: SafeId | None = Field(None, description="set id (`talos sets`); unset = read from the text or kept from the scene")
    time_of_day: TimeOfDay | None = None
    weather: Weather | None = None
    season: Season | None = None
    props: list[SafeId | PropUse] = Field(default_factory=list, max_length=16, description="prop ids or prop placements (`talos props`)")
    motion: dict[Name, StoryPath] = Field(default_factory=dict, max_length=16, description="character -> a BVH motion-capture file in the story's folder, retargeted onto its rig")
    actions: list[CharacterAction] = Field(default_factory=list, max_length=16, description="what each character does; unset = read from the description's verbs")
    dialogue_audio: StoryPath | None = Field(None, description="a recorded line (wav/flac...) in the story's folder, spoken by `speaker` instead of the studio's voice")
    raster_inbetweens: int | None = Field(None, ge=0, le=7, description=RASTER_INBETWEENS_HELP + "; unset = the story's")

    @model_validator(mode="after")
    def _speaker_on_screen(self) -> "ShotInput":
        if self.speaker is not None and self.speaker not in self.characters:
            raise ValueError(f"speaker '{self.speaker}' must also be one of the shot's characters")
        return self


class ShotList(BaseModel):
    """An explicit shot list: what a story's `shots` holds and what an LLM director must reply with."""

    model_config = ConfigDict(extra="forbid")
    shots: list[ShotInput] = Field(..., min_length=1, max_length=MAX_SHOTS)


class DirectorSpec(BaseModel):
    """Which director plans the shots: the embedded one, or an LLM endpoint the studio configured.

    A story only names the endpoint: its URL, model and key are studio configuration
    (talos_assets.llm_config), so a story file cannot send anything to an address or with a secret
    of its choosing."""

    model_config = ConfigDict(extra="forbid")
    endpoint: SafeId | None = Field(
        None, description="name of an LLM endpoint the studio configured (TALOS_LLM_URL is 'default', more in "
                          "$TALOS_HOME/llm.yaml); unset = 'default' when the studio has one, else the embedded "
                          "director; 'embedded' = always the embedded director")
    tries: int = Field(3, ge=1, le=10, description="attempts at a schema-valid reply before falling back to the embedded director")
    timeout_s: float = Field(60.0, gt=0.0, le=600.0, description="seconds to wait for each reply")

    @model_validator(mode="before")
    @classmethod
    def _no_endpoint_details(cls, data: object) -> object:
        named = [k for k in ("llm_url", "api_key_env", "model") if isinstance(data, dict) and k in data]
        if named:
            raise ValueError(
                f"'{named[0]}' is no longer read from a story, because a story must not choose where its text "
                "is sent or which secret goes with it; the studio configures LLM endpoints (TALOS_LLM_URL, "
                "TALOS_LLM_MODEL, TALOS_LLM_API_KEY or $TALOS_HOME/llm.yaml) and the story picks one by name "
                "with director.endpoint")
        return data


# what Anima masters: SDR H.264 (always the film), HDR10 HEVC, ProRes 4444 with alpha, OpenEXR frames
Deliverable = Literal["sdr-h264", "hdr10-hevc", "prores4444", "exr-sequence"]


class MusicSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")
    file: StoryPath | None = Field(None, description="audio file (wav/mp3/flac...) in the story's folder, relative to the story file")
    generate: bool = Field(True, description="synthesise a score from the story's emotion when no file is given")


class StorySpec(BaseModel):
    """A story file: what the user writes."""

    model_config = ConfigDict(extra="forbid")
    title: str = Field(..., min_length=1, max_length=200)
    id: SafeId | None = Field(None, description="film id; default: slug of the title")
    logline: str | None = Field(None, max_length=MAX_LINE_CHARS)
    script: str | None = Field(None, max_length=MAX_SCRIPT_CHARS)
    screenplay: StoryPath | None = Field(None, description="a Fountain screenplay (.fountain) in the story's folder, relative to the story file")
    cast: dict[Name, Name] = Field(default_factory=dict, max_length=64, description="screenplay character name -> studio character rig")
    director: DirectorSpec = Field(default_factory=DirectorSpec)
    style: str = Field("cel", max_length=MAX_NAME_CHARS)
    palette: Name | Annotated[list[str], Field(max_length=64)] = "bronze-dusk"
    music: MusicSpec = Field(default_factory=MusicSpec)
    fps: int = Field(24, ge=6, le=60)
    resolution: tuple[int, int] = Field((1280, 720), description="width, height in pixels")
    shots: list[ShotInput] = Field(default_factory=list, max_length=MAX_SHOTS)
    raster_inbetweens: int = Field(0, ge=0, le=7, description=RASTER_INBETWEENS_HELP + "; for every shot that does not say")
    deliverables: list[Deliverable] = Field(
        default_factory=lambda: ["sdr-h264"], max_length=8,
        description="masters to deliver; the SDR H.264 film is always made, others are added next to it",
    )

    @field_validator("resolution")
    @classmethod
    def _resolution(cls, v: tuple[int, int]) -> tuple[int, int]:
        w, h = v
        if not (64 <= w <= 3840 and 36 <= h <= 2160):
            raise ValueError(f"{w}x{h} is outside 64x36 .. 3840x2160")
        if w % 2 or h % 2:
            raise ValueError(f"{w}x{h} must have even width and height for video encoding")
        return v

    @field_validator("palette")
    @classmethod
    def _palette(cls, v: str | list[str]) -> str | list[str]:
        if isinstance(v, list):
            bad = [c for c in v if not HEX_RE.match(c)]
            if bad or not v:
                raise ValueError(f"palette colours must be #rrggbb, got {bad or 'an empty list'}")
        return v

    @model_validator(mode="after")
    def _has_content(self) -> "StorySpec":
        if not (self.logline or self.script or self.shots or self.screenplay):
            raise ValueError("a story needs a logline, a script, a screenplay or a list of shots")
        dup = sorted(i for i, n in Counter(s.id for s in self.shots).items() if n > 1)
        if dup:
            raise ValueError(f"shot ids repeat: {dup}")
        return self

    @property
    def film_id(self) -> str:
        return self.id or slugify(self.title)


# ---- what Prism hands on -------------------------------------------------------------------


class CameraKey(BaseModel):
    """Camera framing at one frame: centre (fractions of the stage), zoom (1 = full stage), roll (deg)."""

    frame: int
    center_x: float = 0.5
    center_y: float = 0.5
    zoom: float = 1.0
    roll: float = 0.0


class FramedFrame(BaseModel):
    """How Flux drew one frame: through this camera key (the plan's, with Echo's re-frame applied), the
    figures touching the ground at `stage_ground_y` (a fraction of the stage height; None: no figure).
    Raygen lights and shadows the framed drawing from it, Stokes and Anima frame their own layers by it."""

    camera: CameraKey
    stage_ground_y: float | None = None


class ShotPlan(BaseModel):
    """Prism's direction for one shot: everything the downstream agents need."""

    film_id: SafeId
    shot_id: SafeId
    slot: str = Field(..., description="partition slot key, s001...")
    index: int
    description: str
    emotion: Emotion
    valence: float
    arousal: float
    shot_size: ShotSize
    camera: CameraMove
    duration: float
    frames: int
    handle_frames: int = Field(..., description="extra frames rendered after the planned end, for the edit")
    fps: int
    width: int
    height: int
    characters: list[str]
    effects: list[EffectSpec]
    palette: Palette
    background: str = Field("hills", description="set id painted behind the shot (= setting.place)")
    seed: int = 0
    setting: Setting = Field(default_factory=Setting)
    props: list[PropUse] = Field(default_factory=list)
    actions: list[CharacterAction] = Field(default_factory=list, description="what each character does, from the verbs")
    motion: dict[str, Path] = Field(default_factory=dict, description="character -> BVH file (absolute, resolved inside the story folder)")
    dialogue_audio: Path | None = Field(None, description="the recorded line spoken instead of the studio's voice (absolute, resolved inside the story folder)")
    raster_inbetweens: int = Field(0, description=RASTER_INBETWEENS_HELP)
    # film grammar (defaults keep plans written before these fields readable)
    lens_mm: float | None = Field(None, description="focal length in mm; the camera plan's zoom follows it")
    stage_order: list[str] = Field(default_factory=list, description="the scene's characters left to right (180-degree rule)")
    screen_side: dict[str, Literal["left", "center", "right"]] = Field(default_factory=dict, description="where each character of the shot stands on screen")
    scene_index: int = 0
    location: str = ""
    beat: Literal["shot", "action", "dialogue", "title"] = "shot"
    speaker: str | None = None
    speakers: list[str] = Field(default_factory=list, description="everyone speaking in the shot (dual dialogue: both)")
    off_screen: bool = Field(False, description="the line is heard, not seen spoken (V.O., O.S.)")
    title_text: str | None = Field(None, description="a title card's text (a screenplay's centred > TEXT <), drawn on a plate")
    transition_out: Literal["cut", "dissolve", "dip-to-black", "whip-pan"] | None = Field(
        None, description="the screenplay's transition after this shot (CUT TO:, DISSOLVE TO:, FADE OUT., SMASH CUT TO:)")
    dominance: float = 0.0
    camera_note: str = ""

    @property
    def total_frames(self) -> int:
        return self.frames + self.handle_frames


class SceneInfo(BaseModel):
    """One scene of the scene graph: a location (from a scene heading or a shot's `location`) and its shots."""

    index: int
    heading: str
    location: str
    interior: bool | None = None
    time_of_day: str = ""
    setting: Setting | None = None
    characters: list[str] = Field(default_factory=list, description="left to right, kept for the whole scene")
    shot_ids: list[str] = Field(default_factory=list)


class FilmPlan(BaseModel):
    """Prism's film-level direction: the ordered shots and the film's emotion curve."""

    film_id: SafeId
    title: str
    fps: int
    width: int
    height: int
    palette: Palette
    music_file: Path | None
    shots: list[ShotPlan]
    scenes: list[SceneInfo] = Field(default_factory=list)
    director: str = Field("embedded", description="which director planned the shots: embedded or llm:<model>")
    warnings: list[str] = Field(default_factory=list)
    deliverables: list[Deliverable] = Field(default_factory=lambda: ["sdr-h264"])

    @property
    def planned_frames(self) -> int:
        return sum(s.frames for s in self.shots)


# ---- poses (Axis <-> Flux) ------------------------------------------------------------------


class Pose(BaseModel):
    """A character pose: root position on the stage (fractions), joint angles (degrees), face."""

    root_x: float = 0.5
    root_y: float = 0.75
    scale: float = 1.0
    joints: dict[str, float] = Field(default_factory=dict)
    face: dict[str, float] = Field(default_factory=dict)


class KeyPose(BaseModel):
    frame: int
    character: str
    pose: Pose
    easing: Literal["linear", "ease-in", "ease-out", "ease-in-out"] = "ease-in-out"


# ---- edit (Cuttura) -------------------------------------------------------------------------


class BeatGrid(BaseModel):
    tempo_bpm: float
    beat_times: list[float]


class ClipCut(BaseModel):
    """One clip of the edit: which shot, which of its rendered frames, where it sits in the film."""

    shot_id: SafeId
    slot: str
    source_start: int
    source_frames: int
    record_start: int
    transition: Literal["cut", "dissolve", "dip-to-black", "whip-pan"] = "cut"
    transition_frames: int = Field(0, ge=0, description="length of the transition into the next clip, frames")


# ---- frames on disk (talos_assets/frame_sequence.py; imported here so `spec` stays the one place to import from)

from talos_assets.frame_sequence import FRAME_DIGITS, FrameSequence, frame_name  # noqa: E402,F401
