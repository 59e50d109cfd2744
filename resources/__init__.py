"""Dagster resources: thin `dg.ConfigurableResource` wrappers that hand assets the studio's stores, tools and
devices. The stores themselves are plain classes in `talos_assets.stores` and import without Dagster.
"""
