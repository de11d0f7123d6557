"""The installed distribution exposes one import package, `handoff`, and lives beside PyPI's `config`.

The wheel is built from this tree and installed into a fresh virtual environment together with the
PyPI package `config` (downloaded once by `make`, into .venv/wheelhouse): both import and work,
and uninstalling handoff leaves `config` whole. handoff's own dependencies come from this
environment's site-packages (a path entry, so none of its .pth files run).
"""

from __future__ import annotations

import os
import shutil
import site
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from handoff.config.loader import DEFAULT_POLICY_PATH

ROOT = Path(__file__).resolve().parents[2]
WHEELHOUSE = Path(sys.prefix) / "wheelhouse"


def _run(*command: str | Path, cwd: Path | None = None) -> str:
    done = subprocess.run(
        [str(part) for part in command], capture_output=True, text=True, cwd=cwd, check=False
    )
    assert done.returncode == 0, f"{command}: {done.stdout}\n{done.stderr}"
    return done.stdout


def _checkout(target: Path) -> Path:
    """The tracked files alone, links kept, as a fresh clone has them: the build runs there, so no
    stale build/ of this tree can slip into the wheel and no artefact is left in it."""
    listed = _run("git", "-C", ROOT, "ls-files", "-z").split("\0")
    for name in filter(None, listed):
        origin, copy = ROOT / name, target / name
        copy.parent.mkdir(parents=True, exist_ok=True)
        if origin.is_symlink():
            copy.symlink_to(os.readlink(origin))
        else:
            shutil.copy2(origin, copy)
    return target


@pytest.mark.slow
def test_the_wheel_installs_one_package_beside_pypi_config(tmp_path: Path) -> None:
    config_wheels = sorted(WHEELHOUSE.glob("config-*.whl"))
    if not config_wheels:
        pytest.skip(f"no PyPI 'config' wheel in {WHEELHOUSE}; `make` downloads it")
    _run(
        sys.executable,
        "-m",
        "pip",
        "wheel",
        "--no-deps",
        "--no-build-isolation",
        "-q",
        "-w",
        tmp_path / "dist",
        ROOT,
    )
    (wheel,) = (tmp_path / "dist").glob("handoff_revops-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert {name.split("/")[0] for name in names} == {"handoff", wheel.name.split("-py3")[0] + ".dist-info"}
    assert "handoff/config/policy.toml" in names
    assert "handoff/store/migrations/versions/0003_history.py" in names

    fresh = tmp_path / "venv"
    _run(sys.executable, "-m", "venv", "--without-pip", fresh)
    python = fresh / "bin" / "python"
    target = Path(_run(python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))").strip())
    (target / "dependencies.pth").write_text("\n".join(site.getsitepackages()) + "\n")
    pip: list[str | Path] = [
        sys.executable,
        "-m",
        "pip",
        "--python",
        python,
        "install",
        "-q",
        "--no-deps",
        "--no-index",
    ]
    _run(*pip, wheel, config_wheels[-1])

    top_level = sorted(p.name for p in target.iterdir() if not p.name.endswith((".dist-info", ".pth")))
    assert top_level == ["config", "handoff"], "handoff adds one package to site-packages, beside config"
    both = _run(
        python,
        "-c",
        "import config, handoff, handoff.config.loader as loader; "
        "print(config.Config.__name__, handoff.__version__, loader.load_policy().policy.version)",
        cwd=tmp_path,
    )
    assert both.split() == ["Config", "0.1.0", "2026-11"]
    checked = _run(fresh / "bin" / "handoff", "policy", "check", DEFAULT_POLICY_PATH, cwd=tmp_path)
    assert checked.startswith("ok: ")

    _run(sys.executable, "-m", "pip", "--python", python, "uninstall", "-q", "-y", "handoff-revops")
    still = _run(python, "-c", "import config; print(config.Config.__name__)", cwd=tmp_path)
    assert still.strip() == "Config"
    assert not (target / "handoff").exists()
