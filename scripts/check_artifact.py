"""Check that `sam build` produced an artifact for the function's real runtime: every
compiled module built for CPython 3.13 on arm64 (aarch64), any bytecode compiled by
CPython 3.13, every pinned dependency present, the handler's own code inside, and no AWS
SDK bundled (the Lambda runtime provides it). The notifier's artifact (notifier_app.py) also
holds requirements-notifier.txt's Apprise; every other artifact must not.

    python scripts/check_artifact.py .aws-sam/build/BalanceCheckFunction [.aws-sam/build/SlackNotifierFunction ...]
"""

from __future__ import annotations

import re
import sys
import zipfile
from io import BytesIO
from pathlib import Path

REQUIREMENTS = Path(__file__).resolve().parents[1] / "src" / "handler" / "requirements.txt"
NOTIFIER_REQUIREMENTS = REQUIREMENTS.with_name("requirements-notifier.txt")
COMPILED_FOR_TARGET = re.compile(r"\.cpython-313-aarch64-linux-gnu\.so$|\.abi3\.so$")
BYTECODE_FOR_TARGET = re.compile(r"\.cpython-313\.pyc$")


def problems(artifact: Path) -> list[str]:
    found = []
    notifier = (artifact / "notifier_app.py").is_file()
    codes = ("notifier_app.py",) if notifier else ("app.py", "slack_app.py", "slack_interactions.py")
    for code in (*codes, "balance_monitor/check.py"):
        if not (artifact / code).is_file():
            found.append(f"the functions' code ({code}) is missing")
    for library in artifact.rglob("*.so"):
        if not COMPILED_FOR_TARGET.search(library.name):
            found.append(f"{library.relative_to(artifact)} is not built for cpython-313 aarch64")
    for bytecode in artifact.rglob("*.pyc"):
        if not BYTECODE_FOR_TARGET.search(bytecode.name):
            found.append(f"{bytecode.relative_to(artifact)} is not bytecode of cpython-313")
    installed = {_normalise(path.name.split("-")[0]) for path in artifact.glob("*.dist-info")}
    for name in _pinned(REQUIREMENTS) + (_pinned(NOTIFIER_REQUIREMENTS) if notifier else []):
        if _normalise(name) not in installed:
            found.append(f"pinned dependency {name} is missing")
    if not notifier and ((artifact / "apprise").exists() or "apprise" in installed):
        found.append("apprise is bundled, but only the notifier's artifact needs it")
    for sdk in ("boto3", "botocore"):
        if (artifact / sdk).exists():
            found.append(f"{sdk} is bundled, but the Lambda runtime provides it")
    return found


def zipped_size(artifact: Path) -> int:
    buffer = BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(artifact.rglob("*")):
            if path.is_file():
                archive.write(path, path.relative_to(artifact))
    return buffer.tell()


def _pinned(requirements: Path) -> list[str]:
    names = (line.split("#")[0].split("==")[0].strip() for line in requirements.read_text().splitlines())
    return [name for name in names if name]


def _normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def main(argv: list[str]) -> int:
    artifacts = argv[1:] or [".aws-sam/build/BalanceCheckFunction"]
    return max(check(Path(artifact)) for artifact in artifacts)


def check(artifact: Path) -> int:
    if not artifact.is_dir():
        print(f"no artifact at {artifact}: run `sam build` first", file=sys.stderr)
        return 2
    found = problems(artifact)
    for problem in found:
        print(f"artifact problem: {problem}", file=sys.stderr)
    unzipped = sum(path.stat().st_size for path in artifact.rglob("*") if path.is_file())
    compiled = len(list(artifact.rglob("*.so")))
    bytecode = len(list(artifact.rglob("*.pyc")))
    print(
        f"artifact {artifact}: {unzipped / 2**20:.1f} MiB unzipped, {zipped_size(artifact) / 2**20:.1f} MiB zipped, "
        f"{compiled} compiled modules, all for cpython-313 aarch64; "
        + (f"bytecode for {bytecode} modules" if bytecode else "no bytecode (each cold start compiles the code)")
        if not found
        else "artifact check failed"
    )
    return 1 if found else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
