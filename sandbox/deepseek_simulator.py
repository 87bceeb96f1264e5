"""A DeepSeek stand-in on 127.0.0.1: `GET /user/balance` in both documented shapes, and
every misbehaviour the monitor must survive, on cue."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sandbox.loopback_http import LoopbackServer, Reply, SeenRequest

LIVE_SHAPE = "live"  # what api.deepseek.com returns: strings, granted / topped-up / total
SPEC_SHAPE = "spec"  # the OpenAPI specification: {"type", "amount" (a number), "currency"}


@dataclass
class Wallet:
    granted: Decimal = Decimal("0.00")
    topped_up: Decimal = Decimal("0.00")

    @property
    def total(self) -> Decimal:
        return self.granted + self.topped_up


@dataclass
class SimulatedAccount:
    """One DeepSeek account: its wallets per currency, and whether it can serve API calls."""

    wallets: dict[str, Wallet] = field(default_factory=lambda: {"CNY": Wallet(Decimal("10.00"), Decimal("100.00"))})
    is_available: bool = True

    def set_balance(self, currency: str, *, granted: str = "0.00", topped_up: str = "0.00") -> None:
        self.wallets[currency] = Wallet(Decimal(granted), Decimal(topped_up))

    def spend(self, currency: str, amount: str) -> None:
        """Spend granted credit first, as DeepSeek does."""
        wallet, left = self.wallets[currency], Decimal(amount)
        from_granted = min(wallet.granted, left)
        wallet.granted -= from_granted
        wallet.topped_up = max(Decimal("0.00"), wallet.topped_up - (left - from_granted))

    def top_up(self, currency: str, amount: str) -> None:
        self.wallets.setdefault(currency, Wallet()).topped_up += Decimal(amount)


class DeepSeekSimulator(LoopbackServer):
    """Accounts by API key; the first one's wallets are reached through the simulator itself."""

    def __init__(self, api_key: str, *, shape: str = LIVE_SHAPE, latency_seconds: float = 0.0) -> None:
        super().__init__()
        self._api_key = api_key
        self.accounts: dict[str, SimulatedAccount] = {api_key: SimulatedAccount()}
        self.shape = shape
        self.latency_seconds = latency_seconds  # before every balance answer, like a real network
        self._served = 0

    def __enter__(self) -> DeepSeekSimulator:
        super().__enter__()
        return self

    @property
    def api_key(self) -> str:
        return self._api_key

    @api_key.setter
    def api_key(self, key: str) -> None:
        """The key is rotated: the old one stops working."""
        self.accounts[key] = self.accounts.pop(self._api_key)
        self._api_key = key

    def add_account(self, api_key: str) -> SimulatedAccount:
        return self.accounts.setdefault(api_key, SimulatedAccount())

    @property
    def primary(self) -> SimulatedAccount:
        return self.accounts[self._api_key]

    @property
    def wallets(self) -> dict[str, Wallet]:
        return self.primary.wallets

    @property
    def is_available(self) -> bool:
        return self.primary.is_available

    @is_available.setter
    def is_available(self, available: bool) -> None:
        self.primary.is_available = available

    def set_balance(self, currency: str, *, granted: str = "0.00", topped_up: str = "0.00") -> None:
        self.primary.set_balance(currency, granted=granted, topped_up=topped_up)

    def spend(self, currency: str, amount: str) -> None:
        self.primary.spend(currency, amount)

    def top_up(self, currency: str, amount: str) -> None:
        self.primary.top_up(currency, amount)

    def balance_document(self, account: SimulatedAccount | None = None) -> dict[str, Any]:
        account = account or self.primary
        entries = [self._entry(currency, wallet) for currency, wallet in account.wallets.items()]
        with self._lock:
            self._served += 1
            if self._served % 2 == 0:
                entries.reverse()  # the live service does not keep the order of currencies
        return {"is_available": account.is_available, "balance_infos": entries}

    def _entry(self, currency: str, wallet: Wallet) -> dict[str, Any]:
        if self.shape == SPEC_SHAPE:
            # The specification types `amount` as a JSON number; json writes numbers from floats.
            return {"type": "credits", "amount": float(wallet.total), "currency": currency}
        return {
            "currency": currency,
            "total_balance": f"{wallet.total:.2f}",
            "granted_balance": f"{wallet.granted:.2f}",
            "topped_up_balance": f"{wallet.topped_up:.2f}",
        }

    def answer(self, request: SeenRequest) -> Reply:
        if request.path != "/user/balance":
            return Reply(404, b'{"error": {"message": "Not Found"}}')
        account = self.accounts.get((request.authorization or "").removeprefix("Bearer "))
        if account is None:
            # Worst case for leaks: the error quotes the key it was given.
            message = f"Authentication Fails, Your api key: {request.authorization or ''} is invalid"
            return Reply(401, json.dumps({"error": {"message": message, "type": "authentication_error"}}).encode())
        reply = self.scripted_reply() or Reply(delay_seconds=self.latency_seconds)
        if reply.status == 200 and reply.body is None:
            reply.body = json.dumps(self.balance_document(account)).encode()
        return reply
