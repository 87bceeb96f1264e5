"""What every provider's stand-in on 127.0.0.1 shares: accounts by API key, their wallets per
currency, and the misbehaviour on cue (`then(Reply(...))`, latency). A subclass says where the
balance is served, the document it builds from a wallet and how it refuses a key."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, ClassVar, Self

from sandbox.loopback_http import LoopbackServer, Reply, SeenRequest


@dataclass
class Wallet:
    granted: Decimal = Decimal("0.00")
    topped_up: Decimal = Decimal("0.00")
    spent: Decimal = Decimal("0.00")  # since set_balance, for the providers that report usage

    @property
    def total(self) -> Decimal:
        return self.granted + self.topped_up


def _opening_wallets() -> dict[str, Wallet]:
    return {"CNY": Wallet(Decimal("10.00"), Decimal("100.00"))}


@dataclass
class SimulatedAccount:
    """One account: its wallets per currency, and whether it can serve API calls."""

    wallets: dict[str, Wallet] = field(default_factory=_opening_wallets)
    is_available: bool = True

    def set_balance(self, currency: str, *, granted: str = "0.00", topped_up: str = "0.00") -> None:
        self.wallets[currency] = Wallet(Decimal(granted), Decimal(topped_up))

    def spend(self, currency: str, amount: str) -> None:
        """Spend granted credit first, as DeepSeek does."""
        wallet, left = self.wallets[currency], Decimal(amount)
        from_granted = max(Decimal(0), min(wallet.granted, left))
        from_topped_up = max(Decimal(0), min(wallet.topped_up, left - from_granted))
        wallet.granted -= from_granted
        wallet.topped_up -= from_topped_up
        wallet.spent += from_granted + from_topped_up

    def top_up(self, currency: str, amount: str) -> None:
        self.wallets.setdefault(currency, Wallet()).topped_up += Decimal(amount)


class BalanceSimulator(LoopbackServer):
    """Accounts by API key; the first one's wallets are reached through the simulator itself."""

    path: ClassVar[str]  # of the balance endpoint; any other path is 404
    currency: ClassVar[str]  # of a new account's wallet, and of the one a single-currency answer shows

    def __init__(self, api_key: str, *, latency_seconds: float = 0.0) -> None:
        super().__init__()
        self._api_key = api_key
        self.accounts: dict[str, SimulatedAccount] = {api_key: self.new_account()}
        self.latency_seconds = latency_seconds  # before every balance answer, like a real network

    def __enter__(self) -> Self:
        super().__enter__()
        return self

    def new_account(self) -> SimulatedAccount:
        return SimulatedAccount(wallets={self.currency: Wallet(Decimal("10.00"), Decimal("100.00"))})

    @property
    def api_key(self) -> str:
        return self._api_key

    @api_key.setter
    def api_key(self, key: str) -> None:
        """The key is rotated: the old one stops working."""
        self.accounts[key] = self.accounts.pop(self._api_key)
        self._api_key = key

    def add_account(self, api_key: str) -> SimulatedAccount:
        return self.accounts.setdefault(api_key, self.new_account())

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

    def wallet(self, account: SimulatedAccount) -> Wallet:
        """The wallet a single-currency answer shows: an account without one holds nothing."""
        return account.wallets.get(self.currency) or Wallet()

    def balance_document(self, account: SimulatedAccount | None = None) -> dict[str, Any]:
        """The provider's 200 answer for this account (the primary one by default)."""
        raise NotImplementedError

    def rejection(self, authorization: str) -> bytes:
        """The provider's 401 body for a request with this Authorization header (maybe none)."""
        raise NotImplementedError

    def answer(self, request: SeenRequest) -> Reply:
        if request.path != self.path:
            return Reply(404, b'{"error": {"message": "Not Found"}}')
        account = self.accounts.get((request.authorization or "").removeprefix("Bearer "))
        if account is None:
            return Reply(401, self.rejection(request.authorization or ""))
        reply = self.scripted_reply() or Reply(delay_seconds=self.latency_seconds)
        if reply.status == 200 and reply.body is None:
            reply.body = json.dumps(self.balance_document(account)).encode()
        return reply
