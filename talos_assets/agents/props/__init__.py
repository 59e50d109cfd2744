"""Axis's prop library: objects in the rigs' vector form, where a shot's props go, and held props.

One concern per module: `model` (the prop data model and its face-less rig), `catalog` (finding and
loading prop files from the user's folders and the built-ins, the vocabulary and `talos props`
rows), `staging` (`stage_props`: standing, wall, sky, held and insert placement beside the key
poses), `holding` (a prop in a hand, the closed hand over it, a frame's drawing order) and
`gallery` (a contact sheet of the library).
"""

from talos_assets.agents.props.catalog import (
    PROPS_DIR,
    available_props,
    load_prop,
    load_prop_rig,
    prop_dirs,
    prop_from_file,
    prop_paths,
    prop_rows,
    prop_sources,
    prop_vocabulary,
)
from talos_assets.agents.props.gallery import prop_cell, prop_gallery
from talos_assets.agents.props.holding import (
    PropPlacement,
    fist_rig,
    frame_drawables,
    grip_point,
    hand_point,
    held_pose,
    placement_rigs,
    placement_specs,
    prop_pose_at,
    split_rig,
)
from talos_assets.agents.props.model import PROP_BONE, PropPart, PropSpec, RideSpec, prop_bounds, to_rig
from talos_assets.agents.props.riding import ridden_placement, shot_vehicles, vehicle
from talos_assets.agents.props.staging import camera_window, describe_placements, stage_props

__all__ = [
    "PROPS_DIR",
    "PROP_BONE",
    "PropPart",
    "PropPlacement",
    "PropSpec",
    "RideSpec",
    "available_props",
    "camera_window",
    "describe_placements",
    "fist_rig",
    "frame_drawables",
    "grip_point",
    "hand_point",
    "held_pose",
    "load_prop",
    "load_prop_rig",
    "placement_rigs",
    "placement_specs",
    "prop_bounds",
    "prop_cell",
    "prop_dirs",
    "prop_from_file",
    "prop_gallery",
    "prop_paths",
    "prop_pose_at",
    "prop_rows",
    "prop_sources",
    "prop_vocabulary",
    "ridden_placement",
    "shot_vehicles",
    "split_rig",
    "stage_props",
    "to_rig",
    "vehicle",
]
