"""The store's schema: each migration, in order. `PRAGMA user_version` is how many ran.

A migration is never edited once released: a store opened by a newer briefing runs only the
ones after its version (store.base.StoreBase._migrate).
"""

from __future__ import annotations

MIGRATIONS: tuple[str, ...] = (
    # 1: feeds, stories with full-text search, and the tables entities and threads fill in.
    """
    CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
    CREATE TABLE feeds(
        url TEXT PRIMARY KEY, name TEXT NOT NULL, title TEXT NOT NULL DEFAULT '',
        etag TEXT NOT NULL DEFAULT '', last_modified TEXT NOT NULL DEFAULT '',
        ok INTEGER NOT NULL DEFAULT 0, status TEXT NOT NULL DEFAULT '', http_status INTEGER,
        checked_at REAL, ok_at REAL, failures INTEGER NOT NULL DEFAULT 0,
        not_modified INTEGER NOT NULL DEFAULT 0, items INTEGER NOT NULL DEFAULT 0);
    CREATE TABLE stories(
        rowid INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, feed_url TEXT NOT NULL,
        source TEXT NOT NULL, guid TEXT NOT NULL DEFAULT '', title TEXT NOT NULL,
        link TEXT NOT NULL DEFAULT '', summary TEXT NOT NULL DEFAULT '',
        author TEXT NOT NULL DEFAULT '', published REAL NOT NULL, first_seen REAL NOT NULL,
        read INTEGER NOT NULL DEFAULT 0, thread_id INTEGER, duplicate_of TEXT,
        annotated TEXT NOT NULL DEFAULT '');
    CREATE INDEX stories_published ON stories(published DESC);
    CREATE INDEX stories_thread ON stories(thread_id, published);
    CREATE INDEX stories_feed_link ON stories(feed_url, link);
    CREATE INDEX stories_annotated ON stories(annotated);
    CREATE INDEX stories_unthreaded ON stories(published) WHERE thread_id IS NULL;
    CREATE VIRTUAL TABLE stories_fts USING fts5(
        title, summary, content='stories', content_rowid='rowid',
        tokenize='unicode61 remove_diacritics 2');
    CREATE TRIGGER stories_ai AFTER INSERT ON stories BEGIN
        INSERT INTO stories_fts(rowid, title, summary) VALUES (new.rowid, new.title, new.summary);
    END;
    CREATE TRIGGER stories_ad AFTER DELETE ON stories BEGIN
        INSERT INTO stories_fts(stories_fts, rowid, title, summary)
        VALUES ('delete', old.rowid, old.title, old.summary);
    END;
    CREATE TRIGGER stories_au AFTER UPDATE OF title, summary ON stories BEGIN
        INSERT INTO stories_fts(stories_fts, rowid, title, summary)
        VALUES ('delete', old.rowid, old.title, old.summary);
        INSERT INTO stories_fts(rowid, title, summary) VALUES (new.rowid, new.title, new.summary);
    END;
    CREATE TABLE entities(
        key TEXT PRIMARY KEY, name TEXT NOT NULL, type TEXT NOT NULL,
        mentions INTEGER NOT NULL DEFAULT 0, stories INTEGER NOT NULL DEFAULT 0);
    CREATE TABLE mentions(
        story INTEGER NOT NULL REFERENCES stories(rowid) ON DELETE CASCADE,
        field TEXT NOT NULL, start INTEGER NOT NULL, "end" INTEGER NOT NULL,
        key TEXT NOT NULL, type TEXT NOT NULL, name TEXT NOT NULL);
    CREATE INDEX mentions_story ON mentions(story);
    CREATE INDEX mentions_key ON mentions(key, story);
    CREATE TABLE threads(
        id INTEGER PRIMARY KEY, name TEXT NOT NULL DEFAULT '', created REAL NOT NULL,
        first_seen REAL NOT NULL, last_seen REAL NOT NULL,
        stories INTEGER NOT NULL DEFAULT 0, sources INTEGER NOT NULL DEFAULT 0,
        opened_at REAL, merged_into INTEGER);
    CREATE INDEX threads_last_seen ON threads(last_seen DESC);
    CREATE TABLE thread_merges(gone INTEGER PRIMARY KEY, keep INTEGER NOT NULL, at REAL NOT NULL);
    CREATE TABLE term_df(term TEXT PRIMARY KEY, df INTEGER NOT NULL) WITHOUT ROWID;
    """,
    # 2: polite polling: when each feed is next due, what set it, and whether it holds the host.
    """
    ALTER TABLE feeds ADD COLUMN next_fetch_at REAL;
    ALTER TABLE feeds ADD COLUMN next_fetch_reason TEXT NOT NULL DEFAULT '';
    ALTER TABLE feeds ADD COLUMN next_fetch_host INTEGER NOT NULL DEFAULT 0;
    """,
    # 3: full article text fetched from each story's page (fulltext.py), searchable on its own.
    """
    CREATE TABLE articles(
        story INTEGER PRIMARY KEY REFERENCES stories(rowid) ON DELETE CASCADE,
        status TEXT NOT NULL, message TEXT NOT NULL DEFAULT '', text TEXT NOT NULL DEFAULT '',
        url TEXT NOT NULL DEFAULT '', fetched_at REAL NOT NULL,
        annotated TEXT NOT NULL DEFAULT '');
    CREATE INDEX articles_status ON articles(status, fetched_at);
    CREATE VIRTUAL TABLE articles_fts USING fts5(
        text, content='articles', content_rowid='story',
        tokenize='unicode61 remove_diacritics 2');
    CREATE TRIGGER articles_ai AFTER INSERT ON articles BEGIN
        INSERT INTO articles_fts(rowid, text) VALUES (new.story, new.text);
    END;
    CREATE TRIGGER articles_ad AFTER DELETE ON articles BEGIN
        INSERT INTO articles_fts(articles_fts, rowid, text) VALUES ('delete', old.story, old.text);
    END;
    CREATE TRIGGER articles_au AFTER UPDATE OF text ON articles BEGIN
        INSERT INTO articles_fts(articles_fts, rowid, text) VALUES ('delete', old.story, old.text);
        INSERT INTO articles_fts(rowid, text) VALUES (new.story, new.text);
    END;
    """,
    # 4: the thread list's unread and new-since-opened counts read this index alone (2.3x
    # faster for 2,000 threads at 100k stories than looking up every story row).
    """
    CREATE INDEX stories_thread_state ON stories(thread_id, read, first_seen);
    """,
    # 5: corrections by hand (store/corrections.py): detach a story, merge two threads, rename
    # one; each undoable, and binding on the engine (no re-merge, no renaming). Also the join
    # probability the engine gave each story, for "why is this story in its thread".
    """
    CREATE TABLE corrections(
        id INTEGER PRIMARY KEY, kind TEXT NOT NULL, story TEXT,
        from_thread INTEGER NOT NULL, to_thread INTEGER NOT NULL,
        old_name TEXT NOT NULL DEFAULT '', new_name TEXT NOT NULL DEFAULT '',
        old_named INTEGER NOT NULL DEFAULT 0, at REAL NOT NULL,
        undone INTEGER NOT NULL DEFAULT 0);
    CREATE INDEX corrections_story ON corrections(story) WHERE kind = 'detach';
    CREATE TABLE correction_moves(
        correction INTEGER NOT NULL REFERENCES corrections(id) ON DELETE CASCADE,
        story TEXT NOT NULL, thread INTEGER NOT NULL, duplicate_of TEXT);
    CREATE INDEX correction_moves_of ON correction_moves(correction);
    ALTER TABLE threads ADD COLUMN named_by_user INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE thread_merges ADD COLUMN by_hand INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE stories ADD COLUMN thread_score REAL;
    """,
    # 6: retention (store/retention.py): a thread the user keeps (the `k` key, or saving its
    # dossier) is never pruned, whatever the age of its stories.
    """
    ALTER TABLE threads ADD COLUMN keep INTEGER NOT NULL DEFAULT 0;
    """,
    # 7: every term of the full-text indexes, so a search word is expanded to the exact terms
    # it starts (FTS5 reads those lazily; a prefix query merges them all first). See
    # store/search.py. Filled here from the indexes themselves (a few seconds at 1M stories).
    # And thread names get a full-text index: a search no longer reads every thread's name.
    """
    CREATE TABLE search_terms(term TEXT PRIMARY KEY) WITHOUT ROWID;
    CREATE VIRTUAL TABLE temp.m7_stories USING fts5vocab(main, stories_fts, row);
    CREATE VIRTUAL TABLE temp.m7_articles USING fts5vocab(main, articles_fts, row);
    INSERT OR IGNORE INTO search_terms SELECT term FROM temp.m7_stories;
    INSERT OR IGNORE INTO search_terms SELECT term FROM temp.m7_articles;
    DROP TABLE temp.m7_stories;
    DROP TABLE temp.m7_articles;
    CREATE VIRTUAL TABLE threads_fts USING fts5(
        name, content='threads', content_rowid='id', tokenize='unicode61 remove_diacritics 2');
    INSERT INTO threads_fts(threads_fts) VALUES ('rebuild');
    CREATE TRIGGER threads_ai AFTER INSERT ON threads BEGIN
        INSERT INTO threads_fts(rowid, name) VALUES (new.id, new.name);
    END;
    CREATE TRIGGER threads_ad AFTER DELETE ON threads BEGIN
        INSERT INTO threads_fts(threads_fts, rowid, name) VALUES ('delete', old.id, old.name);
    END;
    CREATE TRIGGER threads_au AFTER UPDATE OF name ON threads BEGIN
        INSERT INTO threads_fts(threads_fts, rowid, name) VALUES ('delete', old.id, old.name);
        INSERT INTO threads_fts(rowid, name) VALUES (new.id, new.name);
    END;
    """,
    # 8: entity settlement without reading history: per-entity counts, type votes and name
    # forms kept up to date by triggers on mentions (cascades from pruned stories included),
    # so settling the entities a refresh touched reads a few rows each, not all their
    # mentions (7 s for 200 entities at 1M stories before).
    """
    CREATE TABLE entity_counts(
        key TEXT PRIMARY KEY, mentions INTEGER NOT NULL, stories INTEGER NOT NULL
    ) WITHOUT ROWID;
    CREATE TABLE entity_votes(
        key TEXT NOT NULL, type TEXT NOT NULL, n INTEGER NOT NULL, PRIMARY KEY(key, type)
    ) WITHOUT ROWID;
    CREATE TABLE entity_forms(
        key TEXT NOT NULL, name TEXT NOT NULL, n INTEGER NOT NULL, PRIMARY KEY(key, name)
    ) WITHOUT ROWID;
    INSERT INTO entity_counts
        SELECT key, count(*), count(DISTINCT story) FROM mentions GROUP BY key;
    INSERT INTO entity_votes SELECT key, type, count(*) FROM mentions GROUP BY key, type;
    INSERT INTO entity_forms SELECT key, name, count(*) FROM mentions GROUP BY key, name;
    CREATE TRIGGER mentions_ai AFTER INSERT ON mentions BEGIN
        INSERT INTO entity_counts(key, mentions, stories) VALUES (new.key, 1, 1)
        ON CONFLICT(key) DO UPDATE SET mentions = mentions + 1, stories = stories +
            ((SELECT count(*) FROM mentions WHERE key = new.key AND story = new.story) = 1);
        INSERT INTO entity_votes(key, type, n) VALUES (new.key, new.type, 1)
        ON CONFLICT(key, type) DO UPDATE SET n = n + 1;
        INSERT INTO entity_forms(key, name, n) VALUES (new.key, new.name, 1)
        ON CONFLICT(key, name) DO UPDATE SET n = n + 1;
    END;
    CREATE TRIGGER mentions_ad AFTER DELETE ON mentions BEGIN
        UPDATE entity_counts SET mentions = mentions - 1, stories = stories -
            NOT EXISTS (SELECT 1 FROM mentions WHERE key = old.key AND story = old.story)
        WHERE key = old.key;
        DELETE FROM entity_counts WHERE key = old.key AND mentions <= 0;
        UPDATE entity_votes SET n = n - 1 WHERE key = old.key AND type = old.type;
        DELETE FROM entity_votes WHERE key = old.key AND type = old.type AND n <= 0;
        UPDATE entity_forms SET n = n - 1 WHERE key = old.key AND name = old.name;
        DELETE FROM entity_forms WHERE key = old.key AND name = old.name AND n <= 0;
    END;
    CREATE TRIGGER mentions_au AFTER UPDATE OF key, type, name, story ON mentions BEGIN
        UPDATE entity_counts SET mentions = mentions - 1, stories = stories -
            NOT EXISTS (SELECT 1 FROM mentions WHERE key = old.key AND story = old.story)
        WHERE key = old.key;
        DELETE FROM entity_counts WHERE key = old.key AND mentions <= 0;
        UPDATE entity_votes SET n = n - 1 WHERE key = old.key AND type = old.type;
        DELETE FROM entity_votes WHERE key = old.key AND type = old.type AND n <= 0;
        UPDATE entity_forms SET n = n - 1 WHERE key = old.key AND name = old.name;
        DELETE FROM entity_forms WHERE key = old.key AND name = old.name AND n <= 0;
        INSERT INTO entity_counts(key, mentions, stories) VALUES (new.key, 1, 1)
        ON CONFLICT(key) DO UPDATE SET mentions = mentions + 1, stories = stories +
            ((SELECT count(*) FROM mentions WHERE key = new.key AND story = new.story) = 1);
        INSERT INTO entity_votes(key, type, n) VALUES (new.key, new.type, 1)
        ON CONFLICT(key, type) DO UPDATE SET n = n + 1;
        INSERT INTO entity_forms(key, name, n) VALUES (new.key, new.name, 1)
        ON CONFLICT(key, name) DO UPDATE SET n = n + 1;
    END;
    """,
    # 9: stories per feed, kept by triggers: the feeds screen counted every story (1.7 s at
    # 1M stories, reading the whole feed_url+link index).
    """
    CREATE TABLE feed_counts(feed_url TEXT PRIMARY KEY, stories INTEGER NOT NULL) WITHOUT ROWID;
    INSERT INTO feed_counts SELECT feed_url, count(*) FROM stories GROUP BY feed_url;
    CREATE TRIGGER stories_count_ai AFTER INSERT ON stories BEGIN
        INSERT INTO feed_counts(feed_url, stories) VALUES (new.feed_url, 1)
        ON CONFLICT(feed_url) DO UPDATE SET stories = stories + 1;
    END;
    CREATE TRIGGER stories_count_ad AFTER DELETE ON stories BEGIN
        UPDATE feed_counts SET stories = stories - 1 WHERE feed_url = old.feed_url;
    END;
    CREATE TRIGGER stories_count_au AFTER UPDATE OF feed_url ON stories BEGIN
        UPDATE feed_counts SET stories = stories - 1 WHERE feed_url = old.feed_url;
        INSERT INTO feed_counts(feed_url, stories) VALUES (new.feed_url, 1)
        ON CONFLICT(feed_url) DO UPDATE SET stories = stories + 1;
    END;
    """,
    # 10: each thread's extractive summary and latest development (summaries.py), as JSON, with
    # the state it was made from (stories, latest story, fetched articles) to know it is stale.
    """
    CREATE TABLE thread_summaries(
        thread INTEGER PRIMARY KEY, made_from TEXT NOT NULL, body TEXT NOT NULL,
        made_at REAL NOT NULL);
    CREATE TRIGGER thread_summaries_ad AFTER DELETE ON threads BEGIN
        DELETE FROM thread_summaries WHERE thread = old.id;
    END;
    """,
    # 11: a feed's stories in rowid order (an index on feed_url alone ends with the rowid), for
    # the latest items of a feed that threading learns its boilerplate from: through the
    # feed_url+link index every refresh read and sorted each feed's whole history (0.3 s a feed
    # of 25,000 stories at 1M stories, warm; 6.7 s cold), now 40 rows.
    """
    CREATE INDEX stories_feed ON stories(feed_url);
    """,
    # 12: each thread's unread stories and those first seen since it was last opened, kept by
    # triggers on every path that moves, reads, adds or deletes a story: counting them for the
    # 2,000 listed threads at startup cost ~20 ms of a 35 ms query at 1M stories.
    """
    ALTER TABLE threads ADD COLUMN unread INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE threads ADD COLUMN fresh INTEGER NOT NULL DEFAULT 0;
    UPDATE threads SET
        unread = (SELECT count(*) FROM stories s WHERE s.thread_id = threads.id AND s.read = 0),
        fresh = (SELECT count(*) FROM stories s WHERE s.thread_id = threads.id
            AND s.first_seen > coalesce(threads.opened_at, 0))
    WHERE id IN (SELECT DISTINCT thread_id FROM stories WHERE thread_id IS NOT NULL);
    CREATE TRIGGER stories_thread_ai AFTER INSERT ON stories WHEN new.thread_id IS NOT NULL BEGIN
        UPDATE threads SET unread = unread + (new.read = 0),
            fresh = fresh + (new.first_seen > coalesce(opened_at, 0)) WHERE id = new.thread_id;
    END;
    CREATE TRIGGER stories_thread_ad AFTER DELETE ON stories WHEN old.thread_id IS NOT NULL BEGIN
        UPDATE threads SET unread = unread - (old.read = 0),
            fresh = fresh - (old.first_seen > coalesce(opened_at, 0)) WHERE id = old.thread_id;
    END;
    CREATE TRIGGER stories_thread_au AFTER UPDATE OF thread_id, read, first_seen ON stories
    WHEN old.thread_id IS NOT new.thread_id OR old.read IS NOT new.read
        OR old.first_seen IS NOT new.first_seen BEGIN
        UPDATE threads SET unread = unread - (old.read = 0),
            fresh = fresh - (old.first_seen > coalesce(opened_at, 0)) WHERE id = old.thread_id;
        UPDATE threads SET unread = unread + (new.read = 0),
            fresh = fresh + (new.first_seen > coalesce(opened_at, 0)) WHERE id = new.thread_id;
    END;
    CREATE TRIGGER threads_opened_au AFTER UPDATE OF opened_at ON threads BEGIN
        UPDATE threads SET fresh = (SELECT count(*) FROM stories s WHERE s.thread_id = new.id
            AND s.first_seen > coalesce(new.opened_at, 0)) WHERE id = new.id;
    END;
    """,
    # 13: single-story threads, latest first, for the brief's single stories (store.summaries).
    """
    CREATE INDEX threads_single ON threads(last_seen) WHERE stories = 1 AND merged_into IS NULL;
    """,
)
