"""account extras: conversation mutes, private notes on accounts, endorsements (featured profiles), featured hashtags

Revision ID: 0029_account_extras
Revises: 0028_group_threads
"""
import sqlalchemy as sa
from alembic import op

import server.db.types

revision = '0029_account_extras'
down_revision = '0028_group_threads'
branch_labels = None
depends_on = None

ID = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')
WHEN = server.db.types.UTCDateTime(timezone=True)


def _actor_fk(table: str, column: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint([column], ['actors.id'], name=op.f(f'fk_{table}_{column}_actors'), ondelete='CASCADE')


def upgrade() -> None:
    op.create_table('conversation_mutes',
    sa.Column('actor_id', ID, nullable=False),
    sa.Column('root_id', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('created_at', WHEN, nullable=False),
    _actor_fk('conversation_mutes', 'actor_id'),
    sa.PrimaryKeyConstraint('actor_id', 'root_id', name=op.f('pk_conversation_mutes'))
    )
    op.create_table('account_notes',
    sa.Column('actor_id', ID, nullable=False),
    sa.Column('target_id', ID, nullable=False),
    sa.Column('comment', sa.Text(), nullable=False),
    sa.Column('updated_at', WHEN, nullable=False),
    _actor_fk('account_notes', 'actor_id'),
    _actor_fk('account_notes', 'target_id'),
    sa.PrimaryKeyConstraint('actor_id', 'target_id', name=op.f('pk_account_notes'))
    )
    op.create_index(op.f('ix_account_notes_target_id'), 'account_notes', ['target_id'], unique=False)
    op.create_table('endorsements',
    sa.Column('id', ID, nullable=False),
    sa.Column('actor_id', ID, nullable=False),
    sa.Column('target_id', ID, nullable=False),
    sa.Column('created_at', WHEN, nullable=False),
    _actor_fk('endorsements', 'actor_id'),
    _actor_fk('endorsements', 'target_id'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_endorsements')),
    sa.UniqueConstraint('actor_id', 'target_id', name=op.f('uq_endorsements_actor_id'))
    )
    op.create_index('ix_endorsements_actor_id_id', 'endorsements', ['actor_id', 'id'], unique=False)
    op.create_index(op.f('ix_endorsements_target_id'), 'endorsements', ['target_id'], unique=False)
    op.create_table('featured_tags',
    sa.Column('id', ID, nullable=False),
    sa.Column('actor_id', ID, nullable=False),
    sa.Column('tag', sa.String(length=128), nullable=False),
    sa.Column('name', sa.String(length=128), nullable=False),
    sa.Column('created_at', WHEN, nullable=False),
    _actor_fk('featured_tags', 'actor_id'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_featured_tags')),
    sa.UniqueConstraint('actor_id', 'tag', name=op.f('uq_featured_tags_actor_id'))
    )


def downgrade() -> None:
    op.drop_table('featured_tags')
    op.drop_index(op.f('ix_endorsements_target_id'), table_name='endorsements')
    op.drop_index('ix_endorsements_actor_id_id', table_name='endorsements')
    op.drop_table('endorsements')
    op.drop_index(op.f('ix_account_notes_target_id'), table_name='account_notes')
    op.drop_table('account_notes')
    op.drop_table('conversation_mutes')
