"""Runs a Python program as a Lambda container runs a function, and reports its peak memory.

A container is frozen after the invocation and later discarded: the interpreter never tears
down its modules, which in a process that loaded boto3 takes about 100 ms that no Lambda
function pays. So this ends the process straight after the program's work, once output is
flushed. The peak is printed to standard error as `peak-rss-kib <n>`: on Linux the kernel's
high-water mark for this process alone (VmHWM), where a parent's rusage would also count the
memory the child shared with its parent before it started.

    python benchmarks/as_container.py program.py [args...]
"""

import os
import resource
import runpy
import sys


def peak_kib() -> int:
    try:
        with open("/proc/self/status") as status:
            return int(next(line.split()[1] for line in status if line.startswith("VmHWM:")))
    except FileNotFoundError:  # not Linux: the rusage figure, in bytes on macOS
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        return peak // 1024 if sys.platform == "darwin" else peak


sys.argv = sys.argv[1:]
runpy.run_path(sys.argv[0], run_name="__main__")
print(f"peak-rss-kib {peak_kib()}", file=sys.stderr)
sys.stdout.flush()
sys.stderr.flush()
os._exit(0)
