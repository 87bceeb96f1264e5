"""A server of the benchmarks' run as a process of its own, so that serving a request never
takes CPU or the interpreter lock from the process that measures, and a process timed
against it meets an emulator as quick as this machine makes it.

The server's script prints its base URL as its first line of output, then serves until it
is terminated.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Self

ROOT = Path(__file__).resolve().parents[1]


class ServerProcess:
    def __init__(self, script: Path, *args: str) -> None:
        environment = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), str(ROOT / "src" / "handler")])}
        self._process = subprocess.Popen(
            [sys.executable, str(script), *args], env=environment, stdout=subprocess.PIPE, text=True
        )
        self.base_url = self._process.stdout.readline().strip() if self._process.stdout else ""
        if not self.base_url.startswith("http://127.0.0.1:"):
            self.stop()
            raise RuntimeError(f"{script.name} did not start (exit status {self._process.returncode})")

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def stop(self) -> None:
        self._process.terminate()
        self._process.wait(timeout=10)
