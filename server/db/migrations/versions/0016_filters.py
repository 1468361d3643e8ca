"""filters: members' keyword filters (Mastodon's v2 filters), their keywords and filtered posts

Revision ID: 0016_filters
Revises: 0015_followed_tags
"""
import sqlalchemy as sa
from alembic import op

import server.db.types

revision = '0016_filters'
down_revision = '0015_followed_tags'
branch_labels = None
depends_on = None

ID = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')
JSON = sa.JSON().with_variant(sa.dialects.postgresql.JSONB(astext_type=sa.Text()), 'postgresql')


def upgrade() -> None:
    op.create_table('keyword_filters',
    sa.Column('id', ID, nullable=False),
    sa.Column('actor_id', ID, nullable=False),
    sa.Column('title', sa.Text(), nullable=False),
    sa.Column('context', JSON, nullable=False),
    sa.Column('action', sa.String(length=8), nullable=False),
    sa.Column('expires_at', server.db.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_at', server.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['actors.id'], name=op.f('fk_keyword_filters_actor_id_actors'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_keyword_filters'))
    )
    op.create_index(op.f('ix_keyword_filters_actor_id'), 'keyword_filters', ['actor_id'], unique=False)
    op.create_table('filter_keywords',
    sa.Column('id', ID, nullable=False),
    sa.Column('filter_id', ID, nullable=False),
    sa.Column('keyword', sa.Text(), nullable=False),
    sa.Column('whole_word', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['filter_id'], ['keyword_filters.id'], name=op.f('fk_filter_keywords_filter_id_keyword_filters'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_filter_keywords'))
    )
    op.create_index(op.f('ix_filter_keywords_filter_id'), 'filter_keywords', ['filter_id'], unique=False)
    op.create_table('filter_statuses',
    sa.Column('id', ID, nullable=False),
    sa.Column('filter_id', ID, nullable=False),
    sa.Column('post_id', ID, nullable=False),
    sa.ForeignKeyConstraint(['filter_id'], ['keyword_filters.id'], name=op.f('fk_filter_statuses_filter_id_keyword_filters'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['post_id'], ['posts.id'], name=op.f('fk_filter_statuses_post_id_posts'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_filter_statuses')),
    sa.UniqueConstraint('filter_id', 'post_id', name=op.f('uq_filter_statuses_filter_id'))
    )
    op.create_index(op.f('ix_filter_statuses_post_id'), 'filter_statuses', ['post_id'], unique=False)


def downgrade() -> None:
    op.drop_table('filter_statuses')
    op.drop_table('filter_keywords')
    op.drop_table('keyword_filters')
