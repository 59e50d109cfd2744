"""Typed specs of a shot's world (set, time of day, weather, props) and of a character's voice.

Kept beside `spec.py` (which imports and re-exports them) so the story format stays one import.
Ids here use the same pattern as every id that ends up in a path.
"""

from __future__ import annotations

from enum import Enum
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

ID_PATTERN = r"^[a-z0-9][a-z0-9_-]{0,63}$"
_SafeId = Annotated[str, Field(pattern=ID_PATTERN, description="lowercase id: a-z, 0-9, '_' or '-', at most 64")]
_Name = Annotated[str, Field(min_length=1, max_length=64)]


class TimeOfDay(str, Enum):
    dawn = "dawn"
    morning = "morning"
    noon = "noon"
    afternoon = "afternoon"
    dusk = "dusk"
    night = "night"


class Weather(str, Enum):
    clear = "clear"
    cloudy = "cloudy"
    rain = "rain"
    storm = "storm"
    snow = "snow"
    fog = "fog"
    wind = "wind"


class Season(str, Enum):
    spring = "spring"
    summer = "summer"
    autumn = "autumn"
    winter = "winter"


class Setting(BaseModel):
    """The world of a scene or shot: which set, when, what weather, which light sources.

    `place` is a set id of the set library (`talos sets`); Prism reads all of it from the text or
    takes it from a shot's explicit fields, and shots of one scene keep it unless the text moves them."""

    model_config = ConfigDict(extra="forbid")
    place: _SafeId = "hills"
    time_of_day: TimeOfDay = TimeOfDay.dusk
    weather: Weather = Weather.clear
    season: Season | None = None
    interior: bool = False
    light_sources: list[Annotated[str, Field(pattern=r"^[a-z][a-z0-9_-]{0,31}$")]] = Field(
        default_factory=list, max_length=8,
        description="light sources the text names (lamp, candle, fire, window, lantern, torch, screen...)")


class PropUse(BaseModel):
    """A prop in a shot: standing in the set, or held in a character's hand (it follows the hand)."""

    model_config = ConfigDict(extra="forbid")
    prop: _SafeId = Field(..., description="prop id of the prop library (`talos props`)")
    holder: _Name | None = Field(None, description="character holding it; unset = it stands in the set")
    hand: Literal["left", "right"] = "right"
    given_to: _Name | None = Field(None, description="who the holder hands it to during the shot (a give): it changes "
                                                     "hands when their hands meet; unset = it stays with the holder")
    owner: _Name | None = Field(None, description=(
        "the character it belongs to: a prop that follows (a dog, a cat, a led horse) walks beside them; unset = none"))
    moves: Literal["walk", "run", "fly"] | None = Field(None, description=(
        "it crosses the shot on its own (a dog running along the beach, a bird flying over); unset = it stays"))
    x: float | None = Field(None, ge=0.0, le=1.0, description="where it stands, fraction of the stage width; unset = Axis places it")
    scale: float = Field(1.0, gt=0.0, le=8.0, description="size relative to the prop's own height")


class WorldVocabulary(BaseModel):
    """What Prism can recognise in text: set and prop ids with the words that name them (from the
    set and prop libraries, the user's own included) and which sets are interiors."""

    places: dict[str, list[str]] = Field(default_factory=dict)
    props: dict[str, list[str]] = Field(default_factory=dict)
    interiors: list[str] = Field(default_factory=list)
    sources: dict[str, list[str]] = Field(default_factory=dict, description=(
        "effect kind -> the props known to give it off (a lamp sparks, a kettle steams): where an effect "
        "nothing places comes from"))



class Water(BaseModel):
    """Where a floating prop rests in a set (frame fractions): the water line, and the horizon that
    sets its distance: a boat on the water is farther away than the characters' ground line."""

    model_config = ConfigDict(frozen=True)
    y: float = Field(..., ge=0.0, le=1.0)
    horizon: float = Field(..., ge=0.0, le=1.0)

    def scale_at(self, ground: float) -> float:
        """How much smaller a thing on the water is drawn than on the ground line `ground` (perspective:
        size falls with the distance below the horizon)."""
        return float(min(1.0, max(0.25, (self.y - self.horizon) / max(1e-6, ground - self.horizon))))


class VoiceSpec(BaseModel):
    """How a character sounds when the studio voices its lines (espeak-ng): voice name, pitch, speed."""

    model_config = ConfigDict(extra="forbid")
    voice: str = Field("en-us", pattern=r"^[a-z][a-z0-9_+-]{0,31}$", description="espeak-ng voice name, e.g. en-us, en-gb, en-us+f3")
    pitch: int = Field(50, ge=0, le=99, description="base pitch, espeak-ng's 0..99")
    speed: int = Field(165, ge=80, le=400, description="words per minute")
    range: int = Field(50, ge=0, le=99, description="pitch range, 0 = monotone")


# the acting vocabulary: what Prism reads from verbs and Axis performs on the rig
ACTIONS: tuple[str, ...] = (
    "stand", "sit", "sit_down", "stand_up", "kneel", "lie_down", "sleep", "fall", "walk", "run", "jump", "climb",
    "dance", "wave", "point", "reach", "pick_up", "hold", "give", "throw", "strike", "hammer", "push", "pull",
    "carry", "hug", "shake_hands", "look_at", "gaze_up", "turn", "nod", "shake_head", "shrug", "laugh", "cry",
    "tremble", "bow", "fight", "celebrate", "kick", "clap", "sneak", "stumble", "pray", "ride", "talk",
    "gesture",
)


class CharacterAction(BaseModel):
    """What one character does in a shot (from the clause's verb) and to whom or what."""

    model_config = ConfigDict(extra="forbid")
    character: _Name
    action: Literal[ACTIONS]  # type: ignore[valid-type]
    target: _Name | None = Field(None, description="a character of the shot, a prop id, or 'sky'/'ground'")
    target_kind: Literal["character", "prop", "place"] | None = None
    prop: _SafeId | None = Field(None, description="the object passed, thrown or carried (give X to Y: X)")
    body_part: Literal["head", "chest", "spine"] | None = Field(
        None, description="the actor's own body part a strike or a hold lands on ('strikes his chest': chest)")
    toward: _Name | None = Field(None, description=(
        "where a ride goes: a character or a prop of the shot ('rides her bike to the fence'); unset = across the mark"))
