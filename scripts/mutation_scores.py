"""Per-module mutation scores from mutmut's last run, and what each surviving mutant changed.

Run by `make mutation` with .venv-mutation's Python, from the folder mutmut ran in (.mutation):
it asks mutmut itself (`mutmut results --all true`, then `mutmut show NAME` for each mutant the
tests did not kill), so it reads nothing of mutmut's private files. The score is mutmut's own:
(killed + timeout) / (total - skipped). With --fail-under, it exits 1 below that overall score.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import re
import sys
from collections import Counter, defaultdict
from pathlib import Path

from mutmut.__main__ import cli

# `mutmut results` prints "    balance_monitor.spend.x_estimate__mutmut_5: survived"; a method's
# mutant is named module.xǁClassǁmethod__mutmut_N.
RESULT_LINE = re.compile(r"^\s*(?P<module>[\w.]+)\.(?P<function>x(?:_|ǁ)\S+?)__mutmut_(?P<n>\d+): (?P<status>.+)$")
CAUGHT = {"killed", "caught by type check"}
NOT_CAUGHT = ("survived", "no tests")


def mutmut(*args: str) -> str:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        cli.main(list(args), prog_name="mutmut", standalone_mode=False)
    return out.getvalue()


def describe(name: str) -> str:
    """One line for a mutant: its function, and each line it removed and added."""
    diff = mutmut("show", name).splitlines()
    removed = [line[1:].strip() for line in diff if line.startswith("-") and not line.startswith("---")]
    added = [line[1:].strip() for line in diff if line.startswith("+") and not line.startswith("+++")]
    function = name.rpartition(".")[2].partition("__mutmut_")[0][2:].replace("ǁ", ".")  # x_f, xǁClassǁmethod
    return f"{function}: {' / '.join(removed) or '(nothing)'}  ->  {' / '.join(added) or '(removed)'}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--survivors", type=Path, help="also write the mutants not killed, described, to this file")
    parser.add_argument("--fail-under", type=float, help="exit 1 if the overall score (in %%) is below this")
    options = parser.parse_args()

    counts: dict[str, Counter[str]] = defaultdict(Counter)
    escaped: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for line in mutmut("results", "--all", "true").splitlines():
        match = RESULT_LINE.match(line)
        if not match:
            continue
        module, status = match["module"], match["status"]
        name = line.strip().rpartition(": ")[0]
        counts[module][status] += 1
        if status in NOT_CAUGHT:
            escaped[module].append((name, status))
    if not counts:
        print("No mutmut results here: run `make mutation` first.", file=sys.stderr)
        return 1

    header = (
        f"{'module':<34}{'total':>7}{'killed':>8}{'survived':>10}{'no tests':>10}{'timeout':>9}{'other':>7}{'score':>8}"
    )
    grand: Counter[str] = Counter()
    for module in counts:
        grand.update(counts[module])
    rule = "-" * len(header)
    table = [header, rule, *(row(module, counts[module]) for module in sorted(counts)), rule, row("all", grand)]
    print("\n".join(table))

    report = []
    for module in sorted(escaped):
        report.append(f"\n{module}: {len(escaped[module])} not killed")
        for name, status in sorted(escaped[module], key=lambda item: natural_key(item[0])):
            mark = "" if status == "survived" else f" [{status}]"
            report.append(f"  {name.rpartition('.')[2]}{mark}  {describe(name)}")
    print("\n".join(report))
    if options.survivors:
        options.survivors.write_text("\n".join(table + report) + "\n")

    if options.fail_under is not None and score(grand) < options.fail_under:
        print(f"\nMutation score {score(grand):.1f}% is below {options.fail_under}%.", file=sys.stderr)
        return 1
    return 0


def score(c: Counter[str]) -> float:
    tested = c.total() - c["skipped"]
    return 100 * (sum(c[s] for s in CAUGHT) + c["timeout"]) / tested if tested else 0.0


def row(module: str, c: Counter[str]) -> str:
    killed = sum(c[s] for s in CAUGHT)
    other = c.total() - killed - c["survived"] - c["no tests"] - c["timeout"]
    return (
        f"{module:<34}{c.total():>7}{killed:>8}{c['survived']:>10}{c['no tests']:>10}"
        f"{c['timeout']:>9}{other:>7}{score(c):>7.1f}%"
    )


def natural_key(name: str) -> list[object]:
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", name)]


if __name__ == "__main__":
    sys.exit(main())
