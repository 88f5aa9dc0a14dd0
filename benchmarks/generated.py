"""Generated benchmark data, built once into the system temp dir and reused."""

from __future__ import annotations

import json
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path


def generated(key: str, name: str, build: Callable[[Path], dict], *, regenerate: bool = False
              ) -> tuple[Path, dict, bool]:
    """``<tmp>/<key>/<name>``, made by ``build(path) -> meta`` unless already there (or
    `regenerate`); its meta (kept in ``meta.json`` beside it); whether it was reused.
    The folder appears complete or not at all.

    Example:
        >>> path, meta, reused = generated("shopnb-doctest-v1", "x.txt",
        ...     lambda p: p.write_text("x") and {"rows": 1}, regenerate=True)
        >>> path.read_text(), meta, reused
        ('x', {'rows': 1}, False)
    """
    home = Path(tempfile.gettempdir()) / key
    meta_file = home / "meta.json"
    if meta_file.is_file() and not regenerate:
        return home / name, json.loads(meta_file.read_text()), True
    shutil.rmtree(home, ignore_errors=True)
    building = Path(tempfile.mkdtemp(prefix=key + ".building-"))
    meta = build(building / name)
    (building / "meta.json").write_text(json.dumps(meta))
    building.rename(home)
    return home / name, meta, False
