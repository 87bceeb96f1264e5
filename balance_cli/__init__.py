"""deepseek-balance: check the balance, read the history, draw a report, or watch a demo."""
