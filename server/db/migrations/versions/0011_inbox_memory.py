"""inbox memory: ids of activities pruned from the queue, and of remote objects deleted

Revision ID: 0011
Revises: 0010
"""
import sqlalchemy as sa
from alembic import op

import server.db.types

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('deleted_objects',
    sa.Column('digest', sa.LargeBinary(length=16), nullable=False),
    sa.Column('deleted_at', server.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('digest', name=op.f('pk_deleted_objects'))
    )
    op.create_index(op.f('ix_deleted_objects_deleted_at'), 'deleted_objects', ['deleted_at'], unique=False)
    op.create_table('seen_activities',
    sa.Column('digest', sa.LargeBinary(length=16), nullable=False),
    sa.Column('seen_at', server.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('digest', name=op.f('pk_seen_activities'))
    )
    op.create_index(op.f('ix_seen_activities_seen_at'), 'seen_activities', ['seen_at'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_seen_activities_seen_at'), table_name='seen_activities')
    op.drop_table('seen_activities')
    op.drop_index(op.f('ix_deleted_objects_deleted_at'), table_name='deleted_objects')
    op.drop_table('deleted_objects')
