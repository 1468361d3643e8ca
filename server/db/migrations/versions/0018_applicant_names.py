"""applicant names: applicants shown under the real name they gave for review get their username back

Sign-up used to copy the real name into the public display name. Applicants (not yet confirmed or approved)
cannot have chosen that name themselves, since they cannot log in: theirs is reset. Members admitted since may
have kept it on purpose, so theirs stays.

Revision ID: 0018_applicant_names
Revises: 0017_local_only
"""
from alembic import op

revision = '0018_applicant_names'
down_revision = '0017_local_only'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        "UPDATE actors SET display_name = username WHERE id IN ("
        " SELECT accounts.actor_id FROM accounts JOIN member_profiles ON member_profiles.actor_id = accounts.actor_id"
        " WHERE (accounts.confirmed_at IS NULL OR accounts.approved_at IS NULL) AND member_profiles.real_name <> ''"
        " AND member_profiles.real_name = actors.display_name)")


def downgrade() -> None:
    pass  # the copied names are not worth restoring
