"""The wheel carries what `shopnb serve` needs outside a checkout: the pages' notebooks,
the Voila template and the pages' kernel."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_the_wheel_carries_the_notebooks_the_template_and_the_kernel(tmp_path):
    built = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q",
                            "-w", str(tmp_path), str(ROOT)], capture_output=True, text=True)
    assert built.returncode == 0, built.stderr[-3000:]
    [wheel] = tmp_path.glob("shopnb-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    data = f"{wheel.name.split('-')[0]}-{wheel.name.split('-')[1]}.data/data"
    for notebook in sorted((ROOT / "notebooks").glob("*.ipynb")):
        assert f"{data}/share/shopnb/notebooks/{notebook.name}" in names
    share = ROOT / "shopnb" / "share"
    for path in sorted(p for p in share.rglob("*") if p.is_file()):
        assert path.relative_to(ROOT).as_posix() in names
    assert "shopnb/kernel.py" in names
