"""Alembic environment: runs on the connection server.db.migrate hands over (or on the URL for developers)."""
from alembic import context
from sqlalchemy import create_engine

from server.db.fulltext import in_models
from server.db.models import Base

config = context.config
target_metadata = Base.metadata


def run(connection) -> None:
    context.configure(connection=connection, target_metadata=target_metadata,
                      render_as_batch=connection.dialect.name == "sqlite", compare_type=True,
                      include_name=in_models)
    with context.begin_transaction():
        context.run_migrations()


connection = config.attributes.get("connection")
if connection is not None:
    run(connection)
else:
    # Developers: `alembic -c server/db/alembic.ini revision --autogenerate` with a sync URL.
    url = config.get_main_option("sqlalchemy.url").replace("+aiosqlite", "").replace("+asyncpg", "+psycopg")
    with create_engine(url).connect() as conn:
        run(conn)
        conn.commit()
