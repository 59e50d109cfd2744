"""Dagster face of the Aether Vault: `AetherResource` holds the store's folder or fsspec URL and opens
the plain store `talos_assets.stores.aether.AetherVault`, which imports without Dagster.
"""

from __future__ import annotations

import dagster as dg

# Re-exported for callers that still import it from here; new code imports talos_assets.stores.aether.
from talos_assets.stores.aether import AetherVault

__all__ = ["AetherResource", "AetherVault"]


class AetherResource(dg.ConfigurableResource):
    """Dagster face of the Aether Vault; `url` is a folder path or fsspec URL."""

    url: str

    def vault(self) -> AetherVault:
        return AetherVault(self.url)
