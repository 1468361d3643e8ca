"""rate limits: client-API counters in fixed windows, shared by every web process; and recent writes: the
credentials whose reads go to the primary, not the replica, for a moment after they write

Revision ID: 0033_rate_limits
Revises: 0032_group_moderation
"""
import sqlalchemy as sa
from alembic import op

revision = '0033_rate_limits'
down_revision = '0032_group_moderation'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('rate_limits',
    sa.Column('bucket', sa.String(length=120), nullable=False),
    sa.Column('window_start', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('n', sa.Integer(), nullable=False),
    sa.Column('expires', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('bucket', 'window_start', name=op.f('pk_rate_limits'))
    )
    op.create_index(op.f('ix_rate_limits_expires'), 'rate_limits', ['expires'], unique=False)
    op.create_table('recent_writes',
    sa.Column('caller', sa.String(length=64), nullable=False),
    sa.Column('until', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('caller', name=op.f('pk_recent_writes'))
    )
    op.create_index(op.f('ix_recent_writes_until'), 'recent_writes', ['until'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_recent_writes_until'), table_name='recent_writes')
    op.drop_table('recent_writes')
    op.drop_index(op.f('ix_rate_limits_expires'), table_name='rate_limits')
    op.drop_table('rate_limits')
