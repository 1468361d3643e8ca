"""`column IN (ids)` with the ids bound as ONE parameter, for statements run on every request.

SQLAlchemy rewrites an expanding IN (one parameter per id) on each execution, which costs a hot read
more than SQLite's own work. Here SQLite reads the ids from a JSON array (json_each) and PostgreSQL
from an array (= ANY), so the statement's text never changes.
"""
from __future__ import annotations

import json
from typing import Iterable

from sqlalchemy import BigInteger, Text, any_, bindparam, func, literal_column, select
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.types import TypeDecorator


class IdList(TypeDecorator):
    """Integers bound as a JSON array on SQLite, as bigint[] on PostgreSQL."""

    impl = Text
    cache_ok = True

    def load_dialect_impl(self, dialect):
        return dialect.type_descriptor(ARRAY(BigInteger) if dialect.name == "postgresql" else Text())

    def process_bind_param(self, value: Iterable[int] | None, dialect):
        ids = [int(i) for i in value or ()]
        return ids if dialect.name == "postgresql" else json.dumps(ids)


def among(column, name: str, dialect: str):
    """`column` is one of the ids bound as `name` (for statements built per dialect)."""
    ids = bindparam(name, type_=IdList())
    if dialect == "sqlite":
        return column.in_(select(literal_column("value")).select_from(func.json_each(ids)))
    return column == any_(ids)
