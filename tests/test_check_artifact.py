"""scripts/check_artifact.py catches an artifact that would not run on python3.13 arm64."""

import importlib.util
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
spec = importlib.util.spec_from_file_location("check_artifact", ROOT / "scripts" / "check_artifact.py")
check_artifact = importlib.util.module_from_spec(spec)
spec.loader.exec_module(check_artifact)


@pytest.fixture
def artifact(tmp_path: Path) -> Path:
    """A complete artifact as `sam build` makes it, with empty stand-ins for the packages."""
    shutil.copytree(
        ROOT / "src" / "handler" / "balance_monitor",
        tmp_path / "balance_monitor",
        ignore=shutil.ignore_patterns("__pycache__"),  # this machine's bytecode, not the build's
    )
    shutil.copy(ROOT / "src" / "handler" / "app.py", tmp_path)
    shutil.copy(ROOT / "src" / "handler" / "slack_app.py", tmp_path)
    shutil.copy(ROOT / "src" / "handler" / "slack_interactions.py", tmp_path)
    for line in check_artifact.REQUIREMENTS.read_text().splitlines():
        if line and not line.startswith("#"):
            name, version = line.split("==")
            (tmp_path / f"{name.replace('-', '_')}-{version}.dist-info").mkdir()
    (tmp_path / "wrapt").mkdir()
    (tmp_path / "wrapt" / "_wrappers.cpython-313-aarch64-linux-gnu.so").write_bytes(b"\x7fELF")
    return tmp_path


def test_a_complete_arm64_artifact_passes(artifact):
    assert check_artifact.problems(artifact) == []


def test_a_module_built_for_another_machine_or_python_is_caught(artifact):
    (artifact / "wrapt" / "_wrappers.cpython-311-x86_64-linux-gnu.so").write_bytes(b"\x7fELF")

    assert check_artifact.problems(artifact) == [
        "wrapt/_wrappers.cpython-311-x86_64-linux-gnu.so is not built for cpython-313 aarch64"
    ]


def test_bytecode_for_another_python_is_caught(artifact):
    (artifact / "balance_monitor" / "__pycache__").mkdir()
    (artifact / "balance_monitor" / "__pycache__" / "check.cpython-313.pyc").write_bytes(b"")
    (artifact / "balance_monitor" / "__pycache__" / "check.cpython-311.pyc").write_bytes(b"")

    assert check_artifact.problems(artifact) == [
        "balance_monitor/__pycache__/check.cpython-311.pyc is not bytecode of cpython-313"
    ]


def test_a_missing_dependency_or_a_bundled_sdk_is_caught(artifact):
    shutil.rmtree(next(artifact.glob("tenacity-*.dist-info")))
    (artifact / "botocore").mkdir()

    assert check_artifact.problems(artifact) == [
        "pinned dependency tenacity is missing",
        "botocore is bundled, but the Lambda runtime provides it",
    ]


def modules_loaded_by(entry_points: str) -> list[str]:
    """Every module a fresh process has loaded once it imported these entry points."""
    return subprocess.run(
        [sys.executable, "-c", f"import sys, {entry_points}; print(' '.join(sorted(sys.modules)))"],
        cwd=ROOT / "src" / "handler",
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "PYTHONPATH": str(ROOT / "src" / "handler")},
    ).stdout.split()


def test_the_balance_check_never_imports_the_snooze_endpoint_or_the_silence_writes():
    """The snooze endpoint shares the artifact (it needs no package of its own), not the check's
    import path: a cold check loads only what it uses."""
    loaded = modules_loaded_by("app")

    assert "app" in loaded
    assert not {"slack_interactions", "balance_monitor.slack_requests", "balance_monitor.adapters.silence_store"} & set(
        loaded
    )


def test_the_notifiers_artifact_needs_apprise_and_no_other_artifact_may_hold_it(artifact):
    (artifact / "apprise").mkdir()
    assert check_artifact.problems(artifact) == ["apprise is bundled, but only the notifier's artifact needs it"]

    (artifact / "notifier_app.py").write_text("")
    assert check_artifact.problems(artifact) == [
        f"pinned dependency {name} is missing" for name in check_artifact._pinned(check_artifact.NOTIFIER_REQUIREMENTS)
    ]
    for name in check_artifact._pinned(check_artifact.NOTIFIER_REQUIREMENTS):
        (artifact / f"{name.replace('-', '_')}-0.dist-info").mkdir()
    assert check_artifact.problems(artifact) == []


def test_the_balance_check_and_the_slack_functions_never_import_apprise():
    """Apprise (and the notifier's modules) is the notifier's alone: a cold check or Slack post
    loads none of it, whether or not it is installed (it is, in the tests' environment)."""
    loaded = modules_loaded_by("app, slack_app, slack_interactions")

    assert "app" in loaded
    assert [name for name in loaded if "apprise" in name or name.startswith("markdown")] == []
    assert not {"notifier_app", "balance_monitor.destination_delivery", "balance_monitor.channel_messages"} & set(
        loaded
    )
