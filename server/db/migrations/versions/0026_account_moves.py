"""account moves: aliases (alsoKnownAs), the time of a member's move, and CSV import jobs

Revision ID: 0026_account_moves
Revises: 0025_push_subscriptions
"""
import sqlalchemy as sa
from alembic import op

import server.db.types

revision = '0026_account_moves'
down_revision = '0025_push_subscriptions'
branch_labels = None
depends_on = None

ID = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')


def upgrade() -> None:
    op.add_column('actors', sa.Column('moved_at', server.db.types.UTCDateTime(timezone=True), nullable=True))
    op.add_column('actors', sa.Column('also_known_as', server.db.types.Json, nullable=True))
    op.create_table('import_jobs',
    sa.Column('id', ID, nullable=False),
    sa.Column('actor_id', ID, nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('mode', sa.String(length=16), nullable=False),
    sa.Column('rows', server.db.types.Json, nullable=False),
    sa.Column('total', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('imported', sa.Integer(), nullable=False),
    sa.Column('failed', sa.Integer(), nullable=False),
    sa.Column('cleared', sa.Boolean(), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('locked_until', server.db.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_at', server.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('finished_at', server.db.types.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['actor_id'], ['actors.id'], name=op.f('fk_import_jobs_actor_id_actors'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_import_jobs'))
    )
    op.create_index('ix_import_jobs_actor_id', 'import_jobs', ['actor_id'], unique=False)
    op.create_index('ix_import_jobs_state_created_at', 'import_jobs', ['state', 'created_at'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_import_jobs_state_created_at', table_name='import_jobs')
    op.drop_index('ix_import_jobs_actor_id', table_name='import_jobs')
    op.drop_table('import_jobs')
    op.drop_column('actors', 'also_known_as')
    op.drop_column('actors', 'moved_at')
