"""The wheel as a user gets it: build it, install it into a fresh virtual environment outside
the repository, and run the installed command from an empty folder.

1. `deepseek-balance --version` and `--help`, with only the base install;
2. `check` against the DeepSeek simulator on 127.0.0.1, with a made-up key;
3. `demo` without the demo extra says how to install it; with it, a one-day demo draws its chart
   from the template.yaml the wheel ships.

`make wheel` runs it with .venv's Python, whose sandbox package plays DeepSeek. Dependencies come
from the package index, held to requirements-dev.txt's pins. Any failure exits non-zero.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
import tomllib
from pathlib import Path

from sandbox.deepseek_simulator import DeepSeekSimulator

ROOT = Path(__file__).resolve().parents[1]
DISTRIBUTION = "deepseek-balance-monitor"
FAKE_KEY = "sk-wheel-check-not-a-real-key"
TIMEOUT_SECONDS = 300


class CheckFailedError(Exception):
    pass


def run(command: list[str | Path], *, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(  # noqa: S603 - our own commands, no shell
        [str(part) for part in command], cwd=cwd, env=env, capture_output=True, text=True, timeout=TIMEOUT_SECONDS
    )


def expect(result: subprocess.CompletedProcess, code: int, *texts: str) -> str:
    output = result.stdout + result.stderr
    if result.returncode != code or not all(text in output for text in texts):
        raise CheckFailedError(
            f"`{' '.join(result.args)}` exited {result.returncode} (expected {code}"
            + (f", saying {', '.join(map(repr, texts))}" if texts else "")
            + f"):\n{output.rstrip()}"
        )
    return output


def pinned_constraints(requirements: Path, into: Path) -> Path:
    """requirements-dev.txt's pins as one constraints file. pip reads a nested `-r` line in a
    constraints file as requirements and installs them, which would hide a missing dependency."""
    lines: list[str] = []

    def read(path: Path) -> None:
        for line in path.read_text().splitlines():
            if line.startswith("-r "):
                read(path.parent / line.removeprefix("-r ").strip())
            elif line.strip() and not line.startswith("#"):
                lines.append(line)

    read(requirements)
    into.write_text("\n".join(lines) + "\n")
    return into


def check_wheel(scratch: Path) -> None:
    started = time.monotonic()

    def step(text: str) -> None:
        print(f"{time.monotonic() - started:5.1f}s  {text}", flush=True)

    python = sys.executable
    # setuptools reuses build/lib: a module deleted from the tree would still be in the wheel.
    shutil.rmtree(ROOT / "build", ignore_errors=True)
    dist = scratch / "dist"
    expect(run([python, "-m", "pip", "wheel", "--quiet", "--no-deps", "--wheel-dir", dist, ROOT], cwd=ROOT), 0)
    (wheel,) = dist.glob("*.whl")
    step(f"built {wheel.name}")

    venv = scratch / "venv"
    expect(run([python, "-m", "venv", "--without-pip", venv], cwd=scratch), 0)
    constraints = pinned_constraints(ROOT / "requirements-dev.txt", scratch / "constraints.txt")
    # .venv's pip installs into a venv made without one; --no-compile: Python compiles what it runs.
    install = [python, "-m", "pip", "--python", venv / "bin" / "python", "install", "--quiet", "--no-compile"]
    install += ["--no-input", "--constraint", constraints]
    expect(run([*install, wheel], cwd=scratch), 0)
    step("installed it into a fresh virtual environment (base install, no extras)")

    # An empty folder, a clean environment: nothing of the repository is on the path.
    here = scratch / "elsewhere"
    here.mkdir()
    env = {
        "PATH": f"{venv / 'bin'}{os.pathsep}{os.environ['PATH']}",
        "HOME": os.environ.get("HOME", str(scratch)),
        "LANG": "C.UTF-8",
        "MPLCONFIGDIR": str(scratch / "matplotlib"),
        "AWS_EC2_METADATA_DISABLED": "true",
    }
    command = venv / "bin" / "deepseek-balance"
    version = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
    expect(run([command, "--version"], cwd=here, env=env), 0, f"deepseek-balance {version}")
    expect(run([command, "--help"], cwd=here, env=env), 0, "check", "history", "report", "demo")
    step(f"--version says {version}; --help lists the subcommands")

    with DeepSeekSimulator(FAKE_KEY) as deepseek:
        with_key = env | {"DEEPSEEK_API_KEY": FAKE_KEY}
        checked = run([command, "check", "--base-url", deepseek.base_url], cwd=here, env=with_key)
        expect(checked, 0, "CNY", "available: yes")
        if not deepseek.requests:
            raise CheckFailedError("`check` never reached the simulator")
    step(f"check read the simulator's balance at {deepseek.base_url}")

    expect(run([command, "demo", "--days", "1"], cwd=here, env=env), 2, f"pip install '{DISTRIBUTION}[demo]'")
    expect(run([*install, f"{wheel}[demo]"], cwd=scratch), 0)
    step("without the demo extra the demo says how to install it; installed it")

    where = run([venv / "bin" / "python", "-c", "import sandbox; print(sandbox.__file__)"], cwd=here, env=env)
    expect(where, 0)
    shipped = Path(where.stdout.strip()).resolve().parent / "template.yaml"
    if not shipped.is_relative_to(venv.resolve()) or shipped.read_bytes() != (ROOT / "template.yaml").read_bytes():
        raise CheckFailedError(f"{shipped} is not the repository's template.yaml, installed")
    expect(run([command, "demo", "--days", "1", "--output", "demo.png"], cwd=here, env=env), 0, "24 checks recorded")
    if not (here / "demo.png").stat().st_size:
        raise CheckFailedError("the demo drew an empty chart")
    step("the shipped template.yaml is the repository's; `demo --days 1` drew demo.png")


def main() -> int:
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="deepseek-balance-wheel-") as scratch:
        if Path(scratch).resolve().is_relative_to(ROOT):
            print(f"check_wheel: {scratch} is inside the repository; set TMPDIR elsewhere", file=sys.stderr)
            return 2
        try:
            check_wheel(Path(scratch))
        except (CheckFailedError, subprocess.TimeoutExpired) as exc:
            print(f"check_wheel: {exc}", file=sys.stderr)
            return 1
    print(f"the wheel works outside the repository ({time.monotonic() - started:.0f}s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
