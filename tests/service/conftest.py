"""Service fixtures: the real app over the seed index on the default ONNX backend, through TestClient."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from index.encoders.base import Embedder
from service.app import create_app
from service.config import Settings

STAFF_TOKEN = "test-staff-token-0123456789abcdef"


def make_settings(index_dir: Path, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "index_dir": index_dir,
        "staff_token": STAFF_TOKEN,
        "clinic_name": "Riverside Dermatology Demo",
        "clinic_phone": "555 0100",
        "clinic_hours": "Mon-Fri 9:00-17:00",
        "region": "US",
        # the suite asks thousands of questions from one address; tests of the limits set their own
        "rate_limit_ask": "1000000/minute",
        "rate_limit_staff": "1000000/minute",
        "rate_limit_failed_token": "1000000/minute",
        # each app its own library store: never the developer's var/library.db
        "library_url": f"sqlite:///{tempfile.mkdtemp(prefix='clinic-store-')}/library.db",
    }
    values.update(overrides)
    return Settings(**values)


@pytest.fixture(scope="session")
def service_settings(seed_index_dir_onnx: Path) -> Settings:
    return make_settings(seed_index_dir_onnx)


@pytest.fixture(scope="session")
def client(service_settings: Settings, onnx_embedder: Embedder) -> Iterator[TestClient]:
    with TestClient(create_app(service_settings, embedder=onnx_embedder)) as test_client:
        yield test_client


@pytest.fixture
def settings_factory() -> Any:
    """`make_settings(index_dir, **overrides)` for tests that need their own app."""
    return make_settings


@pytest.fixture
def staff_headers() -> dict[str, str]:
    return {"Authorization": f"Bearer {STAFF_TOKEN}"}
