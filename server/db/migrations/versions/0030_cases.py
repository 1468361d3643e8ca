"""cases: case discussions (curbside consults), a row per case keyed by the post that starts its thread

Revision ID: 0030_cases
Revises: 0029_account_extras
"""
import sqlalchemy as sa
from alembic import op

import server.db.types

revision = '0030_cases'
down_revision = '0029_account_extras'
branch_labels = None
depends_on = None

ID = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')


def upgrade() -> None:
    op.create_table('cases',
    sa.Column('post_id', ID, nullable=False),
    sa.Column('group_id', ID, nullable=True),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('accepted_answer_id', ID, nullable=True),
    sa.Column('accepted_answer_uri', sa.Text(), nullable=True),
    sa.Column('title', sa.Text(), nullable=False),
    sa.Column('question', sa.Text(), nullable=False),
    sa.Column('presentation', sa.Text(), nullable=False),
    sa.Column('specialties', server.db.types.Json, nullable=False),
    sa.Column('age_band', sa.String(length=16), nullable=False),
    sa.Column('sex', sa.String(length=16), nullable=False),
    sa.Column('resolved_at', server.db.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_at', server.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['post_id'], ['posts.id'], name=op.f('fk_cases_post_id_posts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['group_id'], ['actors.id'], name=op.f('fk_cases_group_id_actors'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['accepted_answer_id'], ['posts.id'], name=op.f('fk_cases_accepted_answer_id_posts'),
                            ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('post_id', name=op.f('pk_cases'))
    )
    op.create_index('ix_cases_group_id', 'cases', ['group_id'], unique=False)
    op.create_index('ix_cases_state_post_id', 'cases', ['state', 'post_id'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_cases_state_post_id', table_name='cases')
    op.drop_index('ix_cases_group_id', table_name='cases')
    op.drop_table('cases')
