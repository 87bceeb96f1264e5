"""The team's language: every alert, reminder, recovery, test notification and digest in
Simplified Chinese when asked (email, Slack, AWS Chatbot, subject), English as it always was
otherwise, and the document's field names and codes English either way."""

import json
import re
import unicodedata
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from balance_monitor import alert_messages
from balance_monitor.alert_lifecycle import (
    AlertState,
    CheckOutcome,
    Notification,
    NotificationKind,
    Observation,
    Status,
)
from balance_monitor.alert_messages import MESSAGE_ATTRIBUTES, render_alert, subject_line
from balance_monitor.balance import BalanceReport, CurrencyBalance, Thresholds
from balance_monitor.chat_messages import block_kit, chatbot_notification, slack_message
from balance_monitor.digest import Period, render_digest, summarise
from balance_monitor.providers import REGISTRY, provider
from balance_monitor.providers.deepseek import DEEPSEEK
from balance_monitor.spend import Estimate, Spike
from balance_monitor.texts import CATALOGUE, CHINESE, ENGLISH, LANGUAGES, language_of, say
from tests.support.block_kit import block_kit_problems
from tests.support.digests import digest_in
from tests.support.languages import leftover_english

AT = datetime(2026, 11, 25, 8, 15, tzinfo=UTC)
THRESHOLDS = Thresholds(per_currency={"CNY": Decimal(50), "USD": Decimal(7)})
CRITICAL = Thresholds(per_currency={"CNY": Decimal(20), "USD": Decimal(2)})
REPORT = BalanceReport(
    True,
    {
        "CNY": CurrencyBalance("CNY", Decimal("12.50"), Decimal("2.50"), Decimal("10.00")),
        "USD": CurrencyBalance("USD", Decimal("8.00")),
    },
)
SPIKE = Spike(Decimal("480.0000"), Decimal("26.5000"), Decimal("24.1234"), Decimal(3))
ESTIMATES = {"CNY": Estimate(Decimal("24.1234"), Decimal("0.52"), AT, SPIKE)}
OBSERVATIONS = {
    Status.HEALTHY: Observation(CheckOutcome.OK, report=REPORT),
    Status.LOW: Observation(CheckOutcome.OK, report=REPORT),
    Status.CRITICALLY_LOW: Observation(CheckOutcome.OK, report=REPORT),
    Status.RUNWAY_SHORT: Observation(CheckOutcome.OK, report=REPORT),
    Status.SPEND_SPIKE: Observation(CheckOutcome.OK, report=REPORT),
    Status.UNAVAILABLE: Observation(
        CheckOutcome.OK, report=BalanceReport(False, {"CNY": CurrencyBalance("CNY", Decimal("0.00"))})
    ),
    Status.KEY_REJECTED: Observation(CheckOutcome.KEY_REJECTED, error="DeepSeek rejected the API key (HTTP 401)"),
    Status.MISCONFIGURED: Observation(
        CheckOutcome.MISCONFIGURED, error="AlertLanguage: ALERT_LANGUAGE='fr' is invalid: expected en or zh-CN"
    ),
    Status.FAILING: Observation(CheckOutcome.FAILED, error="DeepSeek answered HTTP 503"),
}
# Every notification a state can send: an alert and a reminder of each bad state, the recovery.
CASES = [(status, kind) for status in list(Status)[1:] for kind in (NotificationKind.ALERT, NotificationKind.REMINDER)]
CASES.append((Status.HEALTHY, NotificationKind.RECOVERY))


def notification(status: Status, kind: NotificationKind = NotificationKind.ALERT, **changes) -> Notification:
    values = {
        "kind": kind,
        "status": status,
        "previous_status": Status.LOW if kind is NotificationKind.RECOVERY else Status.HEALTHY,
        "since": AT,
        "checked_at": AT,
        "observation": OBSERVATIONS[status],
        "consecutive_failures": 3,
        "estimates": ESTIMATES if status in (Status.SPEND_SPIKE, Status.RUNWAY_SHORT) else {},
    }
    return Notification(**(values | changes))


def chinese(status: Status, kind: NotificationKind = NotificationKind.ALERT, account: str = "team-a", **changes):
    return render_alert(
        notification(status, kind, **changes),
        account=account,
        thresholds=THRESHOLDS,
        critical_thresholds=CRITICAL,
        language=CHINESE,
    )


def has_control_characters(text: str) -> bool:
    return any(unicodedata.category(character) in ("Cc", "Cf", "Zl", "Zp") for character in text)


def test_the_catalogue_says_everything_in_every_language():
    assert LANGUAGES == ("en", "zh-CN")
    assert [key for key, texts in CATALOGUE.items() if set(texts) != set(LANGUAGES)] == []


def test_every_providers_reason_for_an_unusable_account_has_a_chinese_text():
    generic = provider("deepseek").__class__.__dataclass_fields__["unavailable_reason"].default
    for name in REGISTRY:
        source = provider(name)
        assert source.unavailable_reason == generic or f"reason.unavailable.{name}" in CATALOGUE, name


@pytest.mark.parametrize(
    ("status", "kind", "subject"),
    [
        (Status.LOW, NotificationKind.ALERT, "[DeepSeek] 余额不足：账户 team-a，CNY 12.50 < 50.00"),
        (Status.LOW, NotificationKind.REMINDER, "[DeepSeek] 余额不足（提醒）：账户 team-a，CNY 12.50 < 50.00"),
        (Status.CRITICALLY_LOW, NotificationKind.ALERT, "[DeepSeek] 余额严重不足：账户 team-a，CNY 12.50 < 20.00"),
        (Status.RUNWAY_SHORT, NotificationKind.ALERT, "[DeepSeek] 可用天数不足：账户 team-a，CNY 剩余 0.52 天"),
        (Status.SPEND_SPIKE, NotificationKind.ALERT, "[DeepSeek] 消耗激增：账户 team-a，CNY 每天 480.00"),
        (Status.UNAVAILABLE, NotificationKind.ALERT, "[DeepSeek] 账户不可用：账户 team-a"),
        (Status.KEY_REJECTED, NotificationKind.ALERT, "[DeepSeek] API 密钥被拒绝：账户 team-a"),
        (Status.MISCONFIGURED, NotificationKind.ALERT, "[DeepSeek] 监控配置有误：账户 team-a"),
        (Status.FAILING, NotificationKind.ALERT, "[DeepSeek] 监控无法读取余额：账户 team-a，连续 3 次检查失败"),
        (
            Status.FAILING,
            NotificationKind.REMINDER,
            "[DeepSeek] 监控无法读取余额（提醒）：账户 team-a，连续 3 次检查失败",
        ),
        (Status.HEALTHY, NotificationKind.RECOVERY, "[DeepSeek] 已恢复：账户 team-a 恢复正常，CNY 12.50，USD 8.00"),
    ],
)
def test_each_states_subject_in_chinese(status, kind, subject):
    assert chinese(status, kind).subject == subject


def test_a_low_balance_email_in_chinese():
    message = chinese(Status.LOW)

    assert message.body == (
        "【告警】账户 team-a：余额不足。\n"
        "\n"
        "账户：team-a\n"
        "状态：余额不足（警告），始于 2026-11-25 08:15 UTC\n"
        "检查时间：2026-11-25 08:15 UTC\n"
        "\n"
        "余额：\n"
        "  CNY        12.50   低于阈值 50.00，低于严重阈值 20.00（赠送 2.50，充值 10.00）\n"
        "                  消耗速度和可用天数尚不可知\n"
        "  USD         8.00   阈值 7.00，严重阈值 2.00\n"
        "                  消耗速度和可用天数尚不可知\n"
        "\n"
        "处理办法：\n"
        "  请尽快在 DeepSeek 平台为账户充值，以免 API 调用开始失败。\n"
        f"  {DEEPSEEK.top_up_url}\n"
    )


def test_a_spend_spike_in_chinese_gives_every_rate_with_its_currency():
    body = chinese(Status.SPEND_SPIKE).body

    assert "【告警】账户 team-a：消耗激增。" in body
    assert "每天消耗 CNY 24.12，可用 0.52 天（至 2026-11-25 08:15 UTC）" in body
    assert "消耗激增：最近一小时折合每天 CNY 480.00；过去一周这个时段每天最多 CNY 26.50，一周平均每天 CNY 24.12" in body
    assert "消耗远高于平时。请排查密钥是否泄露、是否有失控的任务；如有疑问，请在 DeepSeek 平台轮换密钥。" in body


def test_an_unavailable_account_a_rejected_key_and_a_failing_monitor_in_chinese():
    unavailable = chinese(Status.UNAVAILABLE)
    rejected = chinese(Status.KEY_REJECTED)
    failing = chinese(Status.FAILING)
    refused = chinese(Status.UNAVAILABLE, observation=Observation(CheckOutcome.INSUFFICIENT_BALANCE, error="HTTP 402"))

    assert "DeepSeek：报告该账户无法调用 API（is_available: false）" in unavailable.body
    assert unavailable.document["reason"] == "DeepSeek 报告该账户无法调用 API（is_available: false）"
    assert refused.document["reason"] == "DeepSeek 返回 HTTP 402：余额不足"
    assert rejected.document["action"] == {
        "text": "DeepSeek 拒绝了监控使用的 API 密钥，或 Secrets Manager 中没有存入密钥：监控配置有误。"
        "请在 DeepSeek 平台创建或轮换密钥，并存入 Secrets Manager 中监控所用的密钥条目"
        "（`deepseek-balance setup --stack NAME`；见 README 的 “The API key” 一节）。",
        "url": DEEPSEEK.api_keys_url,
    }
    assert "错误：DeepSeek rejected the API key (HTTP 401)" in rejected.body  # the diagnostic, as given
    assert "  未知：本次检查未能读取余额" in failing.body
    assert "失败次数：连续 3 次" in failing.body


def test_a_reminder_a_recovery_and_easing_off_the_critical_level_in_chinese():
    eased = chinese(Status.LOW, previous_status=Status.CRITICALLY_LOW)

    assert (
        chinese(Status.LOW, NotificationKind.REMINDER).document["title"] == "【提醒】账户 team-a：余额不足，仍未解决。"
    )
    assert eased.document["title"] == "【告警】账户 team-a：余额不足，已不再是严重不足。"
    recovery = chinese(Status.HEALTHY, NotificationKind.RECOVERY)
    assert recovery.document["title"] == "【已恢复】账户 team-a 已恢复正常（此前：余额不足）。"
    assert recovery.document["action"]["text"] == "无需处理：账户可以正常调用 API，各币种余额均已高于阈值。"


def test_a_test_notification_in_chinese():
    message = alert_messages.test_alert(account="team-a", sent_at=AT, provider_name="deepseek", language=CHINESE)

    assert message.subject == "[DeepSeek] 测试通知：账户 team-a"
    assert message.body == (
        "【测试】账户 team-a 的告警会发到这里。一切正常。\n"
        "\n"
        "账户：team-a\n"
        "状态：正常（提示），始于 2026-11-25 08:15 UTC\n"
        "检查时间：2026-11-25 08:15 UTC\n"
        "\n"
        "处理办法：\n"
        "  无需处理：这是用 `deepseek-balance test-alert` 发出的测试通知，用来检验各订阅能否收到告警。\n"
    )
    assert message.attributes == {
        "account": "team-a",
        "provider": "deepseek",
        "state": "healthy",
        "severity": "info",
        "kind": "test",
    }


@pytest.mark.parametrize(("status", "kind"), CASES)
def test_the_document_keeps_its_english_names_and_codes_and_says_its_language(status, kind):
    english = render_alert(
        notification(status, kind), account="team-a", thresholds=THRESHOLDS, critical_thresholds=CRITICAL
    )
    message = chinese(status, kind)

    assert list(message.document) == list(english.document)
    assert (english.document["language"], message.document["language"]) == ("en", "zh-CN")
    same = {"schema", "version", "account", "provider", "kind", "state", "previous_state", "severity", "since"}
    same |= {"checked_at", "is_available", "error", "consecutive_failures", "balances", "top_ups"}
    assert {name: message.document[name] for name in same} == {name: english.document[name] for name in same}
    assert message.attributes == english.attributes
    assert list(message.attributes) == list(MESSAGE_ATTRIBUTES)


@pytest.mark.parametrize(("status", "kind"), CASES)
def test_every_state_and_kind_in_chinese_leaves_no_english_from_the_catalogue(status, kind):
    message = chinese(status, kind)
    document = message.document
    slack = block_kit(document, snooze=True)
    chatbot = chatbot_notification(document)
    renderings = {
        "subject": message.subject,
        "email": message.body,
        "slack": json.dumps(slack, ensure_ascii=False),
        "chatbot": json.dumps(chatbot["content"], ensure_ascii=False),
    }

    # JSON's own keys and Block Kit's types are not words a reader sees: only the texts are.
    slack_texts = re.findall(r'"text": "([^"]*)"', renderings["slack"])
    renderings["slack"] = "\n".join(slack_texts)
    renderings["chatbot"] = "\n".join([chatbot["content"]["title"], chatbot["content"]["description"]])
    renderings["chatbot"] += "\n" + "\n".join(chatbot["content"]["nextSteps"])
    leftover = {name: leftover_english(text, document) for name, text in renderings.items()}
    assert {name: words for name, words in leftover.items() if words} == {}
    assert block_kit_problems(slack) == []


@pytest.mark.parametrize(("status", "kind"), [*CASES, (Status.HEALTHY, NotificationKind.TEST)])
@pytest.mark.parametrize("language", LANGUAGES)
def test_every_subject_fits_sns_in_every_language_even_for_a_long_account_name(status, kind, language):
    account = "team-" + "长" * 120 + "-x"
    if kind is NotificationKind.TEST:
        subject = alert_messages.test_alert(
            account=account, sent_at=AT, provider_name="deepseek", language=language
        ).subject
    else:
        subject = render_alert(
            notification(status, kind), account=account, thresholds=THRESHOLDS, language=language
        ).subject

    assert len(subject) < 100
    assert not has_control_characters(subject)
    assert subject.isascii() is (language == "en")
    assert subject.endswith("..." if language == "en" else "…")


def test_a_subject_never_carries_a_line_break_or_a_control_character():
    text = "账户 a\nb\rc\td\x00e\u2028f\u2029g\u200bh"

    for language in LANGUAGES:
        subject = subject_line(text, "DeepSeek", language)
        assert not has_control_characters(subject)
        assert len(subject) == len(f"[DeepSeek] {text}")
    assert subject_line(text, "DeepSeek", CHINESE) == "[DeepSeek] 账户 a b c d e f g h"
    assert subject_line(text, "DeepSeek", ENGLISH) == "[DeepSeek] ?? a b c d e f g h"


def test_a_chinese_subject_is_cut_by_characters_not_bytes():
    subject = subject_line("余额不足：" + "长" * 200, "DeepSeek", CHINESE)

    assert len(subject) == 99
    assert len(subject.encode()) > 99  # UTF-8: three bytes a character, which SNS allows
    assert subject.endswith("长…")


def test_slack_draws_a_chinese_alert_with_chinese_labels_and_snooze_buttons():
    message = slack_message(json.dumps(chinese(Status.LOW).document), snooze=True)
    blocks = message["attachments"][0]["blocks"]
    text = json.dumps(blocks, ensure_ascii=False)

    assert blocks[0]["text"]["text"] == ":warning: 余额不足：账户 team-a，CNY 12.50 < 50.00"
    assert "*状态*\\n余额不足（警告）" in text
    assert "*检查时间*\\n2026-11-25 08:15 UTC" in text
    assert "CNY 12.50  低于阈值 50.00，低于严重阈值 20.00（赠送 2.50，充值 10.00）；消耗速度和可用天数尚不可知" in text
    assert "*处理办法*" in text
    buttons = [
        element["text"]["text"] for block in blocks if block["type"] == "actions" for element in block["elements"]
    ]
    assert buttons == ["静默 24 小时", "静默到充值为止"]
    assert blocks[-1]["elements"][0]["text"] == "DeepSeek 余额监控 · 告警"


def test_aws_chatbot_gets_a_chinese_alert():
    content = chatbot_notification(chinese(Status.FAILING).document)["content"]

    assert content["title"] == ":rotating_light: 监控无法读取余额：账户 team-a，连续 3 次检查失败"
    assert content["description"].splitlines() == [
        "*状态：*监控无法读取余额（严重），始于 2026-11-25 08:15 UTC",
        "余额未知：本次检查未能读取。",
        "错误：DeepSeek answered HTTP 503",
    ]


def test_a_document_without_a_language_is_english():
    document = render_alert(notification(Status.LOW), account="team-a", thresholds=THRESHOLDS).document
    del document["language"]

    assert language_of(document) == "en"
    assert language_of({"language": "fr"}) == "en"
    assert say("fr", "state.low") == "balance low"


# The digest.
def test_the_weekly_digest_in_chinese():
    message = digest_in(CHINESE)

    assert message.subject == "[DeepSeek] 账户 team-a 周报：CNY 消耗 208.75，1 个问题"
    assert message.body == (
        "账户 team-a 周报：2026年11月16日（周一）至11月22日（周日）（UTC）。\n"
        "\n"
        "账户：team-a\n"
        "当前状态：正常\n"
        "检查：168 次，其中 1 次失败：DeepSeek answered HTTP 503（1 次）\n"
        "\n"
        "CNY 90.00（赠送 0.00，充值 90.00），读取于 2026-11-22 23:30 UTC\n"
        "  消耗：CNY 208.75，日均 CNY 29.82，单日最多 CNY 30.00（11月16日 周一）\n"
        "  每天：███████  周一至周日\n"
        "  消耗速度：消耗速度和可用天数尚不可知\n"
        "  充值：CNY 100.00，11月20日 周五 03:30\n"
        "\n"
        "问题：\n"
        "  余额不足（警告）：11月18日 周三 11:30 至 11月20日 周五 03:30，共 1 天 16 小时\n"
    )
    assert (message.document["language"], message.document["kind"], message.document["state"]) == (
        "zh-CN",
        "digest",
        "healthy",
    )


def test_the_digest_document_differs_by_language_only_in_its_texts():
    english, chinese_digest = digest_in(ENGLISH).document, digest_in(CHINESE).document

    assert list(english) == list(chinese_digest)
    texts = {"title", "subject", "language"}
    assert {k: v for k, v in english.items() if k not in texts} == {
        k: v for k, v in chinese_digest.items() if k not in texts
    }
    assert english["language"] == "en"
    assert english["subject"] == "[DeepSeek] Weekly digest for account team-a: CNY 208.75 spent, 1 problem"


def test_the_digest_in_slack_and_chatbot_in_chinese():
    document = digest_in(CHINESE).document
    message = slack_message(json.dumps(document))
    blocks = message["attachments"][0]["blocks"]
    fields = [field["text"] for field in blocks[1]["fields"]]
    description = chatbot_notification(document)["content"]["description"]

    assert block_kit_problems(message) == []
    assert fields == [
        "*账户*\nteam-a",
        "*当前状态*\n正常",
        "*周期（UTC）*\n2026年11月16日（周一）至11月22日（周日）",
        "*检查*\n168 次，其中 1 次失败：DeepSeek answered HTTP 503（1 次）",
    ]
    assert "*每天*  `███████`  周一至周日" in blocks[2]["text"]["text"]
    assert blocks[3]["text"]["text"].startswith("*问题*\n• 余额不足（警告）：")
    assert blocks[-1]["elements"][0]["text"] == "DeepSeek 余额监控 · 摘要"
    assert (
        description.splitlines()[0]
        == "*当前状态：*正常  *检查：*168 次，其中 1 次失败：DeepSeek answered HTTP 503（1 次）"
    )
    assert "• 充值：CNY 100.00，11月20日 周五 03:30" in description
    leftover = leftover_english(json.dumps(blocks, ensure_ascii=False) + description, document)
    assert leftover <= {"type", "text", "mrkdwn", "section", "header", "plain", "emoji", "true", "elements", "context"}


@pytest.mark.parametrize(
    ("days", "subject"),
    [
        (1, "[DeepSeek] 账户 team-a 日报：本期没有检查"),
        (7, "[DeepSeek] 账户 team-a 周报：本期没有检查"),
        (30, "[DeepSeek] 账户 team-a 30 天报告：本期没有检查"),
    ],
)
def test_a_digest_of_an_account_without_checks_in_chinese(days, subject):
    period = Period.days_before(datetime(2026, 11, 23, 8, tzinfo=UTC), days)

    message = render_digest(summarise("team-a", [], period, AlertState()), CHINESE)

    assert message.subject == subject
    assert "检查：本期没有" in message.body
    assert message.body.endswith("问题：本期没有\n")


def test_a_digest_across_new_year_names_both_years_in_chinese():
    period = Period.days_before(datetime(2027, 1, 3, 8, tzinfo=UTC), 7)

    title = render_digest(summarise("team-a", [], period, AlertState()), CHINESE).document["title"]

    assert title == "账户 team-a 周报：2026年12月27日（周日）至2027年1月2日（周六）（UTC）。"


# Where the language comes from: the stack's AlertLanguage, or an account's alert_language.
def test_the_stacks_language_is_a_setting_and_a_bad_one_is_a_problem_naming_the_parameter():
    from balance_monitor.settings import Settings

    environment = {"TOPIC_ARN": "arn:aws:sns:eu-west-1:123456789012:alerts", "TABLE_NAME": "history"}
    environment |= {"API_KEY_SECRET_ID": "key", "LOW_BALANCE_THRESHOLD": "10"}

    assert Settings.from_environment(environment).language == "en"
    assert Settings.from_environment(environment | {"ALERT_LANGUAGE": "zh-CN"}).language == "zh-CN"
    settings = Settings.from_environment(environment | {"ALERT_LANGUAGE": "zh"})
    assert settings.language == "en"
    assert settings.problems == ("AlertLanguage: ALERT_LANGUAGE='zh' is invalid: expected en or zh-CN",)


def test_an_accounts_alert_language_overrides_the_stacks_and_a_bad_one_makes_it_misconfigured():
    from balance_monitor.adapters.secrets import parse_accounts
    from balance_monitor.errors import ConfigurationError
    from balance_monitor.settings import Settings

    secret = {
        "chinese": {"api_key": "sk-aaaaaaaaaaaa", "alert_language": "zh-CN"},
        "english": {"api_key": "sk-bbbbbbbbbbbb", "alert_language": "en"},
        "stack": {"api_key": "sk-cccccccccccc"},
        "broken": {"api_key": "sk-dddddddddddd", "alert_language": "Chinese"},
        "broken-too": {"alert_language": "zh-CN", "low_balance_threshold": "CNY=x", "api_key": "sk-eeeeeeeeeeee"},
    }
    accounts = parse_accounts(json.dumps({"accounts": secret}))
    stack = Settings(
        "history", "arn:aws:sns:x", "key", "https://api.deepseek.com", THRESHOLDS, timedelta(1), timedelta(1)
    )

    def language(name: str) -> str:
        return stack.for_account(name, language=accounts[name].alert_language).language

    assert [language(name) for name in ("chinese", "english", "stack")] == ["zh-CN", "en", "en"]
    assert accounts["broken"].problem is not None
    assert type(accounts["broken"].problem) is ConfigurationError
    assert str(accounts["broken"].problem) == (
        "the secret's entry for 'broken': alert_language='Chinese' is invalid: expected en or zh-CN"
    )
    assert (type(accounts["broken-too"].problem), accounts["broken-too"].alert_language) == (
        ConfigurationError,
        "zh-CN",  # its misconfigured alert is in its own language
    )
