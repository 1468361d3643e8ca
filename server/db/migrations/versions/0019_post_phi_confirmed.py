"""post_phi_confirmed: a post records that its author confirmed it despite the patient-privacy guard

Revision ID: 0019_post_phi_confirmed
Revises: 0018_applicant_names
"""
from alembic import op
import sqlalchemy as sa

revision = '0019_post_phi_confirmed'
down_revision = '0018_applicant_names'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('posts') as batch:
        batch.add_column(sa.Column('phi_confirmed', sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table('posts') as batch:
        batch.drop_column('phi_confirmed')
