"""Rows for every table of a database as it stands (reflected, not the models: an old schema has other columns),
foreign keys pointing at rows made before, every column filled, with the values that migrations tend to lose:
accents and emoji, line breaks, microseconds and time zones, nested JSON, bytes, both booleans. For upgrade tests."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Connection,
    DateTime,
    Float,
    Integer,
    LargeBinary,
    MetaData,
    Numeric,
    String,
    Table,
    Text,
    select,
)

from server.db.models import Base

ROWS_PER_TABLE = 2
WHEN = datetime(2024, 3, 14, 15, 9, 26, 535897, tzinfo=timezone.utc)
SKIPPED = {"alembic_version"}


def reflected(connection: Connection) -> list[Table]:
    """The database's tables, parents before children, with the application's column types where today's models
    know the column (so that values go in and come out as the application writes and reads them)."""
    metadata = MetaData()
    metadata.reflect(connection)
    for table in metadata.tables.values():
        model = Base.metadata.tables.get(table.name)
        for column in table.columns:
            if model is not None and column.name in model.columns:
                column.type = model.columns[column.name].type
    return [t for t in metadata.sorted_tables if t.name not in SKIPPED]


def _base_type(column_type):
    return getattr(column_type, "impl_instance", None) or getattr(column_type, "impl", None) or column_type


def _text(table: str, column: str, n: int, length: int | None) -> str:
    if column == "email" or column.endswith("_email"):
        value = f"member{n}@société.example"
    elif column in ("uri", "url", "inbox", "outbox", "shared_inbox") or column.endswith(("_url", "_uri", "_id")):
        value = f"https://remote{n}.example/users/zoë{n}"
    else:
        value = f"{table}.{column} #{n}: Café Ünïcode ✓ 🩺\nsecond line"
    return value[:length] if length else value


def _value(table: Table, column, n: int, parents: dict[str, list[dict]]):
    for fk in column.foreign_keys:
        made = parents[fk.column.table.name]
        return made[n % len(made)][fk.column.name]
    kind = _base_type(column.type)
    if isinstance(kind, Boolean):
        return n % 2 == 0
    if isinstance(kind, (Integer, BigInteger)):
        return 1000 + n if column.primary_key else 7 * n + 3
    if isinstance(kind, (Float, Numeric)):
        return 0.25 + n
    if isinstance(kind, DateTime):
        return WHEN + timedelta(days=n, microseconds=n)
    if isinstance(kind, JSON):
        return [{"name": f"Spécialité {n}", "value": ["cardiologie ❤", 2.5, None, True], "n": n}]
    if isinstance(kind, LargeBinary):
        return bytes(range(n, n + 16))
    if isinstance(kind, (String, Text)):
        return _text(table.name, column.name, n, getattr(kind, "length", None))
    raise TypeError(f"no generated value for {table.name}.{column.name} of type {column.type!r}")


def fill(connection: Connection, tables: list[Table]) -> dict[str, list[dict]]:
    """Insert ROWS_PER_TABLE rows into each table (parents first); the rows, by table."""
    made: dict[str, list[dict]] = {}
    for table in tables:
        rows = [{c.name: _value(table, c, n, made) for c in table.columns} for n in range(ROWS_PER_TABLE)]
        connection.execute(table.insert(), rows)
        made[table.name] = rows
    return made


def read(connection: Connection, tables: list[Table]) -> dict[str, dict[tuple, dict]]:
    """Every row of each table, by primary key."""
    out = {}
    for table in tables:
        keys = [c.name for c in table.primary_key.columns]
        out[table.name] = {tuple(row[k] for k in keys): dict(row)
                           for row in connection.execute(select(table)).mappings()}
    return out
