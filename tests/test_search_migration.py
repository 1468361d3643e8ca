"""Migration 0010: posts stored before it are indexed by it, and it goes down and up again cleanly."""
from sqlalchemy import select, text

from server.db.fulltext import Terms, query_text, restrict
from server.db.migrate import migrate
from server.db.models import Post
from tests.support.migrations import downgrade_to_before


async def test_search_migration_indexes_earlier_posts_and_reverses(app):
    engine = app.state.engine
    await downgrade_to_before(engine, "0010")
    async with engine.begin() as conn:
        await conn.execute(text("INSERT INTO actors (id, uri, local, username, domain, actor_type, display_name,"
                                " summary, manually_approves, discoverable, fields, created_at, updated_at)"
                                " VALUES (900, 'https://r.example/u/old', false, 'old', 'r.example', 'Person', '',"
                                " '', false, true, '[]', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"))
        await conn.execute(text("INSERT INTO posts (id, uri, author_id, local, visibility, content_html, sensitive,"
                                " object_type, \"to\", cc, tags, attachments, replies_count, likes_count,"
                                " boosts_count, published, created_at) VALUES (901, 'https://r.example/p/1', 900,"
                                " false, 'public', '<p>Pre-existing <b>vancomycin</b> note</p>', false, 'Note',"
                                " '[]', '[]', '[]', '[]', 0, 0, 0, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"))
    assert (await migrate(engine))[0] == "0010"  # and the later ones again
    dialect = engine.dialect.name
    query, _ = restrict(dialect, select(Post.id))
    async with app.state.sessions() as session:
        for word, expected in (("vancomycin", [901]), ("b", [])):
            found = (await session.execute(query, {"fts": query_text(dialect, Terms(((word,),)))})).scalars().all()
            assert list(found) == expected, word
