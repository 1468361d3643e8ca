"""post_phi_confirmed: a post records that its author confirmed it despite the patient-privacy guard

Revision ID: 0019_post_phi_confirmed
Revises: 0018_applicant_names
"""
import sqlalchemy as sa
from alembic import op

revision = '0019_post_phi_confirmed'
down_revision = '0018_applicant_names'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Not a batch: rebuilding posts on SQLite would drop the search triggers.
    op.add_column('posts', sa.Column('phi_confirmed', sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade() -> None:
    op.execute("ALTER TABLE posts DROP COLUMN phi_confirmed")
