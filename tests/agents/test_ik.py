"""Two-bone inverse kinematics: targets reached within tolerance, joint limits never broken, misses reported."""

from __future__ import annotations

import numpy as np
import pytest

from talos_assets.agents import key_animation as ka
from talos_assets.agents.key_animation import ik


@pytest.mark.parametrize("name", ["talos", "mira", "pip"])
def test_arm_reaches_targets_within_reach(name):
    rig = ka.load_rig(name)
    pose = rig.rest_pose()
    arm = ik.arm_length(rig)
    rng = np.random.default_rng(0)
    for side in ("r", "l"):
        s = ik.shoulder_point(rig, pose, side)
        for _ in range(25):
            # Points ahead of the shoulder, between a third and nine tenths of the arm away.
            # Degrees from straight ahead, up positive; the far arm's limits leave out a forward-up wedge.
            a = rng.uniform(-80, 100) if side == "r" else rng.uniform(-80, 30)
            d = rng.uniform(0.35, 0.9) * arm
            t = s + d * np.array([np.cos(np.radians(a)), np.sin(np.radians(a))])
            r = ik.reach_arm(rig, pose, side, t)
            assert ik.within_limits(rig, r.pose)
            hand = ik.effector_point(rig, r.pose, f"{side}_wrist")
            assert np.linalg.norm(hand - t) == pytest.approx(r.miss, abs=1e-9)
            assert r.miss < 0.01 * arm, (side, a, d / arm, r.miss)


def test_out_of_reach_is_reported_and_limits_hold():
    rig = ka.load_rig("talos")
    pose = rig.rest_pose()
    s, arm = ik.shoulder_point(rig, pose), ik.arm_length(rig)
    far = ik.reach_arm(rig, pose, "r", s + np.array([2.0 * arm, 0.0]))
    assert far.miss == pytest.approx(arm, rel=0.05)  # stretched straight toward it, one arm short
    assert ik.within_limits(rig, far.pose)
    # Behind the back and across the body: the elbow cannot bend backward, so the limits win.
    jm = rig.joint_map
    behind = ik.reach_arm(rig, pose, "r", s + np.array([-0.2 * arm, -0.2 * arm]))
    assert ik.within_limits(rig, behind.pose)
    assert jm["r_elbow"].min <= behind.pose.joints["r_elbow"] <= jm["r_elbow"].max
    tight = rig.model_copy(deep=True)
    for j in tight.joints:
        if j.name == "r_shoulder":
            j.min, j.max = 150.0, 190.0  # an arm that can hardly lift
    up = ik.reach_arm(tight, tight.rest_pose(), "r", s + np.array([0.0, 0.8 * arm]))
    assert ik.within_limits(tight, up.pose) and up.miss > 0.3 * arm and up.clamped


def test_leg_chain_places_the_ankle_unplanted():
    rig = ka.load_rig("mira")
    pose = rig.rest_pose()
    bones = ik.bones_of(rig, pose, planted=False)
    hip = bones["r_hip"].start
    leg = rig.joint_map["r_hip"].length + rig.joint_map["r_knee"].length
    target = hip + np.array([0.5 * leg, -0.6 * leg])
    r = ik.solve_chain(rig, pose, ik.LEG_CHAINS["r"], target, planted=False)
    assert r.miss < 1e-3 and ik.within_limits(rig, r.pose)
    assert r.pose.joints["r_knee"] > 20  # the knee bends the way knees bend
