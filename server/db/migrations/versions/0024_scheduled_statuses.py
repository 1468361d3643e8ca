"""scheduled_statuses: posts scheduled for later, and the uploads they reserve

Revision ID: 0024_scheduled_statuses
Revises: 0023_groups
"""
import sqlalchemy as sa
from alembic import op

import server.db.types

revision = '0024_scheduled_statuses'
down_revision = '0023_groups'
branch_labels = None
depends_on = None

ID = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')


def upgrade() -> None:
    op.create_table('scheduled_posts',
    sa.Column('id', ID, autoincrement=False, nullable=False),
    sa.Column('author_id', ID, nullable=False),
    sa.Column('scheduled_at', server.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('params', server.db.types.Json, nullable=False),
    sa.Column('created_at', server.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['actors.id'], name=op.f('fk_scheduled_posts_author_id_actors'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_scheduled_posts'))
    )
    op.create_index('ix_scheduled_posts_author_id', 'scheduled_posts', ['author_id'], unique=False)
    op.create_index('ix_scheduled_posts_scheduled_at', 'scheduled_posts', ['scheduled_at'], unique=False)
    with op.batch_alter_table('media_attachments') as batch:
        batch.add_column(sa.Column('scheduled_id', ID, nullable=True))
        batch.create_foreign_key(op.f('fk_media_attachments_scheduled_id_scheduled_posts'), 'scheduled_posts',
                                 ['scheduled_id'], ['id'], ondelete='SET NULL')
        batch.create_index('ix_media_attachments_scheduled_id', ['scheduled_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('media_attachments') as batch:
        batch.drop_index('ix_media_attachments_scheduled_id')
        batch.drop_constraint(op.f('fk_media_attachments_scheduled_id_scheduled_posts'), type_='foreignkey')
        batch.drop_column('scheduled_id')
    op.drop_index('ix_scheduled_posts_scheduled_at', table_name='scheduled_posts')
    op.drop_index('ix_scheduled_posts_author_id', table_name='scheduled_posts')
    op.drop_table('scheduled_posts')
