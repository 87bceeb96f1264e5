"""A DeepSeek stand-in on 127.0.0.1: `GET /user/balance` in both documented shapes, and
every misbehaviour the monitor must survive, on cue (sandbox/balance_simulator.py)."""

from __future__ import annotations

import json
from typing import Any

from sandbox.balance_simulator import BalanceSimulator, SimulatedAccount, Wallet
from sandbox.loopback_http import Reply, SeenRequest

__all__ = ["LIVE_SHAPE", "SPEC_SHAPE", "DeepSeekSimulator", "Reply", "SeenRequest", "SimulatedAccount", "Wallet"]

LIVE_SHAPE = "live"  # what api.deepseek.com returns: strings, granted / topped-up / total
SPEC_SHAPE = "spec"  # the OpenAPI specification: {"type", "amount" (a number), "currency"}


class DeepSeekSimulator(BalanceSimulator):
    """Every wallet of an account is in the answer, whatever its currency."""

    path = "/user/balance"
    currency = "CNY"

    def __init__(self, api_key: str, *, shape: str = LIVE_SHAPE, latency_seconds: float = 0.0) -> None:
        super().__init__(api_key, latency_seconds=latency_seconds)
        self.shape = shape
        self._served = 0

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

    def rejection(self, authorization: str) -> bytes:
        # Worst case for leaks: the error quotes the key it was given.
        message = f"Authentication Fails, Your api key: {authorization} is invalid"
        return json.dumps({"error": {"message": message, "type": "authentication_error"}}).encode()
