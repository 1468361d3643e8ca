"""group threads: the posts of each group hosted here (its threads and their replies), the group's Announce of
each; groups where only moderators start threads (postingRestrictedToMods)

Revision ID: 0028_group_threads
Revises: 0027_announcements
"""
import sqlalchemy as sa
from alembic import op

import server.db.types

revision = '0028_group_threads'
down_revision = '0027_announcements'
branch_labels = None
depends_on = None

ID = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')


def upgrade() -> None:
    op.create_table('group_posts',
    sa.Column('group_id', ID, nullable=False),
    sa.Column('post_id', ID, nullable=False),
    sa.Column('thread_id', ID, nullable=False),
    sa.Column('title', sa.Text(), nullable=True),
    sa.Column('announce_uri', sa.Text(), nullable=False),
    sa.Column('relayed_at', server.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['group_id'], ['groups.actor_id'], name=op.f('fk_group_posts_group_id_groups'),
                            ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['post_id'], ['posts.id'], name=op.f('fk_group_posts_post_id_posts'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('group_id', 'post_id', name=op.f('pk_group_posts'))
    )
    op.create_index('ix_group_posts_post_id', 'group_posts', ['post_id'], unique=False)
    op.create_index('ix_group_posts_group_id_thread_id', 'group_posts', ['group_id', 'thread_id'], unique=False)
    op.add_column('groups', sa.Column('posting_restricted_to_mods', sa.Boolean(), server_default=sa.false(),
                                      nullable=False))


def downgrade() -> None:
    with op.batch_alter_table('groups') as batch:
        batch.drop_column('posting_restricted_to_mods')
    op.drop_index('ix_group_posts_group_id_thread_id', table_name='group_posts')
    op.drop_index('ix_group_posts_post_id', table_name='group_posts')
    op.drop_table('group_posts')
