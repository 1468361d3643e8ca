"""conversations: each local participant's view of a direct conversation (unread, last status)

Revision ID: 0014_conversations
Revises: 0013_lists
"""
import sqlalchemy as sa
from alembic import op

revision = '0014_conversations'
down_revision = '0013_lists'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('conversations',
    sa.Column('owner_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('root_id', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('last_status_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('unread', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['last_status_id'], ['posts.id'], name=op.f('fk_conversations_last_status_id_posts'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['owner_id'], ['actors.id'], name=op.f('fk_conversations_owner_id_actors'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('owner_id', 'root_id', name=op.f('pk_conversations'))
    )
    op.create_index(op.f('ix_conversations_last_status_id'), 'conversations', ['last_status_id'], unique=False)
    op.create_index('ix_conversations_owner_id_last_status_id', 'conversations', ['owner_id', 'last_status_id'],
                    unique=False)


def downgrade() -> None:
    op.drop_index('ix_conversations_owner_id_last_status_id', table_name='conversations')
    op.drop_index(op.f('ix_conversations_last_status_id'), table_name='conversations')
    op.drop_table('conversations')
