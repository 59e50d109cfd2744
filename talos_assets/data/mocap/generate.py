"""Generate the studio's small demo mocap clips (walk.bvh, wave.bvh) programmatically.

No capture data is downloaded: each clip is STANDARD_SKELETON (Biovision joint names, centimetres,
Y up, facing +Z) driven by hand-tuned periodic curves of the picture-plane bone angles, plus a
little out-of-plane motion (pelvis yaw, arm abduction) so the retargeter sees real 3D rotations.
The walk follows the gait of Williams' *Animator's Survival Kit*: thighs swing +-22 deg, the
swing knee flexes most at the passing position, arms counter-swing, the hips dip after each contact,
one step per half second. Run `python talos_assets/data/mocap/generate.py` to rewrite the files.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from talos_assets.agents.key_animation.bvh import planar_clip, write_bvh

HERE = Path(__file__).resolve().parent
FPS = 30


def walk(cycles: int = 2, cycle_s: float = 1.0) -> "object":
    n = int(cycles * cycle_s * FPS) + 1
    t = np.arange(n) / FPS
    phi = 2 * np.pi * t / cycle_s  # left heel strikes at phi = pi/2
    w: dict[str, np.ndarray] = {}
    for side, sgn in (("Left", 1.0), ("Right", -1.0)):
        p = phi if sgn > 0 else phi + np.pi
        thigh = 180.0 - 22.0 * np.sin(p)
        # Knee flex peaks as the leg passes under the body on its swing (thigh moving forward).
        flex = 6.0 + 52.0 * np.clip(np.cos(p), 0.0, None) ** 2
        shin = thigh + flex
        w[f"{side}UpLeg"] = thigh
        w[f"{side}Leg"] = shin
        w[f"{side}Foot"] = 90.0 + 0.35 * (shin - 180.0)  # toe follows the shin a little
        arm = 180.0 + 16.0 * np.sin(p)  # counter-swing: the arm goes back as its leg comes forward
        w[f"{side}Arm"] = arm
        w[f"{side}ForeArm"] = arm - 18.0 - 8.0 * np.sin(p)
        w[f"{side}Hand"] = w[f"{side}ForeArm"] - 5.0
    w["Hips"] = 3.0 + 1.5 * np.cos(2 * phi)
    w["Spine"] = 4.0 + 1.0 * np.cos(2 * phi)
    w["Spine1"] = 2.0 + np.zeros(n)
    w["Neck"] = 6.0 + np.zeros(n)
    w["Head"] = -2.0 - 1.5 * np.cos(2 * phi)
    stride = 2 * 85.0 * np.sin(np.radians(22.0))  # one step: the gap between the heels at contact
    root_z = 2 * stride * t / cycle_s
    root_y = 93.0 - 1.8 * np.cos(2 * (phi - np.pi / 2))  # lowest just after each contact (the down)
    extra = {
        "Hips": np.stack([np.zeros(n), 5.0 * np.sin(phi)], axis=1),  # pelvis yaw with the stride
        "LeftArm": np.stack([-6.0 + 0 * t, np.zeros(n)], axis=1),  # arms held slightly out from the body
        "RightArm": np.stack([6.0 + 0 * t, np.zeros(n)], axis=1),
    }
    return planar_clip(w, root_z, root_y, frame_time=1.0 / FPS, extra_rotations=extra)


def wave(seconds: float = 2.0) -> "object":
    n = int(seconds * FPS) + 1
    t = np.arange(n) / FPS
    up = np.clip(t / 0.4, 0, 1) * np.clip((seconds - t) / 0.4, 0, 1)  # raise, hold, lower
    up = up * up * (3 - 2 * up)
    swing = np.sin(2 * np.pi * 2.5 * t) * np.clip((t - 0.35) / 0.2, 0, 1) * np.clip((seconds - 0.35 - t) / 0.2, 0, 1)
    w = {
        "Hips": 1.0 * np.sin(np.pi * t), "Spine": -2.0 * up, "Spine1": -1.0 * up, "Neck": 4.0 + 0 * t,
        "Head": -6.0 * up,
        "RightArm": 180.0 - 150.0 * up,  # the near arm comes up forward until it points up-forward
        "RightForeArm": 180.0 - 150.0 * up - 35.0 * up + 28.0 * swing,
        "RightHand": 180.0 - 185.0 * up + 45.0 * swing,
        "LeftArm": 180.0 + 4.0 * up, "LeftForeArm": 170.0 + 0 * t, "LeftHand": 168.0 + 0 * t,
        "LeftUpLeg": 182.0 + 0 * t, "LeftLeg": 184.0 + 0 * t, "LeftFoot": 92.0 + 0 * t,
        "RightUpLeg": 176.0 + 0 * t, "RightLeg": 178.0 + 0 * t, "RightFoot": 90.0 + 0 * t,
    }
    extra = {"RightArm": np.stack([8.0 * up, 6.0 * swing], axis=1)}  # out of plane: abduction and twist
    return planar_clip(w, np.zeros(n), 93.0 + 0 * t, frame_time=1.0 / FPS, extra_rotations=extra)


def main() -> None:
    for name, clip in (("walk", walk()), ("wave", wave())):
        path = write_bvh(clip, HERE / f"{name}.bvh")
        print(f"wrote {path} ({clip.n_frames} frames)")


if __name__ == "__main__":
    main()
