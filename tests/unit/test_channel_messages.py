"""channel_messages.py: each service's markup and limit, for alerts, digests, alarms and text."""

import json

from balance_monitor.channel_messages import BYTES, ELLIPSIS, HTML, MARKDOWN, TEXT, Style, channel_message, style_for
from balance_monitor.destinations import parse_destinations


def test_a_cloudwatch_alarm_is_a_failure_titled_by_its_name():
    alarm = json.dumps({"AlarmName": "no-check", "NewStateValue": "ALARM", "NewStateReason": "silence <1>"})

    message = channel_message(alarm, None, style_for("tgram"))

    assert message.level == "failure"
    assert message.body.startswith("<b>🚨 no-check is ALARM</b>\n<b>Why:</b> silence &lt;1&gt;")


def test_a_cut_in_bytes_never_splits_a_character_and_ends_on_a_whole_line():
    text = "\n".join(f"第{number}行 余额不足 *粗体*" for number in range(200))
    for markup in (TEXT, MARKDOWN, HTML):
        message = channel_message(text, "余额", Style("test", markup, 300, BYTES, title_in_body=True))

        assert len(message.body.encode()) <= 300
        assert message.body.endswith("\n" + ELLIPSIS)
        lines = message.body.splitlines()[1:-1]
        assert lines
        assert all(line.rstrip().endswith("粗体*") or line.rstrip().endswith("粗体\\*") for line in lines)


def test_unknown_services_get_plain_text_within_the_default_limit():
    message = channel_message("x" * 5000, "subject", style_for("someservice"))

    assert (message.markup, message.title) == (TEXT, "subject")
    assert len(message.body) <= 1000


def test_routing_by_severity_and_account_and_recoveries_always():
    [critical_prod] = parse_destinations(
        json.dumps({"destinations": [{"url": "ntfy://t", "min_severity": "critical", "accounts": ["prod"]}]})
    )

    assert critical_prod.wants(severity="critical", account="prod", kind="alert")
    assert not critical_prod.wants(severity="warning", account="prod", kind="alert")
    assert not critical_prod.wants(severity="critical", account="staging", kind="alert")
    assert critical_prod.wants(severity="info", account="prod", kind="recovery")
    assert not critical_prod.wants(severity="info", account="prod", kind="digest")
    assert critical_prod.wants(severity=None, account=None, kind=None)  # the monitor's own alarms
