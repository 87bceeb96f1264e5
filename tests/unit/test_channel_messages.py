"""channel_messages.py: each service's markup and limit, for alerts, digests, alarms and text."""

import html
import json
import re
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from balance_monitor import alert_messages
from balance_monitor.alert_lifecycle import CheckOutcome, Notification, NotificationKind, Observation, Status
from balance_monitor.alert_messages import email_text, render_alert, untagged
from balance_monitor.balance import BalanceReport, CurrencyBalance, Thresholds
from balance_monitor.channel_messages import (
    BYTES,
    CHARACTERS,
    ELLIPSIS,
    HTML,
    MARKDOWN,
    TEXT,
    Style,
    _markdown,
    channel_message,
    style_for,
)
from balance_monitor.destinations import parse_destinations
from balance_monitor.digest import digest_text
from balance_monitor.texts import CHINESE, ENGLISH
from tests.support.digests import digest_in


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


# --- what each markup shows, exactly, in each language ------------------------------------------

AT = datetime(2026, 11, 25, 8, 15, tzinfo=UTC)
LOW_REPORT = BalanceReport(True, {"CNY": CurrencyBalance("CNY", Decimal("40.00"), Decimal(0), Decimal("40.00"))})
OBSERVATIONS = {
    Status.LOW: Observation(CheckOutcome.OK, report=LOW_REPORT),
    Status.HEALTHY: Observation(CheckOutcome.OK, report=LOW_REPORT),
    Status.FAILING: Observation(CheckOutcome.FAILED, error='DeepSeek said "no" <503>'),
    Status.UNAVAILABLE: Observation(
        CheckOutcome.OK, report=BalanceReport(False, {"CNY": CurrencyBalance("CNY", Decimal("0.00"))})
    ),
}


def alert(status: Status, language: str, kind: NotificationKind = NotificationKind.ALERT) -> dict:
    previous = Status.LOW if kind is NotificationKind.RECOVERY else Status.HEALTHY
    notification = Notification(kind, status, previous, AT, AT, OBSERVATIONS[status], 3)
    thresholds = Thresholds(per_currency={"CNY": Decimal(50)})
    document = render_alert(notification, account="prod", thresholds=thresholds, language=language).document
    if status is Status.LOW:
        document["top_ups"] = [{"currency": "CNY", "amount": "30.00"}]
    return document


@pytest.mark.parametrize(
    ("status", "language", "scheme", "lines"),
    [
        (
            Status.LOW,
            ENGLISH,
            "discord",
            [
                "**⚠️ Balance low for account prod: CNY 40.00 \\< 50.00**",
                "**Account:** prod  **State:** low (warning) since 2026-11-25 08:15 UTC  ",
                "**Checked:** 2026-11-25 08:15 UTC  ",
                "**Balances**  ",
                "• CNY 40.00  BELOW threshold 50.00  (granted 0.00, topped up 40.00); "
                "burn rate and runway not yet known  ",
                "• Topped up: CNY 30.00  ",
                "**What to do:** Top up the account on DeepSeek's platform before API calls start failing.  ",
                "https://platform.deepseek.com/top\\_up  ",
            ],
        ),
        (
            Status.LOW,
            CHINESE,
            "discord",
            [
                "**⚠️ 余额不足：账户 prod，CNY 40.00 \\< 50.00**",
                "**账户**：prod  **状态**：余额不足（警告），始于 2026-11-25 08:15 UTC  ",
                "**检查时间**：2026-11-25 08:15 UTC  ",
                "**余额**  ",
                "• CNY 40.00  低于阈值 50.00（赠送 0.00，充值 40.00）；消耗速度和可用天数尚不可知  ",
                "• 已充值：CNY 30.00  ",
                "**处理办法**：请尽快在 DeepSeek 平台为账户充值，以免 API 调用开始失败。  ",
                "https://platform.deepseek.com/top\\_up  ",
            ],
        ),
        (
            Status.LOW,
            ENGLISH,
            "tgram",
            [
                "<b>⚠️ Balance low for account prod: CNY 40.00 &lt; 50.00</b>",
                "<b>Account:</b> prod  <b>State:</b> low (warning) since 2026-11-25 08:15 UTC",
                "<b>Checked:</b> 2026-11-25 08:15 UTC",
                "<b>Balances</b>",
                "• CNY 40.00  BELOW threshold 50.00  (granted 0.00, topped up 40.00); "
                "burn rate and runway not yet known",
                "• Topped up: CNY 30.00",
                "<b>What to do:</b> Top up the account on DeepSeek's platform before API calls start failing.",
                "https://platform.deepseek.com/top_up",
            ],
        ),
        (
            Status.LOW,
            CHINESE,
            "tgram",
            [
                "<b>⚠️ 余额不足：账户 prod，CNY 40.00 &lt; 50.00</b>",
                "<b>账户</b>：prod  <b>状态</b>：余额不足（警告），始于 2026-11-25 08:15 UTC",
                "<b>检查时间</b>：2026-11-25 08:15 UTC",
                "<b>余额</b>",
                "• CNY 40.00  低于阈值 50.00（赠送 0.00，充值 40.00）；消耗速度和可用天数尚不可知",
                "• 已充值：CNY 30.00",
                "<b>处理办法</b>：请尽快在 DeepSeek 平台为账户充值，以免 API 调用开始失败。",
                "https://platform.deepseek.com/top_up",
            ],
        ),
        (
            Status.FAILING,
            ENGLISH,
            "tgram",
            [
                "<b>🚨 Monitor failing for account prod: 3 checks failed</b>",
                "<b>Account:</b> prod  <b>State:</b> failing (critical) since 2026-11-25 08:15 UTC",
                "<b>Checked:</b> 2026-11-25 08:15 UTC",
                "<b>Balances</b>",
                "• unknown: this check could not read the balance",
                '<b>Error:</b> DeepSeek said "no" &lt;503&gt;',
                "<b>What to do:</b> The monitor cannot read the balance, so it cannot warn you of a low one. "
                "Check the error above, DeepSeek's status page and the function's logs.",
            ],
        ),
        (
            Status.FAILING,
            CHINESE,
            "tgram",
            [
                "<b>🚨 监控无法读取余额：账户 prod，连续 3 次检查失败</b>",
                "<b>账户</b>：prod  <b>状态</b>：监控无法读取余额（严重），始于 2026-11-25 08:15 UTC",
                "<b>检查时间</b>：2026-11-25 08:15 UTC",
                "<b>余额</b>",
                "• 未知：本次检查未能读取余额",
                '<b>错误</b>：DeepSeek said "no" &lt;503&gt;',
                "<b>处理办法</b>：监控读取不到余额，也就无法在余额不足时提醒你。"
                "请查看上面的错误信息、DeepSeek 的状态页和函数日志。",
            ],
        ),
        (
            Status.UNAVAILABLE,
            ENGLISH,
            "feishu",
            [
                "**Account:** prod  **State:** unavailable (critical) since 2026-11-25 08:15 UTC  ",
                "**Checked:** 2026-11-25 08:15 UTC  ",
                "**Balances**  ",
                "• CNY 0.00  BELOW threshold 50.00; burn rate and runway not yet known  ",
                "**DeepSeek said:** DeepSeek reports the account cannot serve API calls (is\\_available: false)  ",
                "**What to do:** Top up the account on DeepSeek's platform before API calls start failing.  ",
                "https://platform.deepseek.com/top\\_up  ",
            ],
        ),
        (
            Status.UNAVAILABLE,
            CHINESE,
            "feishu",
            [
                "**账户**：prod  **状态**：账户不可用（严重），始于 2026-11-25 08:15 UTC  ",
                "**检查时间**：2026-11-25 08:15 UTC  ",
                "**余额**  ",
                "• CNY 0.00  低于阈值 50.00；消耗速度和可用天数尚不可知  ",
                "**DeepSeek 的答复**：DeepSeek 报告该账户无法调用 API（is\\_available: false）  ",
                "**处理办法**：请尽快在 DeepSeek 平台为账户充值，以免 API 调用开始失败。  ",
                "https://platform.deepseek.com/top\\_up  ",
            ],
        ),
    ],
)
def test_an_alert_in_each_markup_and_language_exactly(status, language, scheme, lines):
    message = channel_message(json.dumps(alert(status, language)), None, style_for(scheme))

    assert message.body.split("\n") == lines
    assert message.title == ("" if style_for(scheme).title_in_body else message.title)


@pytest.mark.parametrize(
    ("language", "title", "lines"),
    [
        (
            ENGLISH,
            "✅ Test notification for account prod",
            [
                "**Account:** prod  **State:** healthy (info) since 2026-11-25 08:15 UTC  ",
                "**Checked:** 2026-11-25 08:15 UTC  ",
                "**What to do:** Nothing: this was sent with \\`deepseek-balance test-alert\\` "
                "to try the subscriptions.  ",
            ],
        ),
        (
            CHINESE,
            "✅ 测试通知：账户 prod",
            [
                "**账户**：prod  **状态**：正常（提示），始于 2026-11-25 08:15 UTC  ",
                "**检查时间**：2026-11-25 08:15 UTC  ",
                "**处理办法**：无需处理：这是用 \\`deepseek-balance test-alert\\` 发出的测试通知，"
                "用来检验各订阅能否收到告警。  ",
            ],
        ),
    ],
)
def test_a_test_notification_has_no_balances_and_keeps_its_own_title(language, title, lines):
    document = alert_messages.test_alert(
        account="prod", sent_at=AT, provider_name="deepseek", language=language
    ).document

    message = channel_message(json.dumps(document), None, style_for("feishu"))

    assert (message.title, message.body.split("\n"), message.level) == (title, lines, "info")


@pytest.mark.parametrize(
    ("status", "kind", "level"),
    [
        (Status.LOW, NotificationKind.ALERT, "warning"),
        (Status.FAILING, NotificationKind.ALERT, "failure"),
        (Status.HEALTHY, NotificationKind.RECOVERY, "success"),
    ],
)
def test_the_level_follows_the_severity_and_a_recovery_is_a_success(status, kind, level):
    message = channel_message(json.dumps(alert(status, ENGLISH, kind)), None, style_for("discord"))

    assert message.level == level


@pytest.mark.parametrize("scheme", ["wecombot", "ntfy"])
def test_a_text_service_gets_the_emails_text_in_the_alerts_language(scheme):
    document = alert(Status.LOW, CHINESE)

    message = channel_message(json.dumps(document), None, style_for(scheme))

    heading = "⚠️ 余额不足：账户 prod，CNY 40.00 < 50.00"
    expected = [heading, *email_text(document).splitlines()] if style_for(scheme).title_in_body else None
    assert message.body.split("\n") == (expected or email_text(document).splitlines())
    assert message.title == ("" if style_for(scheme).title_in_body else heading)


@pytest.mark.parametrize(
    ("language", "lines"),
    [
        (ENGLISH, ["**Problems:**  ", "balance low (warning): Wed 18 Nov 11:30 to Fri 20 Nov 03:30, 1 day 16 hours  "]),
        (CHINESE, ["**问题**：  ", "余额不足（警告）：11月18日 周三 11:30 至 11月20日 周五 03:30，共 1 天 16 小时  "]),
    ],
)
def test_a_digest_is_info_with_its_headings_in_bold_in_either_language(language, lines):
    document = digest_in(language).document

    message = channel_message(json.dumps(document), None, style_for("discord"))

    assert message.level == "info"
    assert message.body.startswith(f"**📊 {_markdown(untagged(document['subject']))}**\n")
    assert message.body.split("\n")[-2:] == lines
    headings = [line for line in message.body.split("\n")[1:] if line.startswith("**")]
    assert headings == [lines[0]]  # "Account:   team-a" is no heading
    text = channel_message(json.dumps(document), None, style_for("ntfy"))
    assert text.body.split("\n") == digest_text(document).splitlines()


@pytest.mark.parametrize(
    ("alarm", "title", "level", "lines"),
    [
        (
            {"AlarmName": "no-check", "NewStateValue": "OK", "NewStateReason": 'a "b"', "AlarmDescription": "c & d"},
            "✅ no-check is OK",
            "success",
            ['<b>Why:</b> a "b"', "<b>About:</b> c &amp; d"],
        ),
        ({"AlarmName": "no-check"}, "✅ no-check is unknown", "success", ["<b>Why:</b> ", "<b>About:</b> "]),
        (
            {"AlarmName": "x", "NewStateValue": "ALARM", "AlarmDescription": None},
            "🚨 x is ALARM",
            "failure",
            ["<b>Why:</b> ", "<b>About:</b> "],
        ),
    ],
)
def test_a_cloudwatch_alarm_says_why_and_what_it_is_about(alarm, title, level, lines):
    message = channel_message(json.dumps(alarm), None, Style("test", HTML, 1000))
    text = channel_message(json.dumps(alarm), None, Style("test", TEXT, 1000))

    assert (message.title, message.level, message.body.split("\n")) == (title, level, lines)
    assert text.body == re.sub(r"</?b>", "", html.unescape(message.body))


@pytest.mark.parametrize(
    ("text", "subject", "markup", "title", "body"),
    [
        ("", None, TEXT, "Message from the DeepSeek balance monitor's topic", ""),
        ("a *b*\n<c>", "s", TEXT, "s", "a *b*\n<c>"),
        ("a *b*\n<c>", "s", MARKDOWN, "s", "a \\*b\\*  \n\\<c\\>  "),
        ("a \"b\" 'c'\n<c>", "s", HTML, "s", "a \"b\" 'c'\n&lt;c&gt;"),
        ('{"schema": "another"}', "s", TEXT, "s", '{"schema": "another"}'),
        ('{"kind": "alert"}', "s", TEXT, "s", '{"kind": "alert"}'),
    ],
)
def test_plain_text_is_escaped_for_its_markup_and_titled_by_its_subject(text, subject, markup, title, body):
    message = channel_message(text, subject, Style("test", markup, 1000))

    assert (message.title, message.body, message.level, message.markup) == (title, body, "info", markup)


@pytest.mark.parametrize(
    ("markup", "heading"),
    [(TEXT, 'a "b" <c>'), (MARKDOWN, '**a "b" \\<c\\>**'), (HTML, '<b>a "b" &lt;c&gt;</b>')],
)
def test_a_service_without_titles_gets_the_title_as_the_first_line_in_its_markup(markup, heading):
    message = channel_message("body", 'a "b" <c>', Style("test", markup, 1000, title_in_body=True))

    assert message.title == ""
    assert message.body.split("\n")[0] == heading


# --- cuts at a limit --------------------------------------------------------------------------------


@pytest.mark.parametrize("limit", [1, 2, 3, 5, 8, 13, 50, 99, 100])
def test_a_title_over_its_limit_keeps_as_much_as_fits_with_the_ellipsis(limit):
    message = channel_message("body", "x" * 100, Style("test", TEXT, 1000, title_limit=limit))

    assert message.title == ("x" * 100 if limit == 100 else "x" * (limit - 1) + ELLIPSIS)


@pytest.mark.parametrize("limit", [1, 2, 3, 5, 8, 13, 50, 99, 100])
def test_a_title_counted_in_characters_is_cut_by_characters(limit):
    message = channel_message("body", "余" * 100, Style("test", TEXT, 1000, BYTES, title_limit=limit))

    assert message.title == ("余" * 100 if limit == 100 else "余" * (limit - 1) + ELLIPSIS)


def test_a_body_that_fits_exactly_is_not_cut_and_one_more_character_is():
    lines = ["a" * 9] * 10  # 99 characters with the newlines

    assert channel_message("\n".join(lines), "s", Style("test", TEXT, 99)).body == "\n".join(lines)
    cut = channel_message("\n".join(lines), "s", Style("test", TEXT, 98)).body
    assert cut == "\n".join([*lines[:9], ELLIPSIS])  # 9 lines, 9 newlines and the ellipsis: 91 characters


def test_a_cut_keeps_a_line_that_fits_exactly_with_the_ellipsis():
    lines = ["a" * 9] * 10

    assert channel_message("\n".join(lines), "s", Style("test", TEXT, 91)).body == "\n".join([*lines[:9], ELLIPSIS])
    assert channel_message("\n".join(lines), "s", Style("test", TEXT, 90)).body == "\n".join([*lines[:8], ELLIPSIS])


@pytest.mark.parametrize(
    ("unit", "crlf", "limit", "kept"),
    [
        (CHARACTERS, False, 29, 3),  # three lines of nine characters and two newlines
        (CHARACTERS, False, 28, 2),
        (BYTES, False, 83, 3),  # each character is three bytes of UTF-8
        (BYTES, False, 82, 2),
        (CHARACTERS, True, 31, 3),  # each newline counts twice: \r\n
        (CHARACTERS, True, 30, 2),
        (BYTES, True, 85, 3),
        (BYTES, True, 84, 2),
    ],
)
def test_a_limit_counts_characters_or_utf8_bytes_and_each_newline_as_apprise_sends_it(unit, crlf, limit, kept):
    lines = ["余" * 9] * 3

    body = channel_message("\n".join(lines), "s", Style("test", TEXT, limit, unit, crlf=crlf)).body

    assert body == ("\n".join(lines) if kept == 3 else "\n".join([*lines[:kept], ELLIPSIS]))
