"""MLflow tracking for Protoforge: tracking URI and artifact location inside the studio home,
telemetry off. A thin ConfigurableResource rather than dagster-mlflow (which pins other versions)."""

from __future__ import annotations

import os

import dagster as dg


class MLflowResource(dg.ConfigurableResource):
    tracking_uri: str
    artifact_location: str

    def configure(self) -> str:
        os.environ.setdefault("MLFLOW_DISABLE_TELEMETRY", "true")
        import mlflow

        mlflow.set_tracking_uri(self.tracking_uri)
        return self.tracking_uri
