"""stream events (the streaming API's feed between processes)

Revision ID: 0008
Revises: 0007
"""
import sqlalchemy as sa
from alembic import op

import server.db.types

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('stream_events',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('data', sa.JSON().with_variant(sa.dialects.postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('created_at', server.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_stream_events')),
    sqlite_autoincrement=True
    )
    op.create_index(op.f('ix_stream_events_created_at'), 'stream_events', ['created_at'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_stream_events_created_at'), table_name='stream_events')
    op.drop_table('stream_events')
