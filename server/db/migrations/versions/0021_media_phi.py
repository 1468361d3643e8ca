"""media_phi: the privacy guard's verdict on each upload (status and findings with boxes)

Uploads made before this revision were never looked at: they read "unchecked", so posting one asks the
instance's policy as for an image the guard could not check.

Revision ID: 0021_media_phi
Revises: 0020_local_only_threads
"""
import sqlalchemy as sa
from alembic import op

revision = '0021_media_phi'
down_revision = '0020_local_only_threads'
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(sa.dialects.postgresql.JSONB(astext_type=sa.Text()), 'postgresql')


def upgrade() -> None:
    op.add_column('media_attachments', sa.Column('phi_status', sa.String(16), nullable=False,
                                                 server_default='unchecked'))
    op.add_column('media_attachments', sa.Column('phi_findings', JSON, nullable=False, server_default='[]'))


def downgrade() -> None:
    with op.batch_alter_table('media_attachments') as batch:
        batch.drop_column('phi_findings')
        batch.drop_column('phi_status')
