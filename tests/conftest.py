"""Fixtures shared by the tests of the data folder (`shopnb.store`) and of what reads it."""

from __future__ import annotations

from pathlib import Path

import pytest

from shopnb.store import ENV_DATA


@pytest.fixture
def data_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty data folder, configured as `shopnb serve --data` does."""
    folder = tmp_path / "shop"
    folder.mkdir()
    monkeypatch.setenv(ENV_DATA, str(folder))
    return folder
