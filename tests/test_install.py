"""Installed from a wheel, the package carries its data: `kcc-text demo` works from any folder."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """The package built as a wheel and installed into a folder of its own (deps from this venv)."""
    folder = tmp_path_factory.mktemp("install")
    wheels, target = folder / "wheels", folder / "site"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation",
                    "--wheel-dir", str(wheels), str(ROOT)], check=True, capture_output=True)
    wheel = next(wheels.glob("kcc_text-*.whl"))
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--target", str(target),
                    str(wheel)], check=True, capture_output=True)
    return wheel, target


def test_wheel_holds_the_bundled_data(installed):
    wheel, _ = installed
    names = set(zipfile.ZipFile(wheel).namelist())
    for member in ("kcc_text/data/codebooks/kcc.yaml", "kcc_text/data/corpus/kcc-2020.csv",
                   "kcc_text/data/corpus/kcc-2020.labels.csv", "kcc_text/data/corpus/kcc-2020.labels.coder2.csv",
                   "kcc_text/data/nl_negation.txt"):
        assert member in names


@pytest.mark.slow
def test_demo_runs_from_another_folder(installed, tmp_path):
    _, target = installed
    env = {**os.environ, "PYTHONPATH": str(target), "COLUMNS": "100"}
    where = subprocess.run([sys.executable, "-c", "import kcc_text; print(kcc_text.__file__)"], cwd=tmp_path,
                           env=env, capture_output=True, text=True, check=True).stdout
    assert where.startswith(str(target))  # the installed copy, not the checkout
    result = subprocess.run([sys.executable, "-m", "kcc_text", "demo"], cwd=tmp_path, env=env,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    out = " ".join(result.stdout.split())
    assert "Coded 675 answers" in out and "Mensen helpen" in out
    automatic = int(out.split(" coded automatically")[0].rsplit(" ", 1)[-1])
    assert automatic > 0
