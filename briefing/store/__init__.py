"""The SQLite store: one ``Store`` over a schema kept by migrations.

``stories`` holds the Store class (feeds and stories) and composes the query mixins of its
siblings: ``entities``, ``threads``, ``corrections``, ``articles``, ``summaries``,
``retention``; ``base`` holds the connection and row helpers, ``schema`` the migrations and
``search`` the full-text search terms.
"""

from briefing.store.base import MIGRATIONS, StoreError, StoreReadOnly, fts_query
from briefing.store.stories import Store

__all__ = ["MIGRATIONS", "Store", "StoreError", "StoreReadOnly", "fts_query"]
