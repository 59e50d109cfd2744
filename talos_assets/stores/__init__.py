"""The studio's plain stores (Ichor database, Aether assets, the studio's working folders), free of Dagster."""
