"""tradecycle: automated, honest paper trading of US equities."""

__version__ = "0.1.0"
