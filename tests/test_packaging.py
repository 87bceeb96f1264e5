"""What `pip install` gives a user: the template the demo needs, inside the package, and an extra
for each subcommand that needs more than the base install. `make wheel` checks the built wheel
itself, from outside the repository."""

import re
import tomllib
from importlib.metadata import packages_distributions
from importlib.resources import files
from pathlib import Path

import pytest

from balance_cli.main import EXTRAS

ROOT = Path(__file__).resolve().parents[1]
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())


def _distribution(requirement: str) -> str:
    """`PyYAML>=6` -> `pyyaml`: a requirement's name, normalised as pip compares them."""
    name = re.match(r"[A-Za-z0-9._-]+", requirement)
    assert name, requirement
    return re.sub(r"[-_.]+", "-", name.group()).lower()


def test_the_template_the_package_ships_is_the_one_sam_deploys():
    shipped = files("sandbox") / "template.yaml"

    assert shipped.read_bytes() == (ROOT / "template.yaml").read_bytes()
    assert PROJECT["tool"]["setuptools"]["package-data"]["sandbox"] == ["template.yaml"]


@pytest.mark.parametrize("extra", sorted(EXTRAS))
def test_each_extra_installs_exactly_the_modules_its_subcommand_checks_for(extra):
    declared = {_distribution(requirement) for requirement in PROJECT["project"]["optional-dependencies"][extra]}
    providers = packages_distributions()

    checked = {_distribution(name) for module in EXTRAS[extra] for name in providers[module]}

    assert checked == declared


def test_every_extra_is_one_a_subcommand_checks_for():
    assert set(PROJECT["project"]["optional-dependencies"]) == set(EXTRAS)
