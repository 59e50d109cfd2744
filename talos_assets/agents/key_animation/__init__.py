"""Axis, the key animator: character rigs, the emotion pose library, key poses for a shot, and line art.

Pose-to-pose key animation after Williams' *The Animator's Survival Kit* and Thomas & Johnston's
twelve principles, one concern per module: `rig` (the rig data model and forward kinematics),
`characters` (finding and loading rig files from the user's folders and the built-ins), `poses`
(the emotion pose library), `actions` (gesture, walk, run, turn, reach, wave and fall keys),
`ik` (two-bone inverse kinematics within joint limits), `acting` (the 46 story actions, partners,
targets, mocap and the pose checks), `staging` (`plan_key_poses`: every character of a shot on the stage), `line_art` (closed-outline
anti-aliased drawing), `model_sheet` (turnaround and expression sheets), `bvh` (the mocap format)
and `retarget` (mocap onto a rig, reduced to key poses). This package re-exports the names the rest
of the studio uses; configuration such as the user's character folders comes in as arguments.
"""

from talos_assets.agents.key_animation.acting import ActedShot
from talos_assets.agents.key_animation.actions import ACTIONS, action_from_description, action_keys
from talos_assets.agents.key_animation.characters import (
    CHARACTERS_DIR,
    available_characters,
    character_dirs,
    character_paths,
    load_rig,
    rig_from_file,
)
from talos_assets.agents.key_animation.line_art import (
    LineArt,
    draw_line_art,
    draw_line_art_sequence,
    line_widths,
    supersample_factor,
    view_scale,
)
from talos_assets.agents.key_animation.poses import (
    EMOTION_LIBRARY,
    FRONT_VIEW,
    arousal_gain,
    emotion_pose,
    front_view,
    pose_distance,
)
from talos_assets.agents.key_animation.rig import (
    CHARACTER_HEIGHT,
    FACE_RANGE,
    FACE_REST,
    FACING_KEY,
    TILT_KEY,
    Bone,
    FaceSpec,
    JointSpec,
    LineWeights,
    PartSpec,
    Rig,
    forward_kinematics,
)
from talos_assets.agents.key_animation.staging import SHOT_STAGING, plan_acting, plan_key_poses, with_prop_marks

__all__ = [
    "ACTIONS",
    "ActedShot",
    "CHARACTERS_DIR",
    "CHARACTER_HEIGHT",
    "EMOTION_LIBRARY",
    "FACE_RANGE",
    "FACE_REST",
    "FACING_KEY",
    "FRONT_VIEW",
    "SHOT_STAGING",
    "TILT_KEY",
    "Bone",
    "FaceSpec",
    "JointSpec",
    "LineArt",
    "LineWeights",
    "PartSpec",
    "Rig",
    "action_from_description",
    "action_keys",
    "arousal_gain",
    "available_characters",
    "character_dirs",
    "character_paths",
    "draw_line_art",
    "draw_line_art_sequence",
    "emotion_pose",
    "forward_kinematics",
    "front_view",
    "line_widths",
    "load_rig",
    "plan_acting",
    "plan_key_poses",
    "pose_distance",
    "rig_from_file",
    "supersample_factor",
    "view_scale",
    "with_prop_marks",
]
