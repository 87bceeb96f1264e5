"""Stand-ins on 127.0.0.1 for every registered provider, in the shapes their documentation
gives (each providers/ module's docstring), with DeepSeek's accounts, wallets and faults on cue
(sandbox/balance_simulator.py). `simulator.base_url + provider(name).path` is the balance URL.

Each serves one currency, the provider's own: an account's wallet in it is the balance, and
`is_available` is DeepSeek's alone (the others show an account that cannot serve with 402).

JSON numbers are written from floats, as json does: exact for amounts of up to 15 digits.
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from sandbox.balance_simulator import BalanceSimulator, SimulatedAccount
from sandbox.deepseek_simulator import DeepSeekSimulator


def _text(amount: Decimal) -> str:
    return format(amount, "f")  # never an exponent


class MoonshotSimulator(BalanceSimulator):
    """available = granted + topped up, voucher = granted, cash = topped up; JSON numbers."""

    path = "/v1/users/me/balance"
    currency = "CNY"

    def balance_document(self, account: SimulatedAccount | None = None) -> dict[str, Any]:
        wallet = self.wallet(account or self.primary)
        data = {
            "available_balance": float(wallet.total),
            "voucher_balance": float(wallet.granted),
            "cash_balance": float(wallet.topped_up),
        }
        return {"code": 0, "data": data, "scode": "0x0", "status": True}

    def rejection(self, authorization: str) -> bytes:
        error = {"message": "Invalid Authentication", "type": "invalid_authentication_error"}
        return json.dumps({"error": error}).encode()


class MoonshotGlobalSimulator(MoonshotSimulator):
    currency = "USD"


class SiliconFlowSimulator(BalanceSimulator):
    """balance = granted, chargeBalance = topped up, totalBalance = both; strings."""

    path = "/v1/user/info"
    currency = "CNY"

    def balance_document(self, account: SimulatedAccount | None = None) -> dict[str, Any]:
        wallet = self.wallet(account or self.primary)
        data = {
            "id": "userid-sandbox",
            "name": "sandbox",
            "image": "",
            "email": "sandbox@example.com",
            "isAdmin": False,
            "balance": _text(wallet.granted),
            "status": "normal",
            "introduction": "",
            "role": "",
            "chargeBalance": _text(wallet.topped_up),
            "totalBalance": _text(wallet.total),
        }
        return {"code": 20000, "message": "OK", "status": True, "data": data}

    def rejection(self, authorization: str) -> bytes:
        return b'"Invalid token"'


class _OpenRouterSimulator(BalanceSimulator):
    """Served under /api, as openrouter.ai serves it: the base URL includes it."""

    currency = "USD"

    @property
    def base_url(self) -> str:
        return f"{super().base_url}/api"

    def rejection(self, authorization: str) -> bytes:
        return json.dumps({"error": {"code": 401, "message": "User not found."}}).encode()


class OpenRouterCreditsSimulator(_OpenRouterSimulator):
    """Credits bought = what is left + what was spent; usage = what was spent. JSON numbers."""

    path = "/api/v1/credits"

    def balance_document(self, account: SimulatedAccount | None = None) -> dict[str, Any]:
        wallet = self.wallet(account or self.primary)
        return {"data": {"total_credits": float(wallet.total + wallet.spent), "total_usage": float(wallet.spent)}}


class OpenRouterKeySimulator(_OpenRouterSimulator):
    """The key's limit = what is left + what was spent; `key_has_limit = False` for a key
    without one (limit and limit_remaining null)."""

    path = "/api/v1/key"

    def __init__(self, api_key: str, *, latency_seconds: float = 0.0) -> None:
        super().__init__(api_key, latency_seconds=latency_seconds)
        self.key_has_limit = True

    def balance_document(self, account: SimulatedAccount | None = None) -> dict[str, Any]:
        wallet = self.wallet(account or self.primary)
        spent = float(wallet.spent)
        data = {
            "label": "sk-or-v1-san...box",
            "limit": float(wallet.total + wallet.spent) if self.key_has_limit else None,
            "limit_remaining": float(wallet.total) if self.key_has_limit else None,
            "limit_reset": None,
            "usage": spent,
            "usage_daily": spent,
            "usage_weekly": spent,
            "usage_monthly": spent,
            "is_free_tier": False,
            "expires_at": None,
        }
        return {"data": data}


class NovitaSimulator(BalanceSimulator):
    """availableBalance = granted + topped up, cashBalance = topped up: strings of 1/10,000 USD."""

    path = "/openapi/v1/billing/balance/detail"
    currency = "USD"

    def balance_document(self, account: SimulatedAccount | None = None) -> dict[str, Any]:
        wallet = self.wallet(account or self.primary)
        return {
            "availableBalance": _units(wallet.total),
            "cashBalance": _units(wallet.topped_up),
            "creditLimit": "0",
            "pendingCharges": "0",
            "outstandingInvoices": "0",
        }

    def rejection(self, authorization: str) -> bytes:
        return json.dumps({"code": 401, "reason": "INVALID_API_KEY", "message": "invalid api key"}).encode()


def _units(usd: Decimal) -> str:
    return _text(usd.scaleb(4).normalize())  # "12.3456" -> "123456", exactly


# Provider name, as providers.REGISTRY has it -> its stand-in.
SIMULATORS: dict[str, type[BalanceSimulator]] = {
    "deepseek": DeepSeekSimulator,
    "moonshot": MoonshotSimulator,
    "moonshot-global": MoonshotGlobalSimulator,
    "siliconflow": SiliconFlowSimulator,
    "openrouter": OpenRouterCreditsSimulator,
    "openrouter-key": OpenRouterKeySimulator,
    "novita": NovitaSimulator,
}
