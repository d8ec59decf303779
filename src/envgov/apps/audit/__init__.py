"""The shared audit log and ledger clock, used by every app (decision 0005)."""
