"""Dagster face of the Ichor Vault: `IchorResource` holds the database URL and opens the plain store
`talos_assets.stores.ichor.IchorVault`, which imports without Dagster.
"""

from __future__ import annotations

import dagster as dg

# Re-exported for callers that still import them from here; new code imports talos_assets.stores.ichor.
from talos_assets.stores.ichor import BUILTIN_PALETTES, IchorVault, StoreError, UnknownPalette

__all__ = ["BUILTIN_PALETTES", "IchorResource", "IchorVault", "StoreError", "UnknownPalette"]


class IchorResource(dg.ConfigurableResource):
    """Dagster resource for the Ichor Vault: `url` is any SQLAlchemy URL."""

    url: str

    def vault(self) -> IchorVault:
        return IchorVault(self.url)
