"""The box Stokes simulates, as both solvers see it: grid size, seed, parameters and step counters, seeded
inflow emitters (one child seed each, so a shot re-renders identically) and the static solid mask; the
Warp `SmokeSolver` and its NumPy twin `ReferenceSmokeSolver` differ only in how they store and step it.
"""

from __future__ import annotations

from abc import ABC, abstractmethod

import numpy as np

from talos_assets.agents.effects.emitter import Emitter
from talos_assets.agents.effects.params import SmokeParams


class SmokeBox(ABC):
    """Setup shared by the fluid solvers; a subclass applies face weights in `_set_weights(fluid)`."""

    def __init__(self, nx: int, ny: int, seed: int = 0, params: SmokeParams | None = None) -> None:
        if nx < 4 or ny < 4:
            raise ValueError(f"grid {nx}x{ny} is too small; need at least 4x4 cells")
        self.nx, self.ny = int(nx), int(ny)
        self.seed = int(seed)
        self.params = params or SmokeParams()
        self._seeds = np.random.SeedSequence(self.seed)
        self.emitters: list[Emitter] = []
        self.time = 0.0
        self.steps = 0
        self.last_residual = 0.0
        self.last_cycles = 0
        self._solid_mask: np.ndarray | None = None

    @abstractmethod
    def _set_weights(self, fluid: np.ndarray | None) -> None:
        """Apply a (ny, nx) 0/1 fluid mask (None = no solids) to the pressure solve and the boundaries."""

    def add_emitter(self, x: float, y: float, radius: float, **rates: float) -> Emitter:
        """Add an inflow at cell coordinates (x, y) (row 0 = top) with `Emitter`'s rates (density_rate,
        temperature_rate, speed, jitter, fuel_rate); its jitter is seeded from the solver's seed."""
        e = Emitter(x, y, radius, seed=self._seeds.spawn(1)[0], **rates)
        self.emitters.append(e)
        return e

    def set_obstacles(self, solid: np.ndarray | None) -> None:
        """Static solid cells for the next steps: a (ny, nx) bool mask (True = solid), or None for none.

        Flow cannot cross a face touching a solid and smoke inside solids is removed; the multigrid
        hierarchy gets coarsened face weights. Unchanged masks cost nothing.
        """
        if solid is None:
            if self._solid_mask is not None:
                self._solid_mask = None
                self._set_weights(None)
            return
        solid = np.asarray(solid, bool)
        if solid.shape != (self.ny, self.nx):
            raise ValueError(f"obstacle mask must be {(self.ny, self.nx)}, got {solid.shape}")
        if self._solid_mask is not None and np.array_equal(solid, self._solid_mask):
            return
        self._solid_mask = solid.copy()
        self._set_weights((~solid).astype(np.float32))

