"""Every test runs with fake AWS credentials and no way to reach a real endpoint."""

import os

import pytest

from sandbox.aws import FAKE_CREDENTIALS

# Set before any test module imports boto3 or Powertools.
os.environ.update(FAKE_CREDENTIALS)
os.environ.setdefault("POWERTOOLS_TRACE_DISABLED", "true")
os.environ.setdefault("SAM_CLI_TELEMETRY", "0")


@pytest.fixture(autouse=True)
def _fake_aws_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in FAKE_CREDENTIALS.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The minute-long `weeks` tests first: started last, one would keep a worker busy after
    every other test has finished."""
    items.sort(key=lambda item: item.get_closest_marker("weeks") is None)
