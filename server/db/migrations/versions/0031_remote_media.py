"""remote media cache: copies of other servers' media in our storage, with the time each was fetched

Revision ID: 0031_remote_media
Revises: 0030_cases
"""
import sqlalchemy as sa
from alembic import op

import server.db.types

revision = '0031_remote_media'
down_revision = '0030_cases'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('remote_media',
    sa.Column('url_hash', sa.String(length=64), nullable=False),
    sa.Column('url', sa.Text(), nullable=False),
    sa.Column('domain', sa.String(length=255), nullable=False),
    sa.Column('file_key', sa.String(length=128), nullable=False),
    sa.Column('media_type', sa.String(length=64), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('fetched_at', server.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('url_hash', name=op.f('pk_remote_media'))
    )
    op.create_index(op.f('ix_remote_media_domain'), 'remote_media', ['domain'], unique=False)
    op.create_index(op.f('ix_remote_media_fetched_at'), 'remote_media', ['fetched_at'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_remote_media_fetched_at'), table_name='remote_media')
    op.drop_index(op.f('ix_remote_media_domain'), table_name='remote_media')
    op.drop_table('remote_media')
