"""full-text search of posts (FTS5 on SQLite, tsvector + GIN on PostgreSQL) and actors.indexable

Revision ID: 0010
Revises: 0009
"""
import sqlalchemy as sa
from alembic import op

from server.db.fulltext import plain_text

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None

# Tags become spaces; entities are left to PostgreSQL's parser, which reads them as entities (not words).
PG_DOCUMENT = ("to_tsvector('english'::regconfig, regexp_replace("
               "coalesce(summary, '') || ' ' || coalesce(content_html, ''), '<[^>]*>', ' ', 'g'))")

SQLITE = [
    "CREATE VIRTUAL TABLE post_search USING fts5(body, tokenize = 'porter unicode61 remove_diacritics 2')",
    "CREATE TABLE post_search_queue (post_id INTEGER NOT NULL PRIMARY KEY)",
    # Old text leaves the index in the transaction that changes it; new text is queued (see fulltext.py).
    """CREATE TRIGGER post_search_inserted AFTER INSERT ON posts WHEN new.boost_of_id IS NULL BEGIN
         INSERT OR IGNORE INTO post_search_queue (post_id) VALUES (new.id);
       END""",
    """CREATE TRIGGER post_search_edited AFTER UPDATE OF content_html, summary ON posts
       WHEN new.boost_of_id IS NULL BEGIN
         DELETE FROM post_search WHERE rowid = old.id;
         INSERT OR IGNORE INTO post_search_queue (post_id) VALUES (new.id);
       END""",
    """CREATE TRIGGER post_search_deleted AFTER DELETE ON posts BEGIN
         DELETE FROM post_search WHERE rowid = old.id;
         DELETE FROM post_search_queue WHERE post_id = old.id;
       END""",
]


def _backfill_sqlite(conn) -> None:
    last = -1 << 63
    while True:
        rows = conn.execute(sa.text("SELECT id, summary, content_html FROM posts WHERE id > :last AND boost_of_id IS NULL"
                                    " ORDER BY id LIMIT 2000"), {"last": last}).all()
        if not rows:
            return
        conn.execute(sa.text("INSERT INTO post_search (rowid, body) VALUES (:id, :body)"),
                     [{"id": r[0], "body": plain_text(r[1], r[2])} for r in rows])
        last = rows[-1][0]


def upgrade() -> None:
    # Not a batch: rebuilding actors on SQLite would lose its expression indexes.
    op.add_column('actors', sa.Column('indexable', sa.Boolean(), server_default=sa.false(), nullable=False))
    conn = op.get_bind()
    if conn.dialect.name == 'postgresql':
        op.execute(f"ALTER TABLE posts ADD COLUMN search_document tsvector GENERATED ALWAYS AS ({PG_DOCUMENT}) STORED")
        op.execute("CREATE INDEX ix_posts_search_document ON posts USING gin (search_document)")
        return
    for statement in SQLITE:
        op.execute(statement)
    _backfill_sqlite(conn)


def downgrade() -> None:
    if op.get_bind().dialect.name == 'postgresql':
        op.execute("DROP INDEX ix_posts_search_document")
        op.execute("ALTER TABLE posts DROP COLUMN search_document")
    else:
        for name in ('post_search_inserted', 'post_search_edited', 'post_search_deleted'):
            op.execute(f"DROP TRIGGER {name}")
        op.execute("DROP TABLE post_search_queue")
        op.execute("DROP TABLE post_search")
    op.execute("ALTER TABLE actors DROP COLUMN indexable")
