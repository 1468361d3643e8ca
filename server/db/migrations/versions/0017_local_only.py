"""posts.local_only: a post in a members-only thread that keeps a narrower audience (followers-only, direct)
and, like the thread, never leaves the instance

Revision ID: 0017_local_only
Revises: 0016_filters
"""
import sqlalchemy as sa
from alembic import op

revision = '0017_local_only'
down_revision = '0016_filters'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Not a batch: rebuilding posts on SQLite would drop the search triggers.
    op.add_column('posts', sa.Column('local_only', sa.Boolean(), server_default=sa.false(), nullable=False))


def downgrade() -> None:
    op.execute("ALTER TABLE posts DROP COLUMN local_only")
