"""usernames unique among local actors only; actors record where they moved

Revision ID: 0004
Revises: 0003
"""
import sqlalchemy as sa
from alembic import op

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain ADD COLUMN, not batch mode: SQLite's table copy would drop the expression indexes below.
    op.add_column('actors', sa.Column('moved_to_uri', sa.Text(), nullable=True))
    op.drop_index('ix_actors_domain_username', table_name='actors')
    op.create_index('ix_actors_local_username', 'actors', ['domain', sa.text('lower(username)')], unique=True,
                    sqlite_where=sa.text('local'), postgresql_where=sa.text('local'))
    op.create_index('ix_actors_domain_username', 'actors', ['domain', sa.text('lower(username)')])


def downgrade() -> None:
    op.drop_index('ix_actors_domain_username', table_name='actors')
    op.drop_index('ix_actors_local_username', table_name='actors')
    op.create_index('ix_actors_domain_username', 'actors', ['domain', sa.text('lower(username)')], unique=True)
    op.drop_column('actors', 'moved_to_uri')
