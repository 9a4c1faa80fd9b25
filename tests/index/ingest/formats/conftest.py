"""The generated leaflets (bench/leaflets.py), written once per session into a temporary directory."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.leaflets import write_leaflets


@pytest.fixture(scope="session")
def leaflet_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("leaflets")
    write_leaflets(out)
    return out
