"""environment.yml (conda, Binder) lists the same runtime dependencies as pyproject.toml."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

# conda-forge names that differ from the PyPI names (conda name -> PyPI name)
CONDA_TO_PYPI = {"python-duckdb": "duckdb"}
# conda entries that are no Python dependency of shopnb
NOT_DEPENDENCIES = {"python", "pip"}


def normalize(name: str) -> str:
    """PEP 503 name: lower case, runs of -_. as one dash (tea_tasting == tea-tasting)."""
    return re.sub(r"[-_.]+", "-", name).lower()


def split_requirement(text: str) -> tuple[str, str]:
    """('pandas', '>=2.2') from 'pandas>=2.2', 'pandas >=2.2' or 'pandas[extra]>=2.2; marker'."""
    text = text.split(";")[0].strip()
    match = re.fullmatch(r"([A-Za-z0-9][A-Za-z0-9._-]*)\s*(\[[^\]]*\])?\s*(.*)", text)
    assert match, f"cannot read the requirement {text!r}"
    return normalize(match[1]), match[3].replace(" ", "")


def load_environment() -> dict:
    text = (ROOT / "environment.yml").read_text(encoding="utf-8")
    try:
        import yaml
    except ImportError:
        return _parse_environment(text)
    return yaml.safe_load(text)


def _parse_environment(text: str) -> dict:
    """Enough YAML for environment.yml: name, channels, dependencies with one pip list."""
    env: dict = {}
    key = None
    pip: list[str] | None = None
    for raw in text.splitlines():
        line = raw.split(" #")[0].rstrip()
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        indent = len(line) - len(line.lstrip())
        item = line.strip()
        if indent == 0:
            key, _, value = item.partition(":")
            env[key] = value.strip() or []
            pip = None
        elif item == "- pip:":
            pip = []
            env[key].append({"pip": pip})
        elif item.startswith("- "):
            target = pip if pip is not None and indent > 2 else env[key]
            target.append(item[2:].strip())
    return env


def conda_dependencies(env: dict) -> tuple[dict[str, str], list[str]]:
    conda, pip = {}, []
    for dep in env["dependencies"]:
        if isinstance(dep, dict):
            pip.extend(dep.get("pip", []))
            continue
        name, spec = split_requirement(dep)  # conda's "python=3.11" gives ("python", "=3.11")
        conda[CONDA_TO_PYPI.get(name, name)] = spec
    return conda, pip


@pytest.fixture(scope="module")
def pyproject() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def env() -> dict:
    return load_environment()


def test_environment_is_named_and_uses_conda_forge(env):
    assert env["name"] == "shopnb"
    assert env["channels"] == ["conda-forge"]


def test_environment_lists_the_runtime_dependencies_of_pyproject(pyproject, env):
    wanted = dict(split_requirement(r) for r in pyproject["project"]["dependencies"])
    conda, _ = conda_dependencies(env)
    listed = {name: spec for name, spec in conda.items() if name not in NOT_DEPENDENCIES}
    assert sorted(listed) == sorted(wanted), "names differ (map renamed conda packages above)"
    assert listed == wanted, "version bounds differ"


def test_environment_pins_a_python_that_pyproject_allows(pyproject, env):
    conda, _ = conda_dependencies(env)
    python = conda["python"].lstrip("=")
    floor = pyproject["project"]["requires-python"].removeprefix(">=")
    as_tuple = lambda v: tuple(int(x) for x in v.split("."))  # noqa: E731
    assert as_tuple(python) >= as_tuple(floor)


def test_environment_installs_shopnb_itself_editable(env):
    _, pip = conda_dependencies(env)
    assert pip == ["-e ."]


def test_the_fallback_parser_reads_environment_yml_as_yaml_does(env):
    text = (ROOT / "environment.yml").read_text(encoding="utf-8")
    assert _parse_environment(text) == env
