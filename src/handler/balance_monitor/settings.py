"""Settings from environment variables, parsed and validated once per container.

Every error names the variable and its value. Secrets never travel in environment
variables: the API key is read from Secrets Manager (API_KEY_SECRET_ID names it).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import timedelta
from decimal import Decimal
from typing import TypeVar
from urllib.parse import urlsplit

from balance_monitor.balance import KNOWN_CURRENCIES, Thresholds
from balance_monitor.errors import ConfigurationError
from balance_monitor.providers import DEFAULT_PROVIDER, provider
from balance_monitor.texts import DEFAULT_LANGUAGE, LANGUAGES

DEFAULT_BASE_URL = "https://api.deepseek.com"
DEFAULT_ACCOUNT = "default"
_AMOUNT = r"\d{1,12}(\.\d{1,6})?"
_NUMBER = re.compile(_AMOUNT)
_CURRENCY_ORDER = ("", *sorted(KNOWN_CURRENCIES))  # the threshold for every currency, then CNY, USD


# Balance thresholds (the warning level, and the critical level under it): an amount for every
# currency, then per currency, each at most once, in the order above; spaces around ',' and '='
# and any letter case are fine. Written once, for Python here and for CloudFormation's
# AllowedPattern (Java) alike.
_CNY = f"[Cc][Nn][Yy] *= *{_AMOUNT}"
_USD = f"[Uu][Ss][Dd] *= *{_AMOUNT}"
_THEN = " *, *"
THRESHOLDS_PATTERN = f"^ *({_AMOUNT}({_THEN}{_CNY})?({_THEN}{_USD})?|{_CNY}({_THEN}{_USD})?|{_USD}) *$"
THRESHOLDS = re.compile(THRESHOLDS_PATTERN)
_LOOPBACK_HOSTS = ("localhost", "127.0.0.1", "::1")
T = TypeVar("T")


@dataclass(frozen=True)
class Bounds:
    """The range a numeric setting must fall in."""

    least: Decimal
    most: Decimal
    whole: bool = False


# Every numeric setting, with the template parameter that sets it and its bounds; template.yaml's
# MinValue and MaxValue say the same (tested). The upper bounds keep every figure that is derived
# from a setting (a reminder's time, a record's expiry) within what Python and DynamoDB can hold.
NUMERIC_SETTINGS = {
    "REMINDER_INTERVAL_HOURS": ("ReminderIntervalHours", Bounds(Decimal(1), Decimal(720))),
    "HISTORY_RETENTION_DAYS": ("HistoryRetentionDays", Bounds(Decimal(1), Decimal(3650), whole=True)),
    "RUNWAY_ALERT_DAYS": ("RunwayAlertDays", Bounds(Decimal("0.1"), Decimal(365))),
    "SPEND_SPIKE_FACTOR": ("SpendSpikeFactor", Bounds(Decimal("1.1"), Decimal(100))),
}


# The template parameters a user sets, by the variable that carries each to the function; an
# unusable one is reported by its parameter's name, the name the user knows.
PARAMETERS = {
    "LOW_BALANCE_THRESHOLD": "LowBalanceThreshold",
    "CRITICAL_BALANCE_THRESHOLD": "CriticalBalanceThreshold",
    "DEEPSEEK_BASE_URL": "DeepSeekBaseUrl",
    "ALERT_LANGUAGE": "AlertLanguage",
    **{variable: parameter for variable, (parameter, _) in NUMERIC_SETTINGS.items()},
}


@dataclass(frozen=True)
class Settings:
    """The check's settings, from the environment (or an account's entry in the secret)."""

    table_name: str
    topic_arn: str
    api_key_secret_id: str
    deepseek_base_url: str
    thresholds: Thresholds
    reminder_interval: timedelta
    history_retention: timedelta
    runway_alert_days: Decimal = Decimal(3)
    spike_factor: Decimal = Decimal(3)
    critical_thresholds: Thresholds = field(default_factory=Thresholds)  # none by default
    account: str = DEFAULT_ACCOUNT
    provider: str = DEFAULT_PROVIDER  # the account's, a name in providers.REGISTRY
    base_url: str | None = None  # the account's own; None: its provider's (for DeepSeek, the stack's)
    language: str = DEFAULT_LANGUAGE  # what alerts and digests are written in: one of texts.LANGUAGES
    # Settings the monitor cannot use, each naming what to fix: every check is then recorded as
    # `misconfigured` and alerts, with the template's defaults standing in for the bad values.
    problems: tuple[str, ...] = ()

    @classmethod
    def from_environment(cls, environ: Mapping[str, str]) -> Settings:
        """Raises only when the topic or the table is unusable: without them no alert can say
        what is wrong. Any other bad setting is one of `problems`."""

        def required(name: str) -> str:
            value = environ.get(name, "").strip()
            if not value:
                raise ConfigurationError(f"{name} must be set")
            return value

        topic_arn = required("TOPIC_ARN")
        if not topic_arn.startswith("arn:"):
            raise invalid_setting("TOPIC_ARN", topic_arn, "expected an SNS topic ARN")
        table_name = required("TABLE_NAME")
        problems: list[str] = []

        def usable(name: str, parse: Callable[[str], T], default: str = "", *, optional: bool = False) -> T | None:
            """The setting parsed, or None (and one more problem) when it cannot be used."""
            text = environ.get(name, "")
            try:
                if not (text.strip() or default or optional):
                    raise ConfigurationError(f"{name} must be set")
                return parse(text if text.strip() else default)
            except ConfigurationError as exc:
                problems.append(f"{PARAMETERS[name]}: {exc}" if name in PARAMETERS else str(exc))
                return None

        def number(name: str, default: str) -> Decimal:
            value = usable(name, lambda text: parse_number(name, text, NUMERIC_SETTINGS[name][1]), default)
            return Decimal(default) if value is None else value

        reminder_hours = number("REMINDER_INTERVAL_HOURS", "24")
        retention_days = number("HISTORY_RETENTION_DAYS", "90")
        runway_alert_days = number("RUNWAY_ALERT_DAYS", "3")
        spike_factor = number("SPEND_SPIKE_FACTOR", "3")
        api_key_secret_id = usable("API_KEY_SECRET_ID", str.strip) or ""
        deepseek_base_url = usable("DEEPSEEK_BASE_URL", parse_base_url, DEFAULT_BASE_URL) or DEFAULT_BASE_URL
        thresholds = usable("LOW_BALANCE_THRESHOLD", parse_thresholds)
        critical_thresholds = usable("CRITICAL_BALANCE_THRESHOLD", parse_critical_thresholds, optional=True)
        language = usable("ALERT_LANGUAGE", parse_language, DEFAULT_LANGUAGE) or DEFAULT_LANGUAGE
        if thresholds is not None and critical_thresholds is not None:
            clash = levels_problem(thresholds, critical_thresholds, "LowBalanceThreshold", "CriticalBalanceThreshold")
            if clash:
                problems.append(clash)
        return cls(
            table_name=table_name,
            topic_arn=topic_arn,
            api_key_secret_id=api_key_secret_id,
            deepseek_base_url=deepseek_base_url,
            thresholds=thresholds or Thresholds(),
            critical_thresholds=critical_thresholds or Thresholds(),
            reminder_interval=timedelta(hours=float(reminder_hours)),
            history_retention=timedelta(days=int(retention_days)),
            runway_alert_days=runway_alert_days,
            spike_factor=spike_factor,
            language=language,
            problems=tuple(problems),
        )

    def for_account(
        self,
        account: str,
        *,
        thresholds: Thresholds | None = None,
        critical_thresholds: Thresholds | None = None,
        runway_alert_days: Decimal | None = None,
        provider: str = DEFAULT_PROVIDER,
        base_url: str | None = None,
        language: str | None = None,
    ) -> Settings:
        """One account's settings: the fields of its entry in the API key secret where it has
        them (None where it has not), the stack's elsewhere. Levels that clash only once combined,
        the entry's warning level under the stack's critical one say, are one more problem."""
        chosen = replace(
            self,
            account=account,
            provider=provider,
            base_url=base_url,
            thresholds=thresholds or self.thresholds,
            critical_thresholds=self.critical_thresholds if critical_thresholds is None else critical_thresholds,
            runway_alert_days=runway_alert_days or self.runway_alert_days,
            language=language or self.language,
        )
        if thresholds is None and critical_thresholds is None:
            return chosen  # the stack's levels, already judged
        clash = levels_problem(
            chosen.thresholds,
            chosen.critical_thresholds,
            "LowBalanceThreshold" if thresholds is None else "low_balance_threshold",
            "CriticalBalanceThreshold" if critical_thresholds is None else "critical_balance_threshold",
        )
        if clash is None:
            return chosen
        return replace(chosen, problems=(*self.problems, f"the secret's entry for {account!r}: {clash}"))

    @property
    def balance_base_url(self) -> str:
        """Where the account's balance is read: its own base URL, else its provider's (the
        stack's DeepSeekBaseUrl for DeepSeek)."""
        if self.base_url:
            return self.base_url
        return self.deepseek_base_url if self.provider == DEFAULT_PROVIDER else provider(self.provider).base_url


def parse_thresholds(text: str, name: str = "LOW_BALANCE_THRESHOLD") -> Thresholds:
    """`50` for every currency, `CNY=50,USD=7` per currency, or both: `10,CNY=50`, in that
    order. THRESHOLDS_PATTERN is the whole grammar; template.yaml's LowBalanceThreshold takes
    exactly the same (tested). `name` is where the text came from, for the error."""
    if not THRESHOLDS.fullmatch(text):
        raise invalid_setting(name, text, _thresholds_problem(text))
    default: Decimal | None = None
    per_currency: dict[str, Decimal] = {}
    for part in text.replace(" ", "").split(","):
        currency, _, amount = part.rpartition("=")
        if currency:
            per_currency[currency.upper()] = Decimal(amount)
        else:
            default = Decimal(amount)
    return Thresholds(default=default, per_currency=per_currency)


def parse_critical_thresholds(text: str, name: str = "CRITICAL_BALANCE_THRESHOLD") -> Thresholds:
    """The critical level: empty for none, or thresholds in parse_thresholds' grammar.
    template.yaml's CriticalBalanceThreshold takes exactly the same (tested)."""
    return Thresholds() if text == "" else parse_thresholds(text, name)


def levels_problem(warning: Thresholds, critical: Thresholds, warning_name: str, critical_name: str) -> str | None:
    """What is wrong with a critical level beside the warning level, in a user's terms, or None.
    In every currency the critical level must lie under the warning level: `low` is the warning
    that comes first, `critically_low` the state below it. The names say where each was set."""
    for currency in sorted(KNOWN_CURRENCIES):
        critical_amount = critical.for_currency(currency)
        warning_amount = warning.for_currency(currency)
        if critical_amount is None:
            continue
        if warning_amount is None:
            return (
                f"{critical_name} sets {critical_amount} for {currency} but {warning_name} sets no threshold for "
                f"{currency}; a critical level needs a warning level above it"
            )
        if critical_amount >= warning_amount:
            return (
                f"{critical_name} sets {critical_amount} for {currency}, not below {warning_name}'s "
                f"{warning_amount}; the critical level must be the lower one"
            )
    return None


def _thresholds_problem(text: str) -> str:
    """What is wrong with thresholds the grammar refuses, in a user's terms."""
    seen: list[str] = []
    for part in text.replace(" ", "").split(","):
        currency, equals, amount = part.rpartition("=")
        currency = currency.upper()
        if not _NUMBER.fullmatch(amount):
            return f"{part!r} is not a non-negative number (at most 12 digits and 6 decimals)"
        if equals and not currency:
            return f"{part!r} names no currency"
        if currency and currency not in _CURRENCY_ORDER:
            return f"unknown currency {currency!r}"
        if currency in seen:
            return f"{currency} is given twice" if currency else "give at most one threshold for every currency"
        seen.append(currency)
    # Each part is well formed and none repeats, so the order is what the grammar refused.
    return "give the threshold for every currency first, then CNY, then USD"


def is_secure_url(url: str) -> bool:
    """https, or plain http to this machine only (a simulator): credentials travel on it."""
    parts = urlsplit(url.strip())
    return bool(parts.hostname) and (
        parts.scheme == "https" or (parts.scheme == "http" and parts.hostname in _LOOPBACK_HOSTS)
    )


def parse_language(text: str, name: str = "ALERT_LANGUAGE") -> str:
    """`en` or `zh-CN`, exactly as template.yaml's AlertLanguage allows them (tested)."""
    if text.strip() not in LANGUAGES:
        raise invalid_setting(name, text, f"expected {' or '.join(LANGUAGES)}")
    return text.strip()


def parse_base_url(url: str, name: str = "DEEPSEEK_BASE_URL") -> str:
    parts = urlsplit(url.strip())
    shown = _without_credentials(url)  # an error never repeats a password or token the URL holds
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise invalid_setting(name, shown, "expected an http(s) URL")
    if not is_secure_url(url):
        raise invalid_setting(name, shown, "use https (http only for localhost)")
    if parts.query or parts.fragment or parts.username or parts.password:
        raise invalid_setting(name, shown, "no user, password, query or fragment allowed")
    return url.strip().rstrip("/")


def _without_credentials(url: str) -> str:
    parts = urlsplit(url.strip())
    host = parts.netloc.rpartition("@")[2]
    return f"{parts.scheme}://{host}{parts.path}" if parts.scheme or host else parts.path


def parse_number(name: str, text: str, bounds: Bounds) -> Decimal:
    value = text.strip()
    if (
        not _NUMBER.fullmatch(value)
        or (bounds.whole and "." in value)
        or not bounds.least <= Decimal(value) <= bounds.most
    ):
        kind = "a whole number" if bounds.whole else "a number"
        raise invalid_setting(name, text, f"expected {kind} from {bounds.least} to {bounds.most}")
    return Decimal(value)


def invalid_setting(name: str, value: str, reason: str) -> ConfigurationError:
    return ConfigurationError(f"{name}={value!r} is invalid: {reason}")
