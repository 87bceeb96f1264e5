"""The team's language through the deployed handler: a stack with AlertLanguage=zh-CN alerts in
Chinese; in an English stack, an account whose entry says alert_language zh-CN gets its alerts
and digests in Chinese while the others get English; a language that is neither is named as
what to fix."""

import json

import pytest

from .conftest import API_KEY

# Accounts are checked in threads; moto needs the lock that DynamoDB's atomicity stands for.
pytestmark = pytest.mark.usefixtures("atomic_aws_requests")

AT = "2026-11-25T08:00:00Z"
TEAM_KEY = "sk-team-aaaaaaaaaaaaaaaa"


def test_a_stack_in_chinese_alerts_in_chinese_with_the_codes_in_english(monitor):
    monitor.configure(LowBalanceThreshold="CNY=50", AlertLanguage="zh-CN")
    monitor.deepseek.set_balance("CNY", granted="0.00", topped_up="45.00")

    monitor.scheduled(AT)

    [alert] = monitor.alerts()
    assert alert.subject == "[DeepSeek] 余额不足：账户 default，CNY 45.00 < 50.00"
    assert alert.attributes == {
        "account": "default",
        "provider": "deepseek",
        "state": "low",
        "severity": "warning",
        "kind": "alert",
    }
    assert (alert.document["language"], alert.document["state"]) == ("zh-CN", "low")
    assert alert.body.splitlines()[:5] == [
        "【告警】账户 default：余额不足。",
        "",
        "账户：default",
        "状态：余额不足（警告），始于 2026-11-25 08:00 UTC",
        "检查时间：2026-11-25 08:00 UTC",
    ]
    assert "  CNY        45.00   低于阈值 50.00（赠送 0.00，充值 45.00）" in alert.body

    monitor.deepseek.top_up("CNY", "100.00")
    monitor.scheduled("2026-11-25T08:15:00Z")
    [recovery] = monitor.alerts()
    assert recovery.subject == "[DeepSeek] 已恢复：账户 default 恢复正常，CNY 145.00"


def test_in_an_english_stack_an_account_that_asks_for_chinese_gets_chinese_and_the_others_english(monitor):
    monitor.configure(LowBalanceThreshold="CNY=100")
    monitor.deepseek.set_balance("CNY", topped_up="80.00")
    monitor.deepseek.add_account(TEAM_KEY).set_balance("CNY", topped_up="60.00")
    accounts = {"default": {"api_key": API_KEY}, "team-cn": {"api_key": TEAM_KEY, "alert_language": "zh-CN"}}
    monitor.stack.put_api_key(json.dumps({"accounts": accounts}))

    monitor.scheduled(AT)

    received = {alert.attributes["account"]: alert for alert in monitor.alerts()}
    assert received["default"].subject == "[DeepSeek] Balance low for account default: CNY 80.00 < 100.00"
    assert received["default"].body.startswith("ALERT: balance low for account default.\n")
    assert received["default"].document["language"] == "en"
    assert received["team-cn"].subject == "[DeepSeek] 余额不足：账户 team-cn，CNY 60.00 < 100.00"
    assert received["team-cn"].body.startswith("【告警】账户 team-cn：余额不足。\n")
    assert received["team-cn"].document["language"] == "zh-CN"
    assert received["team-cn"].attributes["state"] == received["default"].attributes["state"] == "low"

    summary = monitor.invoke({"digest": {"days": 7}, "time": "2026-11-26T08:00:00Z"})

    assert [result["result"] for result in summary["accounts"]] == ["sent", "sent"]
    digests = {alert.attributes["account"]: alert for alert in monitor.alerts()}
    assert digests["default"].subject.startswith("[DeepSeek] Weekly digest for account default: ")
    assert digests["team-cn"].subject.startswith("[DeepSeek] 账户 team-cn 周报：")
    assert digests["team-cn"].body.startswith("账户 team-cn 周报：2026年11月19日（周四）至11月25日（周三）（UTC）。\n")


def test_an_accounts_language_that_is_neither_makes_it_misconfigured_naming_the_field(monitor):
    monitor.deepseek.add_account(TEAM_KEY).set_balance("CNY", topped_up="60.00")
    accounts = {"default": {"api_key": API_KEY}, "team-a": {"api_key": TEAM_KEY, "alert_language": "cn"}}
    monitor.stack.put_api_key(json.dumps({"accounts": accounts}))

    summary = monitor.scheduled(AT)

    states = {result["account"]: result["status"] for result in summary["accounts"]}
    assert states == {"default": "healthy", "team-a": "misconfigured"}
    [alert] = monitor.alerts()
    assert alert.document["error"] == (
        "the secret's entry for 'team-a': alert_language='cn' is invalid: expected en or zh-CN"
    )


def test_a_stack_language_that_is_neither_is_a_misconfiguration_naming_the_parameter_in_english(monitor):
    monitor.configure(AlertLanguage="fr")

    assert monitor.scheduled(AT)["status"] == "misconfigured"

    [alert] = monitor.alerts()
    assert alert.subject == "[DeepSeek] Monitor misconfigured for account default"
    assert alert.document["error"] == "AlertLanguage: ALERT_LANGUAGE='fr' is invalid: expected en or zh-CN"
    assert monitor.deepseek.requests == []
