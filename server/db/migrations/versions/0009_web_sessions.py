"""web sessions (browser logins)

Revision ID: 0009
Revises: 0008
"""
import sqlalchemy as sa
from alembic import op

import server.db.types

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('web_sessions',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('account_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('user_agent', sa.String(length=200), nullable=False),
    sa.Column('created_at', server.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('last_seen_at', server.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], name=op.f('fk_web_sessions_account_id_accounts'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_web_sessions')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_web_sessions_token_hash'))
    )
    op.create_index(op.f('ix_web_sessions_account_id'), 'web_sessions', ['account_id'], unique=False)
    op.create_index(op.f('ix_web_sessions_last_seen_at'), 'web_sessions', ['last_seen_at'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_web_sessions_last_seen_at'), table_name='web_sessions')
    op.drop_index(op.f('ix_web_sessions_account_id'), table_name='web_sessions')
    op.drop_table('web_sessions')
