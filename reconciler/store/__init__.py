"""Store adapter: SQLite (embedded default) and PostgreSQL, one schema."""

from reconciler.store.base import Store, open_store, redact_url, utcnow

__all__ = ["Store", "open_store", "redact_url", "utcnow"]
