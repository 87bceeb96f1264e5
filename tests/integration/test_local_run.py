"""The README's first command: the real handler against emulated AWS, as a user runs it."""

import os
import subprocess
import sys
from pathlib import Path

from sandbox.deepseek_simulator import DeepSeekSimulator

ROOT = Path(__file__).resolve().parents[2]


def run_local(**environment: str) -> str:
    result = subprocess.run(
        [sys.executable, "-m", "sandbox.run_local"],
        cwd=ROOT,
        env={**os.environ, **environment},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_the_simulated_story_shows_each_check_every_alert_and_the_history():
    output = run_local(DEEPSEEK_API_KEY="")

    assert "simulated at http://127.0.0.1:" in output
    alerts = [line.strip() for line in output.splitlines() if "ALERT SENT" in line]
    assert alerts == [
        "ALERT SENT (warning, alert): [DeepSeek] Balance low for account default: CNY 40.00 < 50.00",
        "ALERT SENT (critical, alert): [DeepSeek] Account unavailable for account default",
        "ALERT SENT (info, recovery): [DeepSeek] Resolved: account default is healthy, CNY 200.00, USD 20.00",
    ]
    assert "Lambda reports an error, and would retry this event: balance check failed" in output
    assert "┃ ⚠️ Balance low for account default: CNY 40.00 < 50.00" in output  # the Slack rendering
    assert "┃ • CNY 40.00  BELOW threshold 50.00  (granted 0.00, topped up 40.00)" in output
    assert "result=duplicate" in output
    history = output[output.index("History of account 'default'") :].splitlines()[2:]
    assert len(history) == 5  # the redelivered event added no record
    assert "failed" in history[2]
    assert "-" in history[2].split()  # a failed check shows no balance, not a zero one


def test_a_real_key_checks_the_real_service_once_without_printing_the_key():
    key = "sk-user-given-7a7a7a7a7a7a"
    with DeepSeekSimulator(key) as deepseek:  # standing in for api.deepseek.com
        deepseek.set_balance("CNY", granted="1.00", topped_up="99.00")

        output = run_local(DEEPSEEK_API_KEY=key, DEEPSEEK_BASE_URL=deepseek.base_url)

    assert f"the real service at {deepseek.base_url}" in output
    assert "your account, now" in output
    assert "result=checked outcome=ok state=healthy" in output
    assert "100.00" in output
    assert key not in output
    assert len(deepseek.requests) == 1
