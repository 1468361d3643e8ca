"""phi hold: the queue of posts held by the patient-privacy guard; online checks of verification requests

Revision ID: 0012
Revises: 0011
"""
import sqlalchemy as sa
from alembic import op

import server.db.types

revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(sa.dialects.postgresql.JSONB(astext_type=sa.Text()), 'postgresql')


def upgrade() -> None:
    op.create_table('held_posts',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('post_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('kind', sa.String(length=8), nullable=False),
    sa.Column('visibility', sa.String(length=16), nullable=False),
    sa.Column('edit', JSON, nullable=True),
    sa.Column('findings', JSON, nullable=False),
    sa.Column('created_at', server.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['post_id'], ['posts.id'], name=op.f('fk_held_posts_post_id_posts'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_held_posts')),
    sa.UniqueConstraint('post_id', name=op.f('uq_held_posts_post_id'))
    )
    with op.batch_alter_table('verification_requests', schema=None) as batch_op:
        batch_op.add_column(sa.Column('online_checks', JSON, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('verification_requests', schema=None) as batch_op:
        batch_op.drop_column('online_checks')
    op.drop_table('held_posts')
