"""Watches a DeepSeek account's balance and alerts before workloads fail for lack of credit."""
