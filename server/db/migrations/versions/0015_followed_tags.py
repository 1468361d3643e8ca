"""followed tags: members following hashtags into their home timelines

Revision ID: 0015_followed_tags
Revises: 0014_conversations
"""
import sqlalchemy as sa
from alembic import op

import server.db.types

revision = '0015_followed_tags'
down_revision = '0014_conversations'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('tag_follows',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('actor_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('tag', sa.String(length=128), nullable=False),
    sa.Column('created_at', server.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['actors.id'], name=op.f('fk_tag_follows_actor_id_actors'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tag_follows')),
    sa.UniqueConstraint('tag', 'actor_id', name=op.f('uq_tag_follows_tag'))
    )
    op.create_index('ix_tag_follows_actor_id_id', 'tag_follows', ['actor_id', 'id'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_tag_follows_actor_id_id', table_name='tag_follows')
    op.drop_table('tag_follows')
