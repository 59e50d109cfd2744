"""How a candidate shot will move, before anything is drawn: what Prism's critic sees of the acting.

A shot's acting variation (its seed) changes how a gesture swings, and Echo judges that swing by the
jerk of the joints and by feet sliding while planted. A plan alone cannot tell two seeds apart, so a
critic that sees only the plan cannot prefer the smoother one. The preview acts the candidate the way
the render will: Axis's key poses from the shot's actions (`key_animation.plan_acting`), Flux's eased
pose-space in-betweens, and Echo's own motion measures on the joints' tracks (`shot_measures.motion`,
in figure heights at 24 fps). It costs tens of milliseconds a shot against seconds for the drawing,
so K candidates can be previewed for the price of a fraction of one render. It lives with Echo, whose
measures it runs; Prism receives it as a function (`direction.candidates.pick_candidate(preview=)`),
since direction comes before the agents it calls. Props are staged as Axis
stages them (reaching for a prop moves the arm); mouths are left out, as they move no joint Echo
measures.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from talos_assets.agents import inbetweening, key_animation, props, sets
from talos_assets.agents.direction.candidates import ActingPreview
from talos_assets.agents.evaluation.shot_measures import motion
from talos_assets.spec import ShotPlan


def acting_preview(shot: ShotPlan, character_dirs: Sequence[Path | str] = (),
                   prop_dirs: Sequence[Path | str] = (), set_dirs: Sequence[Path | str] = ()) -> ActingPreview:
    """The candidate acted and in-betweened in pose space and measured as Echo will measure the render."""
    if shot.beat == "title" or not shot.characters:
        return ActingPreview()
    water = sets.water_line(shot.background, set_dirs)
    acted = key_animation.plan_acting(shot, character_dirs, vehicles=props.shot_vehicles(shot, prop_dirs),
                                      water=water.y if water else None)
    rigs = {c: key_animation.load_rig(c, character_dirs) for c in {k.character for k in acted.keys}}
    if not rigs:
        return ActingPreview()
    keys, _ = props.stage_props(key_animation.with_prop_marks(shot, acted), acted.keys, rigs, prop_dirs,
                                riders=acted.riders, water=water, ride_frames=acted.ride_frames)
    poses = inbetweening.inbetween_poses(keys, shot.total_frames, rigs)
    findings = {f.check: f.value for f in motion(poses, rigs, shot)}
    return ActingPreview(jerk=findings.get("jerk"), foot_sliding=findings.get("foot_sliding"))
