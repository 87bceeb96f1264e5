"""The DeepSeek simulator in a process of its own, for the cold-start benchmark: an account
that spends steadily, each balance it serves 0.10 CNY below the one before, from 110 CNY, so
checks a schedule apart see what a busy account shows them.

    python benchmarks/steady_deepseek.py API_KEY     (prints its base URL, then serves)
"""

from __future__ import annotations

import sys
import threading

from sandbox.deepseek_simulator import DeepSeekSimulator, Reply, SeenRequest

SPEND_PER_ANSWER = "0.10"  # 9.6 CNY a day at a check every 15 minutes: healthy, with days of runway


class SteadilySpent(DeepSeekSimulator):
    def answer(self, request: SeenRequest) -> Reply:
        reply = super().answer(request)
        if reply.status == 200:
            self.spend("CNY", SPEND_PER_ANSWER)
        return reply


if __name__ == "__main__":
    with SteadilySpent(sys.argv[1]) as deepseek:
        deepseek.set_balance("CNY", topped_up="110.00")
        print(deepseek.base_url, flush=True)
        threading.Event().wait()
