"""local_only for old replies: every post below a members-only post stays on the instance

Replies written before 0017 under a members-only post were hidden by walking up their thread on each
check; marking them local_only once lets every check read the post itself (server.db.models.posts.stays_local).

Revision ID: 0020_local_only_threads
Revises: 0019_post_phi_confirmed
"""
from alembic import op

revision = '0020_local_only_threads'
down_revision = '0019_post_phi_confirmed'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        "WITH RECURSIVE hidden(id) AS ("
        " SELECT id FROM posts WHERE visibility = 'local' OR local_only"
        " UNION SELECT posts.id FROM posts JOIN hidden ON posts.in_reply_to_id = hidden.id)"
        " UPDATE posts SET local_only = TRUE WHERE id IN (SELECT id FROM hidden) AND NOT local_only"
        " AND visibility <> 'local'")


def downgrade() -> None:
    pass  # local_only stays true: the thread walk that stood for it is gone
