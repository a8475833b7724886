"""Hours-saved reports for management: Excel and Word, computed from the ledger."""
