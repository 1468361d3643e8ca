"""group moderation: the state of a group's threads (locked, pinned) and the actors banned from a group, for groups
hosted here and remote groups alike

Revision ID: 0032_group_moderation
Revises: 0031_remote_media
"""
import sqlalchemy as sa
from alembic import op

import server.db.types

revision = '0032_group_moderation'
down_revision = '0031_remote_media'
branch_labels = None
depends_on = None

ID = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')
WHEN = server.db.types.UTCDateTime(timezone=True)


def _fk(table: str, column: str, target: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint([column], [f'{target}.id'], name=op.f(f'fk_{table}_{column}_{target}'),
                                   ondelete='CASCADE')


def upgrade() -> None:
    op.create_table('group_thread_states',
    sa.Column('post_id', ID, nullable=False),
    sa.Column('group_actor_id', ID, nullable=False),
    sa.Column('locked', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('pinned_at', WHEN, nullable=True),
    sa.Column('updated_at', WHEN, nullable=False),
    _fk('group_thread_states', 'post_id', 'posts'),
    _fk('group_thread_states', 'group_actor_id', 'actors'),
    sa.PrimaryKeyConstraint('post_id', name=op.f('pk_group_thread_states'))
    )
    op.create_index('ix_group_thread_states_group_actor_id', 'group_thread_states', ['group_actor_id'])
    op.create_table('group_bans',
    sa.Column('group_actor_id', ID, nullable=False),
    sa.Column('actor_id', ID, nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('block_uri', sa.Text(), nullable=True),
    sa.Column('created_at', WHEN, nullable=False),
    _fk('group_bans', 'group_actor_id', 'actors'),
    _fk('group_bans', 'actor_id', 'actors'),
    sa.PrimaryKeyConstraint('group_actor_id', 'actor_id', name=op.f('pk_group_bans'))
    )
    op.create_index('ix_group_bans_actor_id', 'group_bans', ['actor_id'])


def downgrade() -> None:
    op.drop_index('ix_group_bans_actor_id', table_name='group_bans')
    op.drop_table('group_bans')
    op.drop_index('ix_group_thread_states_group_actor_id', table_name='group_thread_states')
    op.drop_table('group_thread_states')
