"""announcements (with reads and reactions), notification groups and policies, dismissed suggestions

Revision ID: 0027_announcements
Revises: 0026_account_moves
"""
import sqlalchemy as sa
from alembic import op

import server.db.types

revision = '0027_announcements'
down_revision = '0026_account_moves'
branch_labels = None
depends_on = None

ID = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')
POLICIES = ('for_not_following', 'for_not_followers', 'for_new_accounts', 'for_private_mentions',
            'for_limited_accounts')


def _pair(table: str, first: tuple[str, str], second: tuple[str, str], *extra: sa.Column) -> None:
    """A table keyed by two foreign keys (and `extra` key columns)."""
    (a, a_target), (b, b_target) = first, second
    op.create_table(table,
    sa.Column(a, ID, nullable=False),
    sa.Column(b, ID, nullable=False),
    *extra,
    sa.ForeignKeyConstraint([a], [f'{a_target}.id'], name=op.f(f'fk_{table}_{a}_{a_target}'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint([b], [f'{b_target}.id'], name=op.f(f'fk_{table}_{b}_{b_target}'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint(a, b, *[c.name for c in extra], name=op.f(f'pk_{table}'))
    )


def upgrade() -> None:
    op.create_table('announcements',
    sa.Column('id', ID, nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('content_html', sa.Text(), nullable=False),
    sa.Column('starts_at', server.db.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('ends_at', server.db.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('published_at', server.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', server.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_announcements'))
    )
    _pair('announcement_reads', ('announcement_id', 'announcements'), ('actor_id', 'actors'))
    op.create_index(op.f('ix_announcement_reads_actor_id'), 'announcement_reads', ['actor_id'], unique=False)
    _pair('announcement_reactions', ('announcement_id', 'announcements'), ('actor_id', 'actors'),
          sa.Column('name', sa.String(length=64), nullable=False))
    op.create_index(op.f('ix_announcement_reactions_actor_id'), 'announcement_reactions', ['actor_id'], unique=False)
    _pair('suggestion_dismissals', ('actor_id', 'actors'), ('target_id', 'actors'))
    op.create_table('notification_policies',
    sa.Column('actor_id', ID, nullable=False),
    *[sa.Column(name, sa.String(length=8), nullable=False) for name in POLICIES],
    sa.ForeignKeyConstraint(['actor_id'], ['actors.id'], name=op.f('fk_notification_policies_actor_id_actors'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('actor_id', name=op.f('pk_notification_policies'))
    )
    # added, never rebuilt: the table may be large
    op.add_column('notifications', sa.Column('group_key', sa.String(length=96), nullable=True))
    op.add_column('notifications', sa.Column('filtered', sa.Boolean(), server_default=sa.false(), nullable=False))
    op.create_index('ix_notifications_recipient_id_group_key', 'notifications', ['recipient_id', 'group_key'],
                    unique=False)


def downgrade() -> None:
    op.drop_index('ix_notifications_recipient_id_group_key', table_name='notifications')
    with op.batch_alter_table('notifications') as batch:
        batch.drop_column('filtered')
        batch.drop_column('group_key')
    op.drop_table('notification_policies')
    op.drop_table('suggestion_dismissals')
    op.drop_table('announcement_reactions')
    op.drop_table('announcement_reads')
    op.drop_table('announcements')
