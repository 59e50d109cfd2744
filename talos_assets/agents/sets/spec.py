"""The set file format: a set is an ordered stack of typed layers, back to front.

A set YAML names its id, whether it is an interior, its horizon (the fraction of the frame height
where the ground or floor meets the sky or wall; characters stand below it) and the layers to paint.
Each layer is one kind of scenery with its own parameters, told apart by `kind` (a pydantic
discriminated union, so a typo in a field or kind is reported, not ignored). Positions are frame
fractions (x right, y down from the top); `depth` runs from 0 (the far distance, hazed the most) to
1 (the foreground).
"""

from __future__ import annotations

from typing import Annotated, Literal, Union

from pydantic import BaseModel, ConfigDict, Field

from talos_assets.world_spec import ID_PATTERN

Frac = Annotated[float, Field(ge=-0.5, le=1.5)]
Depth = Annotated[float, Field(ge=0.0, le=1.0)]
Hex = Annotated[str, Field(pattern=r"^#[0-9a-fA-F]{6}$")]
# Ground and wall materials: each has a base colour (sets/materials.py) and a texture.
Material = Literal["grass", "sand", "snow", "rock", "dirt", "cobbles", "road", "planks", "deck", "stone",
                   "tile", "concrete", "plaster", "wood", "brick", "metal", "paper", "roof", "crops", "mud"]


class _Layer(BaseModel):
    model_config = ConfigDict(extra="forbid")
    depth: Depth = 0.5
    color: Hex | None = Field(None, description="base colour (sRGB hex) instead of the material's")


class Sky(_Layer):
    kind: Literal["sky"]
    space: bool = Field(False, description="black sky of outer space, whatever the time of day")
    depth: Depth = 0.0


class Celestial(_Layer):
    """The sun by day, the moon at night; where it stands comes from the time of day (sets/sky.py)."""
    kind: Literal["celestial"]
    size: float = Field(0.035, gt=0.0, le=0.3, description="disc radius, fraction of frame height")
    depth: Depth = 0.0


class Stars(_Layer):
    kind: Literal["stars"]
    density: float = Field(1.0, ge=0.0, le=8.0)
    always: bool = Field(False, description="shine by day too (space)")
    depth: Depth = 0.0


class Clouds(_Layer):
    kind: Literal["clouds"]
    cover: float = Field(0.3, ge=0.0, le=1.0, description="share of the sky covered in clear weather")
    top: Frac = 0.05
    bottom: Frac = 0.4
    depth: Depth = 0.05


class Ridge(_Layer):
    """Hills or mountains: `bands` ridgelines from `y` (farthest) towards the viewer."""
    kind: Literal["ridge"]
    y: Frac
    amp: float = Field(0.05, ge=0.0, le=0.8, description="height of the peaks, fraction of frame height")
    rough: float = Field(0.3, ge=0.0, le=1.0, description="0 = rolling hills, 1 = jagged peaks")
    bands: int = Field(1, ge=1, le=6)
    spacing: float = Field(0.05, ge=0.0, le=0.5, description="vertical step between bands")
    material: Material = "grass"
    snow: float = Field(0.0, ge=0.0, le=1.0, description="share of the peak height under snow")
    depth: Depth = 0.2


class Sea(_Layer):
    kind: Literal["sea"]
    top: Frac | None = Field(None, description="unset = the set's horizon")
    bottom: Frac = 1.0
    waves: float = Field(0.5, ge=0.0, le=1.0)
    shimmer: float = Field(0.6, ge=0.0, le=1.0, description="sun or moon path on the water")
    depth: Depth = 0.3


class Ground(_Layer):
    kind: Literal["ground"]
    top: Frac | None = Field(None, description="unset = the set's horizon")
    material: Material = "grass"
    texture: float = Field(0.5, ge=0.0, le=1.0)
    dunes: float = Field(0.0, ge=0.0, le=1.0, description="rolling crests (sand dunes, drifts)")
    flowers: float = Field(0.0, ge=0.0, le=1.0)
    shore: float = Field(0.0, ge=0.0, le=1.0, description="wave-edge amplitude of the top line (a beach)")
    depth: Depth = 0.7


class River(_Layer):
    """A river winding from the horizon to the bottom of the frame, widening with nearness."""
    kind: Literal["river"]
    x: Frac = 0.5
    width: float = Field(0.3, gt=0.0, le=1.5, description="width at the bottom of the frame")
    depth: Depth = 0.7


class Trees(_Layer):
    kind: Literal["trees"]
    y: Frac
    count: int = Field(8, ge=1, le=200)
    height: float = Field(0.2, gt=0.0, le=1.2)
    style: Literal["pine", "round", "palm", "jungle", "bush", "bare"] = "round"
    x0: Frac = 0.0
    x1: Frac = 1.0
    jitter: float = Field(0.03, ge=0.0, le=0.5, description="vertical scatter of the tree bases")


class Buildings(_Layer):
    kind: Literal["buildings"]
    y: Frac
    style: Literal["skyline", "houses", "castle", "ruins", "stalls", "warehouses", "chimneys"] = "houses"
    count: int = Field(6, ge=1, le=80)
    height: float = Field(0.2, gt=0.0, le=1.2)
    x0: Frac = 0.0
    x1: Frac = 1.0
    windows: bool = True


class Cliff(_Layer):
    kind: Literal["cliff"]
    side: Literal["left", "right"] = "left"
    width: float = Field(0.4, gt=0.0, le=1.0)
    top: Frac = 0.25
    depth: Depth = 0.6


class Boats(_Layer):
    kind: Literal["boats"]
    y: Frac
    count: int = Field(3, ge=1, le=30)
    size: float = Field(0.08, gt=0.0, le=0.5)
    pier: bool = False


class Ship(_Layer):
    """A ship's deck seen from on board: a mast with sails and a rail in the foreground."""
    kind: Literal["ship"]
    rail: Frac = 0.72
    mast: Frac = 0.25
    depth: Depth = 0.9


class Planet(_Layer):
    kind: Literal["planet"]
    x: Frac = 0.7
    y: Frac = 0.35
    r: float = Field(0.2, gt=0.0, le=1.0, description="radius, fraction of frame height")
    rings: bool = False
    depth: Depth = 0.0


class Wall(_Layer):
    kind: Literal["wall"]
    material: Material = "plaster"
    bottom: Frac | None = Field(None, description="unset = the set's floor line (horizon)")
    depth: Depth = 0.2


class Floor(_Layer):
    kind: Literal["floor"]
    material: Material = "planks"
    top: Frac | None = None
    depth: Depth = 0.7


class Window(_Layer):
    """A window showing the outside sky for the time of day; a daylight (or moonlight) source."""
    kind: Literal["window"]
    x: Frac = 0.7
    y: Frac = 0.2
    w: float = Field(0.18, gt=0.0, le=1.0)
    h: float = Field(0.25, gt=0.0, le=1.0)
    panes: int = Field(2, ge=1, le=6)
    depth: Depth = 0.25


class Door(_Layer):
    kind: Literal["door"]
    x: Frac = 0.2
    w: float = Field(0.12, gt=0.0, le=1.0)
    h: float = Field(0.35, gt=0.0, le=1.0)
    style: Literal["wood", "rollup", "arch", "metal"] = "wood"
    depth: Depth = 0.25


class Shelves(_Layer):
    kind: Literal["shelves"]
    x: Frac = 0.0
    w: float = Field(0.3, gt=0.0, le=1.5)
    y: Frac = 0.15
    h: float = Field(0.4, gt=0.0, le=1.0)
    rows: int = Field(3, ge=1, le=12)
    items: Literal["books", "bottles", "jars", "tools", "plates"] = "books"
    depth: Depth = 0.3


class Counter(_Layer):
    kind: Literal["counter"]
    x0: Frac = 0.0
    x1: Frac = 1.0
    y: Frac = 0.6
    h: float = Field(0.15, gt=0.0, le=1.0)
    material: Material = "wood"
    depth: Depth = 0.5


class Forge(_Layer):
    """A smithy hearth with glowing coals: a fire light source whether or not the text names one."""
    kind: Literal["forge"]
    x: Frac = 0.25
    w: float = Field(0.22, gt=0.0, le=1.0)
    anvil: bool = True
    depth: Depth = 0.4


class Columns(_Layer):
    kind: Literal["columns"]
    count: int = Field(4, ge=1, le=20)
    x0: Frac = 0.05
    x1: Frac = 0.95
    material: Material = "stone"
    banners: bool = False
    depth: Depth = 0.35


class Cave(_Layer):
    """Rock walls framing the frame, with an opening onto the outside at `opening_x`."""
    kind: Literal["cave"]
    opening_x: Frac = 0.6
    opening: float = Field(0.25, ge=0.0, le=1.0, description="width of the mouth; 0 = closed cave")
    depth: Depth = 0.5


Layer = Annotated[
    Union[Sky, Celestial, Stars, Clouds, Ridge, Sea, Ground, River, Trees, Buildings, Cliff, Boats, Ship, Planet,
          Wall, Floor, Window, Door, Shelves, Counter, Forge, Columns, Cave],
    Field(discriminator="kind"),
]
LAYER_KINDS: tuple[str, ...] = ("sky", "celestial", "stars", "clouds", "ridge", "sea", "ground", "river", "trees",
                                "buildings", "cliff", "boats", "ship", "planet", "wall", "floor", "window", "door",
                                "shelves", "counter", "forge", "columns", "cave")


class SetSpec(BaseModel):
    """One set of the library: where the ground meets the sky, and the layers painted back to front."""

    model_config = ConfigDict(extra="forbid")
    id: Annotated[str, Field(pattern=ID_PATTERN)]
    description: str = ""
    interior: bool = False
    horizon: float = Field(0.6, ge=0.1, le=0.95, description="where ground or floor meets sky or wall")
    water: float | None = Field(None, ge=0.1, le=1.0, description=(
        "where a floating prop (a boat) rests, frame fraction: the near edge of the set's water; unset = no water to float on"))
    words: list[Annotated[str, Field(min_length=1, max_length=48)]] = Field(default_factory=list)
    lights: list[Annotated[str, Field(pattern=r"^[a-z][a-z0-9_-]{0,31}$")]] = Field(
        default_factory=list, description="light sources lit when the text names none (a bar's lamps)")
    layers: list[Layer] = Field(..., min_length=1)
