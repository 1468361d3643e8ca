"""lists: members' lists of accounts they follow, each with its own timeline

Revision ID: 0013_lists
Revises: 0012
"""
import sqlalchemy as sa
from alembic import op

import server.db.types

revision = '0013_lists'
down_revision = '0012'
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')


def upgrade() -> None:
    op.create_table('lists',
    sa.Column('id', BigId, nullable=False),
    sa.Column('owner_id', BigId, nullable=False),
    sa.Column('title', sa.Text(), nullable=False),
    sa.Column('replies_policy', sa.String(length=16), nullable=False),
    sa.Column('exclusive', sa.Boolean(), nullable=False),
    sa.Column('created_at', server.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['owner_id'], ['actors.id'], name=op.f('fk_lists_owner_id_actors'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lists'))
    )
    op.create_index(op.f('ix_lists_owner_id'), 'lists', ['owner_id'], unique=False)
    op.create_table('list_accounts',
    sa.Column('id', BigId, nullable=False),
    sa.Column('list_id', BigId, nullable=False),
    sa.Column('actor_id', BigId, nullable=False),
    sa.Column('follow_id', BigId, nullable=False),
    sa.Column('created_at', server.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['actors.id'], name=op.f('fk_list_accounts_actor_id_actors'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['follow_id'], ['follows.id'], name=op.f('fk_list_accounts_follow_id_follows'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['list_id'], ['lists.id'], name=op.f('fk_list_accounts_list_id_lists'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_list_accounts')),
    sa.UniqueConstraint('list_id', 'actor_id', name=op.f('uq_list_accounts_list_id'))
    )
    op.create_index(op.f('ix_list_accounts_actor_id'), 'list_accounts', ['actor_id'], unique=False)
    op.create_index(op.f('ix_list_accounts_follow_id'), 'list_accounts', ['follow_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_list_accounts_follow_id'), table_name='list_accounts')
    op.drop_index(op.f('ix_list_accounts_actor_id'), table_name='list_accounts')
    op.drop_table('list_accounts')
    op.drop_index(op.f('ix_lists_owner_id'), table_name='lists')
    op.drop_table('lists')
