"""environment.yml (conda) and pyproject.toml (pip) must list the same dependencies."""

import re
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]

def _name(requirement: str) -> str:
    return re.split(r"[<>=!~\[ ;]", requirement.strip(), maxsplit=1)[0].lower().replace("_", "-")


def _pyproject_requirements() -> dict[str, str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    reqs = list(project["dependencies"])
    for extra in project["optional-dependencies"].values():
        reqs.extend(extra)
    return {_name(r): r.replace(" ", "") for r in reqs}


def _conda_requirements() -> dict[str, str]:
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    out = {}
    for dep in env["dependencies"]:
        if isinstance(dep, str) and _name(dep) not in {"python", "pip"}:
            name = _name(dep)
            out[name] = name + dep.replace(" ", "")[len(_name(dep)):]
    return out


def test_same_package_names():
    pip_side, conda_side = _pyproject_requirements(), _conda_requirements()
    assert set(pip_side) == set(conda_side), (
        f"only in pyproject: {sorted(set(pip_side) - set(conda_side))}; "
        f"only in environment.yml: {sorted(set(conda_side) - set(pip_side))}"
    )


def test_same_version_bounds():
    pip_side, conda_side = _pyproject_requirements(), _conda_requirements()
    differ = {n: (pip_side[n], conda_side[n]) for n in pip_side if pip_side[n] != conda_side.get(n)}
    assert not differ, f"version bounds differ (pyproject, environment.yml): {differ}"


def test_conda_env_installs_kamlab_and_python_311():
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    deps = env["dependencies"]
    assert "python=3.11" in deps
    pip_block = next(d["pip"] for d in deps if isinstance(d, dict) and "pip" in d)
    assert "-e ." in pip_block
    assert "conda-forge" in env["channels"]


def test_every_dependency_is_pinned_in_constraints():
    pinned = {_name(line) for line in (ROOT / "constraints.txt").read_text().splitlines()
              if line.strip() and not line.startswith("#")}
    missing = sorted(set(_pyproject_requirements()) - pinned)
    assert not missing, f"dependencies without a tested version in constraints.txt: {missing}"
