"""Runs a Python program as a Lambda container runs a function, and reports its peak memory.

A container is frozen after the invocation and later discarded: the interpreter never tears
down its modules, which in a process that loaded boto3 takes about 100 ms that no Lambda
function pays. So this ends the process straight after the program's work, once output is
flushed. The peak is printed to standard error as `peak-rss-kib <n>`: the kernel's
high-water mark for this process alone (VmHWM), where a parent's rusage would also count the
memory the child shared with its parent before it started.

    python benchmarks/as_container.py program.py [args...]
"""

import os
import runpy
import sys

sys.argv = sys.argv[1:]
runpy.run_path(sys.argv[0], run_name="__main__")
with open("/proc/self/status") as status:
    peak = next(line.split()[1] for line in status if line.startswith("VmHWM:"))
print(f"peak-rss-kib {peak}", file=sys.stderr)
sys.stdout.flush()
sys.stderr.flush()
os._exit(0)
