"""What alerts and digests say, in each language they are written in: one catalogue, English and
Simplified Chinese side by side, keyed by message id. Pure: the renderers (alert_messages.py,
chat_messages.py, digest.py, digest_chat.py) ask for a text by id and fill it in; none of them
holds a sentence of its own.

A text is a `str.format` template. A language may leave a value unused (English names no
currency beside a burn rate, Chinese does). A date or time given as a value brings its weekday
in the language as `{name_weekday}`, since `%a` is English whatever the locale.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

ENGLISH, CHINESE = "en", "zh-CN"
LANGUAGES = (ENGLISH, CHINESE)  # AlertLanguage's AllowedValues, and the secret's alert_language (tested)
DEFAULT_LANGUAGE = ENGLISH
_WEEKDAYS = {CHINESE: ("周一", "周二", "周三", "周四", "周五", "周六", "周日")}

CATALOGUE: dict[str, dict[str, str]] = {
    # The states, as a title says them.
    "state.healthy": {ENGLISH: "healthy", CHINESE: "正常"},
    "state.low": {ENGLISH: "balance low", CHINESE: "余额不足"},
    "state.critically_low": {ENGLISH: "balance critically low", CHINESE: "余额严重不足"},
    "state.runway_short": {ENGLISH: "runway short", CHINESE: "可用天数不足"},
    "state.spend_spike": {ENGLISH: "spend spike", CHINESE: "消耗激增"},
    "state.unavailable": {ENGLISH: "account unavailable", CHINESE: "账户不可用"},
    "state.key_rejected": {ENGLISH: "API key rejected", CHINESE: "API 密钥被拒绝"},
    "state.misconfigured": {ENGLISH: "monitor misconfigured", CHINESE: "监控配置有误"},
    "state.failing": {ENGLISH: "monitor failing", CHINESE: "监控无法读取余额"},
    "severity.info": {ENGLISH: "info", CHINESE: "提示"},
    "severity.warning": {ENGLISH: "warning", CHINESE: "警告"},
    "severity.critical": {ENGLISH: "critical", CHINESE: "严重"},
    "kind.alert": {ENGLISH: "alert", CHINESE: "告警"},
    "kind.reminder": {ENGLISH: "reminder", CHINESE: "提醒"},
    "kind.recovery": {ENGLISH: "recovery", CHINESE: "已恢复"},
    "kind.test": {ENGLISH: "test", CHINESE: "测试"},
    "kind.digest": {ENGLISH: "digest", CHINESE: "摘要"},
    "list": {ENGLISH: ", ", CHINESE: "，"},
    "colon": {ENGLISH: ":", CHINESE: "："},
    # An alert's first line (its title).
    "headline.recovery": {
        ENGLISH: "RESOLVED: account {account} is healthy again (was {previous}).",
        CHINESE: "【已恢复】账户 {account} 已恢复正常（此前：{previous}）。",
    },
    "headline.reminder": {
        ENGLISH: "REMINDER: {title} for account {account}, still unresolved.",
        CHINESE: "【提醒】账户 {account}：{title}，仍未解决。",
    },
    "headline.eased": {
        ENGLISH: "ALERT: {title} for account {account}, no longer critically low.",
        CHINESE: "【告警】账户 {account}：{title}，已不再是严重不足。",
    },
    "headline.alert": {ENGLISH: "ALERT: {title} for account {account}.", CHINESE: "【告警】账户 {account}：{title}。"},
    "headline.test": {
        ENGLISH: "TEST: alerts for account {account} reach you here. Nothing is wrong.",
        CHINESE: "【测试】账户 {account} 的告警会发到这里。一切正常。",
    },
    # Subjects (after the provider's tag), and what they add.
    "subject.recovery": {ENGLISH: "Resolved: account {account} is healthy", CHINESE: "已恢复：账户 {account} 恢复正常"},
    "subject.alert": {ENGLISH: "{Title} for account {account}", CHINESE: "{title}：账户 {account}"},
    "subject.reminder": {
        ENGLISH: "Reminder: {title} for account {account}",
        CHINESE: "{title}（提醒）：账户 {account}",
    },
    "subject.test": {ENGLISH: "Test notification for account {account}", CHINESE: "测试通知：账户 {account}"},
    "subject.details": {ENGLISH: ": {details}", CHINESE: "，{details}"},
    "subject.totals": {ENGLISH: ", {totals}", CHINESE: "，{totals}"},
    "subject.runway": {ENGLISH: "{currency} {days} days left", CHINESE: "{currency} 剩余 {days} 天"},
    "subject.spike": {ENGLISH: "{currency} {rate}/day", CHINESE: "{currency} 每天 {rate}"},
    "subject.failing": {ENGLISH: "{count} checks failed", CHINESE: "连续 {count} 次检查失败"},
    # What the provider said.
    "reason.402": {
        ENGLISH: "{label} answered 402 Insufficient Balance",
        CHINESE: "{label} 返回 HTTP 402：余额不足",
    },
    "reason.unavailable": {ENGLISH: "{label} {reason}", CHINESE: "{label} {reason}"},
    # Each provider's reason in Chinese (English's is the provider module's `unavailable_reason`);
    # one that is not here says the generic one.
    "reason.unavailable.generic": {ENGLISH: "{reason}", CHINESE: "报告该账户无法调用 API"},
    "reason.unavailable.deepseek": {ENGLISH: "{reason}", CHINESE: "报告该账户无法调用 API（is_available: false）"},
    "reason.unavailable.moonshot": {ENGLISH: "{reason}", CHINESE: "报告可用余额已不大于零，因此拒绝 API 调用"},
    "reason.unavailable.moonshot-global": {ENGLISH: "{reason}", CHINESE: "报告可用余额已不大于零，因此拒绝 API 调用"},
    "reason.unavailable.openrouter-key": {
        ENGLISH: "{reason}",
        CHINESE: "报告该密钥的额度已用完（limit_remaining 不大于零）",
    },
    # What to do.
    "action.recovery": {
        ENGLISH: "Nothing: the account can serve API calls and every balance is above its threshold.",
        CHINESE: "无需处理：账户可以正常调用 API，各币种余额均已高于阈值。",
    },
    "action.key_rejected": {
        ENGLISH: "{label} rejected the monitor's API key, or the secret holds none: the monitor is misconfigured. "
        "Create or rotate a key on {label}'s platform and put it in the monitor's secret "
        "(`deepseek-balance setup --stack NAME`; README, 'The API key').",
        CHINESE: "{label} 拒绝了监控使用的 API 密钥，或 Secrets Manager 中没有存入密钥：监控配置有误。"
        "请在 {label} 平台创建或轮换密钥，并存入 Secrets Manager 中监控所用的密钥条目"
        "（`deepseek-balance setup --stack NAME`；见 README 的 “The API key” 一节）。",
    },
    "action.misconfigured": {
        ENGLISH: "The monitor cannot use its configuration, so it did not read the balance. Fix what the error "
        "above names: a stack parameter (sam deploy --parameter-overrides Name=value), or a field of the "
        "API key secret (docs/many-accounts.md). The first check after the fix says it is resolved.",
        CHINESE: "监控无法使用当前配置，因此没有读取余额。请修正上面错误信息指出的项："
        "堆栈参数（sam deploy --parameter-overrides Name=value），或 Secrets Manager 中账户条目的字段"
        "（docs/many-accounts.md）。修正后的第一次检查会发出已恢复通知。",
    },
    "action.spend_spike": {
        ENGLISH: "Spend jumped far above its usual rate. Check for a leaked key or a runaway job; "
        "rotate the key on {label}'s platform if in doubt.",
        CHINESE: "消耗远高于平时。请排查密钥是否泄露、是否有失控的任务；如有疑问，请在 {label} 平台轮换密钥。",
    },
    "action.failing": {
        ENGLISH: "The monitor cannot read the balance, so it cannot warn you of a low one. "
        "Check the error above, {label}'s status page and the function's logs.",
        CHINESE: "监控读取不到余额，也就无法在余额不足时提醒你。请查看上面的错误信息、{label} 的状态页和函数日志。",
    },
    "action.top_up": {
        ENGLISH: "Top up the account on {label}'s platform before API calls start failing.",
        CHINESE: "请尽快在 {label} 平台为账户充值，以免 API 调用开始失败。",
    },
    "action.test": {
        ENGLISH: "Nothing: this was sent with `deepseek-balance test-alert` to try the subscriptions.",
        CHINESE: "无需处理：这是用 `deepseek-balance test-alert` 发出的测试通知，用来检验各订阅能否收到告警。",
    },
    # The alert's email.
    "email.account": {ENGLISH: "Account:   {account}", CHINESE: "账户：{account}"},
    "email.state": {
        ENGLISH: "State:     {state} ({severity}), since {since}",
        CHINESE: "状态：{state_title}（{severity_title}），始于 {since}",
    },
    "email.checked": {ENGLISH: "Checked:   {checked}", CHINESE: "检查时间：{checked}"},
    "email.reason": {ENGLISH: "{label:<10} {reason}", CHINESE: "{label}{reason}"},
    "email.error": {ENGLISH: "Error:     {error}", CHINESE: "错误：{error}"},
    "email.failures": {ENGLISH: "Failures:  {count} checks in a row", CHINESE: "失败次数：连续 {count} 次"},
    "email.balances": {ENGLISH: "Balances:", CHINESE: "余额："},
    "email.balance_unknown": {
        ENGLISH: "  unknown: this check could not read the balance",
        CHINESE: "  未知：本次检查未能读取余额",
    },
    "email.top_up": {ENGLISH: "  Topped up: {currency} {amount}", CHINESE: "  已充值：{currency} {amount}"},
    "email.what_to_do": {ENGLISH: "What to do:", CHINESE: "处理办法："},
    # A balance, beside its levels, and what it is spending.
    "balance.unknown": {ENGLISH: "unknown", CHINESE: "未知"},
    "balance.no_threshold": {ENGLISH: "no threshold", CHINESE: "未设阈值"},
    "balance.below_threshold": {ENGLISH: "BELOW threshold {amount}", CHINESE: "低于阈值 {amount}"},
    "balance.threshold": {ENGLISH: "threshold {amount}", CHINESE: "阈值 {amount}"},
    "balance.below_critical": {ENGLISH: ", BELOW critical {amount}", CHINESE: "，低于严重阈值 {amount}"},
    "balance.critical": {ENGLISH: ", critical {amount}", CHINESE: "，严重阈值 {amount}"},
    "balance.granted": {ENGLISH: "granted {amount}", CHINESE: "赠送 {amount}"},
    "balance.topped_up": {ENGLISH: "topped up {amount}", CHINESE: "充值 {amount}"},
    "balance.parts": {ENGLISH: "  ({parts})", CHINESE: "（{parts}）"},
    "balance.notes": {ENGLISH: "; {note}", CHINESE: "；{note}"},
    "spend.unknown": {ENGLISH: "burn rate and runway not yet known", CHINESE: "消耗速度和可用天数尚不可知"},
    "spend.burning": {ENGLISH: "burning {rate}/day", CHINESE: "每天消耗 {currency} {rate}"},
    "spend.runway": {
        ENGLISH: ", runway {days} days (until {until})",
        CHINESE: "，可用 {days} 天（至 {until}）",
    },
    "spend.runway_long": {ENGLISH: ", runway over {years} years", CHINESE: "，可用 {years} 年以上"},
    "spend.spike": {
        ENGLISH: "spend spike: {recent}/day over the last hour; this time of day spent at most {expected}/day "
        "in the past week, and the week averaged {usual}/day",
        CHINESE: "消耗激增：最近一小时折合每天 {currency} {recent}；过去一周这个时段每天最多 {currency} {expected}，"
        "一周平均每天 {currency} {usual}",
    },
    # Chat (Slack Block Kit, AWS Chatbot).
    "chat.account": {ENGLISH: "Account", CHINESE: "账户"},
    "chat.state": {ENGLISH: "State", CHINESE: "状态"},
    "chat.state_value": {ENGLISH: "{state} ({severity})", CHINESE: "{state_title}（{severity_title}）"},
    "chat.since": {ENGLISH: "Since", CHINESE: "始于"},
    "chat.checked": {ENGLISH: "Checked", CHINESE: "检查时间"},
    "chat.balances": {ENGLISH: "Balances", CHINESE: "余额"},
    "chat.provider_said": {ENGLISH: "What {label} said", CHINESE: "{label} 的答复"},
    "chat.what_to_do": {ENGLISH: "What to do", CHINESE: "处理办法"},
    "chat.error": {ENGLISH: "Error: {error}", CHINESE: "错误：{error}"},
    "chat.footer": {ENGLISH: "DeepSeek balance monitor · {kind}", CHINESE: "DeepSeek 余额监控 · {kind_title}"},
    "chat.snooze_24h": {ENGLISH: "Snooze 24 h", CHINESE: "静默 24 小时"},
    "chat.snooze_until_top_up": {ENGLISH: "Snooze until top-up", CHINESE: "静默到充值为止"},
    "chatbot.state": {
        ENGLISH: "*State:* {state} ({severity}) since {since}",
        CHINESE: "*状态：*{state_title}（{severity_title}），始于 {since}",
    },
    "chatbot.balance_unknown": {
        ENGLISH: "Balance unknown: this check could not read it.",
        CHINESE: "余额未知：本次检查未能读取。",
    },
    # Chat and push services through Apprise (channel_messages.py): a label, then its value.
    "channel.account": {ENGLISH: "Account: ", CHINESE: "账户："},
    "channel.state": {ENGLISH: "  State: ", CHINESE: "  状态："},
    "channel.state_value": {
        ENGLISH: "{state} ({severity}) since {since}",
        CHINESE: "{state_title}（{severity_title}），始于 {since}",
    },
    "channel.checked": {ENGLISH: "Checked: ", CHINESE: "检查时间："},
    "channel.provider_said": {ENGLISH: "{label} said: ", CHINESE: "{label} 的答复："},
    "channel.error": {ENGLISH: "Error: ", CHINESE: "错误："},
    "channel.what_to_do": {ENGLISH: "What to do: ", CHINESE: "处理办法："},
    # The digest.
    "digest.label.1": {ENGLISH: "Daily digest", CHINESE: "日报"},
    "digest.label.7": {ENGLISH: "Weekly digest", CHINESE: "周报"},
    "digest.label.days": {ENGLISH: "{days}-day digest", CHINESE: "{days} 天报告"},
    "digest.title": {
        ENGLISH: "{label} for account {account}, {dates} (UTC).",
        CHINESE: "账户 {account} {label}：{dates}（UTC）。",
    },
    "digest.subject": {ENGLISH: "{label} for account {account}: ", CHINESE: "账户 {account} {label}："},
    "digest.subject.no_checks": {ENGLISH: "no checks in this period", CHINESE: "本期没有检查"},
    "digest.subject.spent": {ENGLISH: "{currency} {amount} spent", CHINESE: "{currency} 消耗 {amount}"},
    "digest.subject.problems.one": {ENGLISH: "{count} problem", CHINESE: "{count} 个问题"},
    "digest.subject.problems.many": {ENGLISH: "{count} problems", CHINESE: "{count} 个问题"},
    "digest.account": {ENGLISH: "Account:   {account}", CHINESE: "账户：{account}"},
    "digest.state": {ENGLISH: "State:     {state} now", CHINESE: "当前状态：{state_title}"},
    "digest.checks": {ENGLISH: "Checks:    {checks}", CHINESE: "检查：{checks}"},
    "digest.problems": {ENGLISH: "Problems:", CHINESE: "问题："},
    "digest.none": {ENGLISH: "none in this period", CHINESE: "本期没有"},
    "digest.problems.none": {ENGLISH: "  none in this period", CHINESE: "本期没有"},
    "digest.line": {ENGLISH: "  {label:<9} {text}", CHINESE: "  {label}：{text}"},
    "digest.checks.count": {ENGLISH: "{count:,}", CHINESE: "{count:,} 次"},
    "digest.checks.failed": {ENGLISH: ", {failed:,} failed: {reasons}", CHINESE: "，其中 {failed:,} 次失败：{reasons}"},
    "digest.checks.reason": {ENGLISH: "{error} ({checks})", CHINESE: "{error}（{checks}）"},
    "digest.checks.one": {ENGLISH: "{count:,} check", CHINESE: "{count:,} 次"},
    "digest.checks.many": {ENGLISH: "{count:,} checks", CHINESE: "{count:,} 次"},
    "digest.currency.unknown": {ENGLISH: "{currency}: balance unknown", CHINESE: "{currency}：余额未知"},
    "digest.currency": {
        ENGLISH: "{currency} {total}{details} at {read_at}",
        CHINESE: "{currency} {total}{details}，读取于 {read_at}",
    },
    "digest.currency.details": {ENGLISH: " ({parts})", CHINESE: "（{parts}）"},
    "digest.spent": {ENGLISH: "spent", CHINESE: "消耗"},
    "digest.each_day": {ENGLISH: "each day", CHINESE: "每天"},
    "digest.burning": {ENGLISH: "burning", CHINESE: "消耗速度"},
    "digest.top_up": {ENGLISH: "top-up", CHINESE: "充值"},
    "digest.expired": {ENGLISH: "expired", CHINESE: "过期"},
    "digest.spent.unknown": {
        ENGLISH: "unknown: no check read the {currency} balance in this period",
        CHINESE: "未知：本期没有检查读到 {currency} 余额",
    },
    "digest.spent.amount": {ENGLISH: "{amount}", CHINESE: "{currency} {amount}"},
    "digest.spent.average": {ENGLISH: ", {rate} a day on average", CHINESE: "，日均 {currency} {rate}"},
    "digest.spent.peak": {ENGLISH: ", at most {amount} ({day})", CHINESE: "，单日最多 {currency} {amount}（{day}）"},
    "digest.burn": {ENGLISH: "{rate}/day", CHINESE: "每天 {currency} {rate}"},
    "digest.top_up.line": {ENGLISH: "{amount} on {moment}", CHINESE: "{currency} {amount}，{moment}"},
    "digest.expired.line": {
        ENGLISH: "{amount} of granted credit, on {moment}",
        CHINESE: "赠送余额 {currency} {amount}，{moment}",
    },
    "digest.problem": {
        ENGLISH: "{title} ({severity}): {when}, {duration}",
        CHINESE: "{title}（{severity}）：{when}，共 {duration}",
    },
    "digest.problem.before_until": {
        ENGLISH: "already at the start, until {ended}",
        CHINESE: "本期开始时已存在，持续到 {ended}",
    },
    "digest.problem.before_lasting": {
        ENGLISH: "already at the start and still at the end",
        CHINESE: "本期开始时已存在，期末仍未解决",
    },
    "digest.problem.lasting": {ENGLISH: "since {began}, still at the end", CHINESE: "自 {began} 起，期末仍未解决"},
    "digest.problem.between": {ENGLISH: "{began} to {ended}", CHINESE: "{began} 至 {ended}"},
    "duration.day.one": {ENGLISH: "{count} day", CHINESE: "{count} 天"},
    "duration.day.many": {ENGLISH: "{count} days", CHINESE: "{count} 天"},
    "duration.hour.one": {ENGLISH: "{count} hour", CHINESE: "{count} 小时"},
    "duration.hour.many": {ENGLISH: "{count} hours", CHINESE: "{count} 小时"},
    "duration.minute.one": {ENGLISH: "{count} minute", CHINESE: "{count} 分钟"},
    "duration.minute.many": {ENGLISH: "{count} minutes", CHINESE: "{count} 分钟"},
    "duration.short": {ENGLISH: "under a minute", CHINESE: "不到 1 分钟"},
    "digest.chat.state_now": {ENGLISH: "State now", CHINESE: "当前状态"},
    "digest.chat.period": {ENGLISH: "Period (UTC)", CHINESE: "周期（UTC）"},
    "digest.chat.checks": {ENGLISH: "Checks", CHINESE: "检查"},
    "digest.chat.problems": {ENGLISH: "Problems", CHINESE: "问题"},
    "digest.chatbot.summary": {
        ENGLISH: "*State now:* {state}  *Checks:* {checks}",
        CHINESE: "*当前状态：*{state_title}  *检查：*{checks}",
    },
    "digest.chatbot.line": {ENGLISH: "• {label}: {text}", CHINESE: "• {label}：{text}"},
    "digest.chatbot.problems": {ENGLISH: "*Problems:* ", CHINESE: "*问题：*"},
    # Days and times (UTC) in a digest.
    "date.day": {ENGLISH: "{day:%a %d %b %Y}", CHINESE: "{day.year}年{day.month}月{day.day}日（{day_weekday}）"},
    "date.range": {
        ENGLISH: "{first:%a %d %b} to {last:%a %d %b %Y}",
        CHINESE: "{first.year}年{first.month}月{first.day}日（{first_weekday}）"
        "至{last.month}月{last.day}日（{last_weekday}）",
    },
    "date.range.years": {
        ENGLISH: "{first:%a %d %b} to {last:%a %d %b %Y}",
        CHINESE: "{first.year}年{first.month}月{first.day}日（{first_weekday}）"
        "至{last.year}年{last.month}月{last.day}日（{last_weekday}）",
    },
    "date.weekday": {ENGLISH: "{day:%a}", CHINESE: "{day_weekday}"},
    "date.weekdays": {ENGLISH: "{first:%a} to {last:%a}", CHINESE: "{first_weekday}至{last_weekday}"},
    "date.dates": {
        ENGLISH: "{first:%d %b} to {last:%d %b}",
        CHINESE: "{first.month}月{first.day}日至{last.month}月{last.day}日",
    },
    "date.short": {ENGLISH: "{day:%a %d %b}", CHINESE: "{day.month}月{day.day}日 {day_weekday}"},
    "date.moment": {
        ENGLISH: "{moment:%a %d %b %H:%M}",
        CHINESE: "{moment.month}月{moment.day}日 {moment_weekday} {moment:%H:%M}",
    },
}


def say(language: str, key: str, /, **values: Any) -> str:
    """The text `key` in `language` (English for a language the catalogue lacks), filled in."""
    texts = CATALOGUE[key]
    weekdays = _WEEKDAYS.get(language)
    if weekdays:
        values |= {
            f"{name}_weekday": weekdays[value.weekday()] for name, value in values.items() if isinstance(value, date)
        }
    return texts.get(language, texts[DEFAULT_LANGUAGE]).format(**values)


def say_count(language: str, key: str, count: int, /) -> str:
    """`key.one` or `key.many`, by `count`."""
    return say(language, f"{key}.{'one' if count == 1 else 'many'}", count=count)


def language_of(document: Mapping[str, Any]) -> str:
    """The language a document is written in; English for one from before the field existed."""
    language = document.get("language")
    return language if language in LANGUAGES else DEFAULT_LANGUAGE
