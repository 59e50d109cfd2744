"""Stokes (fluid effects): the Warp smoke solver's physics, its agreement with the NumPy reference, and the
effect layers it renders (shape, premultiplied alpha, locality, determinism)."""

from __future__ import annotations

import inspect

import numpy as np
import pytest

wp = pytest.importorskip("warp")

from talos_assets.agents.effects.reference import ReferenceSmokeSolver  # noqa: E402
from talos_assets.agents.effects.render import render_effect_frames  # noqa: E402
from talos_assets.agents.effects.solver import SmokeParams, SmokeSolver, multigrid_shapes, pick_device  # noqa: E402
from talos_assets.spec import EffectKind, EffectSpec, Palette  # noqa: E402

PALETTE = Palette.from_hex_list("test", ["#202020", "#e0b090", "#603020", "#305080", "#e0a020", "#101010", "#8090c0"])


def _random_velocity(nx: int, ny: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    return rng.standard_normal((ny, nx + 1)).astype(np.float32), rng.standard_normal((ny + 1, nx)).astype(np.float32)


def _swirl(n: int, speed: float) -> tuple[np.ndarray, np.ndarray]:
    yu, xu = np.mgrid[0:n, 0 : n + 1].astype(np.float32)
    yv, xv = np.mgrid[0 : n + 1, 0:n].astype(np.float32)
    c = n / 2
    return -(yu + 0.5 - c) * speed, (xv + 0.5 - c) * speed


# ---- solver physics --------------------------------------------------------------------------


def test_multigrid_hierarchy_halves_to_a_few_cells():
    shapes = multigrid_shapes(96, 171)
    assert shapes[0] == (96, 171)
    assert all(c == ((f + 1) // 2) for (f, _), (c, _) in zip(shapes[:-1], shapes[1:]))
    assert min(shapes[-1]) < 4 and min(shapes[-1]) >= 2


def test_projection_removes_divergence_of_random_field():
    nx, ny = 48, 40
    s = SmokeSolver(nx, ny, device="cpu", params=SmokeParams(tolerance=1e-4, max_cycles=10))
    s.set_fields(*_random_velocity(nx, ny))
    before = s.divergence_norm()
    rel = s.project()
    after = s.divergence_norm()
    assert before > 10.0
    assert rel <= 1e-4 and s.last_cycles >= 1
    # On the MAC grid the divergence after projection is exactly the Poisson residual (up to rounding).
    assert after <= 2e-4 * before
    assert after == pytest.approx(rel * before, rel=0.05, abs=1e-4)


def test_multigrid_cycles_converge_fast():
    nx, ny = 64, 64
    u, v = _random_velocity(nx, ny, seed=1)
    residuals = []
    for cycles in (1, 2, 4):
        s = SmokeSolver(nx, ny, device="cpu", params=SmokeParams(tolerance=0.0, max_cycles=cycles))
        s.set_fields(u, v)
        residuals.append(s.project())
    assert residuals[0] < 0.1
    assert residuals[1] < 0.2 * residuals[0]
    assert residuals[2] < 1e-3


def test_warp_step_matches_numpy_reference():
    nx, ny = 48, 40
    params = SmokeParams(buoyancy=30.0, density_decay=0.1, velocity_decay=0.05)
    rng = np.random.default_rng(7)
    u, v = _random_velocity(nx, ny, seed=7)
    d = rng.random((ny, nx), dtype=np.float32)
    t = rng.random((ny, nx), dtype=np.float32)
    warp_solver = SmokeSolver(nx, ny, device="cpu", seed=11, params=params)
    ref_solver = ReferenceSmokeSolver(nx, ny, seed=11, params=params)
    for s in (warp_solver, ref_solver):
        s.set_fields(u, v, d, t)
        s.add_emitter(20.0, 32.0, 3.0, density_rate=5.0, temperature_rate=4.0, speed=15.0, jitter=0.5)
    for _ in range(6):
        warp_solver.step(0.05)
        ref_solver.step(0.05)
    assert warp_solver.last_cycles == ref_solver.last_cycles
    assert np.abs(warp_solver.density_numpy() - ref_solver.density_numpy()).max() < 1e-4
    assert np.abs(warp_solver.temperature_numpy() - ref_solver.temperature_numpy()).max() < 1e-4
    for a, b in zip(warp_solver.velocity_numpy(), ref_solver.velocity_numpy()):
        assert np.abs(a - b).max() < 1e-3
    assert warp_solver.last_residual == pytest.approx(ref_solver.last_residual, rel=0.05)


def test_closed_box_conserves_smoke_mass():
    """No emitter, no decay: semi-Lagrangian transport in a closed box keeps the mass within 3% over 60 steps
    of a swirl moving up to ~2 cells per step."""
    n = 48
    s = SmokeSolver(n, n, device="cpu", params=SmokeParams(buoyancy=0.0))
    y, x = np.mgrid[0:n, 0:n] + 0.5
    density = np.exp(-((x - 24) ** 2 + (y - 24) ** 2) / 40.0)
    s.set_fields(*_swirl(n, 0.8), density=density)
    s.project()
    m0 = s.mass()
    for _ in range(60):
        s.step(0.1)
    assert m0 > 100.0
    assert abs(s.mass() / m0 - 1.0) < 0.03
    assert s.density_numpy().min() > -1e-6  # bilinear sampling never makes negative smoke
    assert s.divergence_norm() < 1e-2 * np.sqrt(n * n)


def test_hot_smoke_rises_and_emitter_is_seeded():
    n = 40
    runs = {}
    for seed, buoyancy in ((5, 80.0), (5, 80.0), (6, 80.0), (5, 0.0)):
        s = SmokeSolver(n, n, device="cpu", seed=seed, params=SmokeParams(buoyancy=buoyancy))
        s.add_emitter(20.0, 34.0, 2.5, density_rate=4.0, temperature_rate=3.0, speed=10.0, jitter=0.8)
        for _ in range(50):
            s.step(0.04)
        runs.setdefault((seed, buoyancy), []).append(s.density_numpy())
    rows = np.arange(n)[:, None] + 0.5

    def centroid(d):
        return float((d * rows).sum() / d.sum())

    hot, cold = runs[(5, 80.0)][0], runs[(5, 0.0)][0]
    # Buoyancy carries smoke up (toward row 0) well beyond what the emitter's push alone does.
    assert centroid(hot) < centroid(cold) - 5.0
    assert hot[:20].sum() > 0.3 * hot.sum() > 100.0 * cold[:20].sum()
    assert np.array_equal(runs[(5, 80.0)][0], runs[(5, 80.0)][1])
    assert not np.allclose(hot, runs[(6, 80.0)][0])


def test_pick_device_names_a_warp_device():
    dev = pick_device()
    assert dev in ("cpu", "cuda:0")
    assert dev == "cpu" or wp.is_cuda_available()


# ---- rendered layers -------------------------------------------------------------------------


def _render(effects, seed=3, n_frames=3, width=128, height=72):
    return list(render_effect_frames(effects, PALETTE, width, height, n_frames, 24, seed, device="cpu", sim_height=32))


def test_render_layer_shape_alpha_and_locality():
    effect = EffectSpec(kind=EffectKind.smoke, source_x=0.5, source_y=0.85, strength=1.5)
    frames = _render([effect])
    assert len(frames) == 3
    for f in frames:
        assert f.shape == (72, 128, 4) and f.dtype == np.float32
        alpha = f[..., 3]
        assert alpha.min() >= 0.0 and alpha.max() <= 1.0
        assert (f[..., :3] >= 0.0).all()
        assert (f[..., :3] <= alpha[..., None] + 1e-6).all()  # premultiplied
        # Above the emitter (x = 64, y ~ 61) there is smoke; the far corners stay clear.
        assert alpha[45:66, 54:75].max() > 0.2
        assert alpha[:, :15].max() < 1e-3 and alpha[:, -15:].max() < 1e-3


def test_render_fire_is_emissive_and_bright():
    frames = _render([EffectSpec(kind=EffectKind.fire, source_x=0.4, source_y=0.8)])
    f = frames[-1]
    assert (f[..., :3] <= f[..., 3:4] + 1e-6).all()
    hot = f[..., 3] > 0.5
    assert hot.any()
    assert f[..., 0][hot].mean() > 0.5  # a warm, bright flame core, not grey smoke
    assert f[..., 0][hot].mean() > f[..., 2][hot].mean() + 0.2


def test_render_is_deterministic_per_seed():
    effects = [EffectSpec(kind=EffectKind.smoke, source_x=0.3), EffectSpec(kind=EffectKind.magic, source_x=0.7)]
    a = _render(effects, seed=9)
    b = _render(effects, seed=9)
    c = _render(effects, seed=10)
    assert all(np.array_equal(x, y) for x, y in zip(a, b))
    assert any(not np.allclose(x, y, atol=1e-4) for x, y in zip(a, c))


def test_render_without_effects_is_transparent_and_lazy():
    gen = render_effect_frames([], PALETTE, 64, 36, 4, 24, seed=0)
    assert inspect.isgenerator(gen)
    frames = list(gen)
    assert len(frames) == 4
    assert all(f.shape == (36, 64, 4) and f.dtype == np.float32 and not f.any() for f in frames)
    lazy = render_effect_frames([EffectSpec()], PALETTE, 64, 36, 10_000, 24, seed=0, sim_height=16)
    first = next(lazy)  # a long shot costs nothing until frames are pulled
    assert first.shape == (36, 64, 4)
    lazy.close()


# ---- the kinds a story names ----------------------------------------------------------------


def _covered_rgb(f, a_min=0.2):
    """Mean straight (un-premultiplied) colour of the pixels an effect covers."""
    a = f[..., 3]
    m = a > a_min
    return (f[..., :3][m] / a[m][:, None]).mean(axis=0), m


def _centroid(f):
    a = f[..., 3]
    ys, xs = np.mgrid[0 : a.shape[0], 0 : a.shape[1]]
    return float((a * xs).sum() / a.sum()), float((a * ys).sum() / a.sum())


def test_every_kind_renders_a_valid_nonempty_layer():
    for kind in EffectKind:
        f = _render([EffectSpec(kind=kind, source_x=0.5, source_y=0.7)], n_frames=4)[-1]
        assert f.shape == (72, 128, 4) and np.isfinite(f).all(), kind
        assert (f[..., :3] <= f[..., 3:4] + 1e-6).all() and f[..., 3].max() <= 1.0, kind
        assert (f[..., 3] > 0.05).any(), kind


def test_sparks_are_bright_small_and_warm():
    frames = _render([EffectSpec(kind=EffectKind.sparks, source_x=0.5, source_y=0.8)], n_frames=6, width=256, height=144)
    for f in frames[2:]:
        rgb, m = _covered_rgb(f, 0.5)
        assert m.any() and f[..., 0].max() > 0.8  # bright
        assert 0 < (f[..., 3] > 0.3).mean() < 0.05  # a few specks, not a cloud
        assert rgb[0] > rgb[2] + 0.3  # hot orange-white
    assert not np.allclose(frames[2], frames[3])  # short-lived: they change every frame


def test_explosion_bursts_hot_then_leaves_smoke():
    frames = _render([EffectSpec(kind=EffectKind.explosion, source_x=0.5, source_y=0.7)], n_frames=36)

    def core(f):  # the opaque, hot fireball
        return int(((f[..., 3] > 0.8) & (f[..., 0] > 0.7)).sum())

    hot, _ = _covered_rgb(frames[3])
    assert hot[0] > 0.8 and hot[0] > hot[2] + 0.4  # a fireball
    assert core(frames[6]) > 5 * core(frames[0]) > 0  # its hot core expands
    cool, m = _covered_rgb(frames[-1])
    assert core(frames[-1]) == 0 and m.sum() > 100  # then it is out, and smoke remains
    assert cool[0] < 0.4 and abs(cool[0] - cool[2]) < 0.15  # grey


def test_splash_droplets_arc_up_and_fall_back():
    effect = EffectSpec(kind=EffectKind.splash, source_x=0.5, source_y=0.8)
    frames = _render([effect], n_frames=12, width=256, height=144)
    surface = int(0.8 * 144)
    above = [f[: surface - 8, :, 3].sum() for f in frames]
    assert max(above) > 0  # thrown up
    assert all(f[surface + 6 :, :, 3].max() < 0.05 for f in frames)  # and back into the surface, not below
    rgb, m = _covered_rgb(frames[-1])
    assert m.any() and rgb[2] >= rgb[0]  # water, not fire


def test_snow_from_one_thing_falls_from_it_and_snow_from_the_sky_fills_the_frame():
    local = EffectSpec(kind=EffectKind.snow, source_x=0.3, source_y=0.4, anchor="prop:book")
    f = _render([local], n_frames=24, width=256, height=144)[-1]
    ys, xs = np.nonzero(f[..., 3] > 0.2)
    assert len(xs) > 20 and f[..., :3].max() > 0.5  # white flakes
    assert abs(np.median(xs) / 256 - 0.3) < 0.12 and np.median(ys) / 144 > 0.4 - 0.05  # around it, drifting down
    assert (xs > 0.7 * 256).mean() < 0.02  # not across the frame
    sky = _render([EffectSpec(kind=EffectKind.snow)], n_frames=4, width=256, height=144)[-1]
    ys, xs = np.nonzero(sky[..., 3] > 0.2)
    assert (xs < 0.3 * 256).any() and (xs > 0.7 * 256).any()
    rain = _render([EffectSpec(kind=EffectKind.rain, source_x=0.6, source_y=0.3, anchor="r_wrist")], n_frames=16,
                   width=256, height=144)[-1]
    ys, xs = np.nonzero(rain[..., 3] > 0.1)
    assert len(xs) and np.median(ys) / 144 > 0.3 and abs(np.median(xs) / 256 - 0.6) < 0.1  # it falls from the hand


def test_steam_is_pale_and_gone_quickly_dust_stays_low_and_drifts():
    steam = _render([EffectSpec(kind=EffectKind.steam, source_x=0.5, source_y=0.85)], n_frames=8)[-1]
    rgb, m = _covered_rgb(steam, 0.1)
    assert m.any() and rgb.min() > 0.6  # pale
    smoke = _render([EffectSpec(kind=EffectKind.smoke, source_x=0.5, source_y=0.85)], n_frames=8)[-1]
    assert steam[..., 3].sum() < smoke[..., 3].sum()  # thins faster than smoke
    dust = _render([EffectSpec(kind=EffectKind.dust, source_x=0.4, source_y=0.85)], n_frames=24)[-1]
    rgb, m = _covered_rgb(dust, 0.1)
    assert m.any() and rgb[0] > rgb[2] + 0.1  # ochre
    cx, cy = _centroid(dust)
    assert cy > 0.6 * 72 and cx > 0.4 * 128 + 2  # a low cloud, blown sideways


def test_arousal_sets_the_strength_of_the_new_kinds():
    effect = [EffectSpec(kind=EffectKind.steam, source_x=0.5, source_y=0.85)]
    calm = list(render_effect_frames(effect, PALETTE, 128, 72, 4, 24, 3, sim_height=32, arousal=-0.8))[-1]
    wild = list(render_effect_frames(effect, PALETTE, 128, 72, 4, 24, 3, sim_height=32, arousal=0.9))[-1]
    assert wild[..., 3].sum() > 1.2 * calm[..., 3].sum()


# ---- CUDA ------------------------------------------------------------------------------------


@pytest.mark.gpu
@pytest.mark.skipif(not wp.is_cuda_available(), reason="needs a CUDA device")
def test_cuda_step_matches_cpu():
    nx, ny = 48, 40
    params = SmokeParams(buoyancy=30.0)
    u, v = _random_velocity(nx, ny, seed=2)
    solvers = [SmokeSolver(nx, ny, device=dev, seed=4, params=params) for dev in ("cpu", "cuda:0")]
    for s in solvers:
        s.set_fields(u, v)
        s.add_emitter(24.0, 32.0, 3.0, density_rate=4.0, temperature_rate=3.0, speed=12.0)
        for _ in range(5):
            s.step(0.05)
    cpu, gpu = solvers
    assert gpu.last_residual <= params.tolerance or gpu.last_cycles == params.max_cycles
    assert np.abs(cpu.density_numpy() - gpu.density_numpy()).max() < 1e-3
    for a, b in zip(cpu.velocity_numpy(), gpu.velocity_numpy()):
        assert np.abs(a - b).max() < 1e-2


def test_rain_onto_one_head_falls_from_a_small_cloud_and_ends_there():
    """"A tiny grey cloud follows Pip, raining only on his head": a grey cloud half a figure above the
    head, drops between it and the head, and none far below the head or across the frame."""
    head_y, figure = 0.6, 0.5
    effect = EffectSpec(kind=EffectKind.rain, source_x=0.5, source_y=head_y, anchor="head", over=True)
    f = list(render_effect_frames([effect], PALETTE, 256, 144, 16, 24, 3, device="cpu", sim_height=32,
                                  figures=[figure]))[-1]
    a = f[..., 3]
    cloud_y = int((head_y - 0.6 * figure) * 144)
    rgb, m = _covered_rgb(f[cloud_y - 6:cloud_y + 4], 0.8)
    assert m.sum() > 100 and abs(rgb[0] - rgb[2]) < 0.08 and 0.1 < rgb.mean() < 0.3  # an opaque dark grey cloud
    assert a[: cloud_y - 20].max() < 0.05  # nothing above the cloud
    drops = a[cloud_y + 12:int(head_y * 144)] > 0.1
    assert drops.sum() > 5  # rain between the cloud and the head
    assert a[int((head_y + 0.08) * 144):].max() < 0.05  # which ends at the head, not on the ground
    assert a[:, :80].max() < 0.05 and a[:, -80:].max() < 0.05  # one character's rain, not the sky's
    small = list(render_effect_frames([effect], PALETTE, 256, 144, 16, 24, 3, device="cpu", sim_height=32,
                                      figures=[0.2]))[-1]
    assert _centroid(small)[1] > _centroid(f)[1]  # a smaller figure's cloud sits lower, nearer its head
    plain = EffectSpec(kind=EffectKind.rain, source_x=0.5, source_y=head_y, anchor="head")
    assert _render([plain], n_frames=16, width=256, height=144)[-1][: cloud_y + 4, :, 3].max() < 0.3  # no cloud
