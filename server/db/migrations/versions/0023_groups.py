"""groups: FEP-1b12 Group actors hosted here, and their moderators

Revision ID: 0023_groups
Revises: 0022_poll_shape
"""
import sqlalchemy as sa
from alembic import op

import server.db.types

revision = '0023_groups'
down_revision = '0022_poll_shape'
branch_labels = None
depends_on = None

ID = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')


def upgrade() -> None:
    op.create_table('groups',
    sa.Column('actor_id', ID, nullable=False),
    sa.Column('specialties', server.db.types.Json, nullable=False),
    sa.Column('join_policy', sa.String(length=16), nullable=False),
    sa.Column('members_only', sa.Boolean(), nullable=False),
    sa.Column('created_at', server.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['actors.id'], name=op.f('fk_groups_actor_id_actors'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('actor_id', name=op.f('pk_groups'))
    )
    op.create_table('group_moderators',
    sa.Column('group_id', ID, nullable=False),
    sa.Column('account_id', ID, nullable=False),
    sa.Column('created_at', server.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['group_id'], ['groups.actor_id'], name=op.f('fk_group_moderators_group_id_groups'),
                            ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], name=op.f('fk_group_moderators_account_id_accounts'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('group_id', 'account_id', name=op.f('pk_group_moderators'))
    )
    op.create_index('ix_group_moderators_account_id', 'group_moderators', ['account_id'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_group_moderators_account_id', table_name='group_moderators')
    op.drop_table('group_moderators')
    op.drop_table('groups')
