"""moderation: domain policies, blocklist subscriptions, reports, sanctions, mutes, audit log

Revision ID: 0007
Revises: 0006
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import server.db.types

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('blocklist_subscriptions',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('url', sa.Text(), nullable=False),
    sa.Column('priority', sa.Integer(), nullable=False),
    sa.Column('as_drafts', sa.Boolean(), nullable=False),
    sa.Column('allow', sa.Boolean(), nullable=False),
    sa.Column('etag', sa.Text(), nullable=True),
    sa.Column('last_modified', sa.Text(), nullable=True),
    sa.Column('document', sa.Text(), nullable=True),
    sa.Column('last_fetched_at', server.db.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('last_success_at', server.db.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('failing_since', server.db.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('next_fetch_at', server.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('locked_until', server.db.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_at', server.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_blocklist_subscriptions')),
    sa.UniqueConstraint('url', name=op.f('uq_blocklist_subscriptions_url'))
    )
    op.create_table('policy_version',
    sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('version', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_policy_version'))
    )
    op.create_table('account_moderation',
    sa.Column('actor_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('suspended_at', server.db.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('limited_at', server.db.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('sensitized_at', server.db.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('updated_at', server.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['actors.id'], name=op.f('fk_account_moderation_actor_id_actors'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('actor_id', name=op.f('pk_account_moderation'))
    )
    op.create_table('audit_log',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('created_at', server.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('actor_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('actor_name', sa.String(length=320), nullable=False),
    sa.Column('action', sa.String(length=64), nullable=False),
    sa.Column('target_type', sa.String(length=32), nullable=False),
    sa.Column('target', sa.Text(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('details', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['actors.id'], name=op.f('fk_audit_log_actor_id_actors'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_log'))
    )
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_log_action'), ['action'], unique=False)
        batch_op.create_index('ix_audit_log_target', ['target_type', 'target'], unique=False)

    op.create_table('domain_policies',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('key', sa.String(length=300), nullable=False),
    sa.Column('domain', sa.String(length=255), nullable=False),
    sa.Column('digest', sa.String(length=64), nullable=True),
    sa.Column('allow', sa.Boolean(), nullable=False),
    sa.Column('severity', sa.String(length=16), nullable=False),
    sa.Column('reject_media', sa.Boolean(), nullable=False),
    sa.Column('reject_reports', sa.Boolean(), nullable=False),
    sa.Column('obfuscate', sa.Boolean(), nullable=False),
    sa.Column('public_comment', sa.Text(), nullable=False),
    sa.Column('private_comment', sa.Text(), nullable=False),
    sa.Column('subscription_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('created_at', server.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', server.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['subscription_id'], ['blocklist_subscriptions.id'], name=op.f('fk_domain_policies_subscription_id_blocklist_subscriptions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_domain_policies'))
    )
    with op.batch_alter_table('domain_policies', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_domain_policies_key'), ['key'], unique=False)
        batch_op.create_index(batch_op.f('ix_domain_policies_subscription_id'), ['subscription_id'], unique=False)
    op.create_index('uq_domain_policies_owner', 'domain_policies',
                    ['key', 'allow', sa.text('coalesce(subscription_id, 0)'), 'state'], unique=True)
    op.bulk_insert(sa.table('policy_version', sa.column('id', sa.Integer), sa.column('version', sa.Integer)),
                   [{'id': 1, 'version': 0}])

    op.create_table('mutes',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('actor_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('target_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('notifications', sa.Boolean(), nullable=False),
    sa.Column('expires_at', server.db.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_at', server.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['actors.id'], name=op.f('fk_mutes_actor_id_actors'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['target_id'], ['actors.id'], name=op.f('fk_mutes_target_id_actors'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_mutes')),
    sa.UniqueConstraint('actor_id', 'target_id', name=op.f('uq_mutes_actor_id'))
    )
    with op.batch_alter_table('mutes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_mutes_target_id'), ['target_id'], unique=False)

    op.create_table('reports',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('origin', sa.String(length=16), nullable=False),
    sa.Column('flag_uri', sa.Text(), nullable=True),
    sa.Column('reporter_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('target_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('target_uri', sa.Text(), nullable=False),
    sa.Column('post_ids', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('post_uris', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('category', sa.String(length=32), nullable=False),
    sa.Column('comment', sa.Text(), nullable=False),
    sa.Column('rule_ids', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('forwarded', sa.Boolean(), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('assigned_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('action_taken', sa.String(length=32), nullable=True),
    sa.Column('action_comment', sa.Text(), nullable=False),
    sa.Column('action_by_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('action_at', server.db.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_at', server.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', server.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['action_by_id'], ['actors.id'], name=op.f('fk_reports_action_by_id_actors'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['assigned_id'], ['actors.id'], name=op.f('fk_reports_assigned_id_actors'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['reporter_id'], ['actors.id'], name=op.f('fk_reports_reporter_id_actors'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['target_id'], ['actors.id'], name=op.f('fk_reports_target_id_actors'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reports')),
    sa.UniqueConstraint('flag_uri', name=op.f('uq_reports_flag_uri'))
    )
    with op.batch_alter_table('reports', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_reports_reporter_id'), ['reporter_id'], unique=False)
        batch_op.create_index('ix_reports_state_id', ['state', 'id'], unique=False)
        batch_op.create_index(batch_op.f('ix_reports_target_id'), ['target_id'], unique=False)

    op.create_table('user_domain_blocks',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('actor_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('domain', sa.String(length=255), nullable=False),
    sa.Column('created_at', server.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['actors.id'], name=op.f('fk_user_domain_blocks_actor_id_actors'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_user_domain_blocks')),
    sa.UniqueConstraint('actor_id', 'domain', name=op.f('uq_user_domain_blocks_actor_id'))
    )
    op.create_table('account_warnings',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('actor_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('report_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('action', sa.String(length=32), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('post_uris', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('created_by_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('created_at', server.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('appeal_text', sa.Text(), nullable=True),
    sa.Column('appeal_at', server.db.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('appeal_state', sa.String(length=16), nullable=True),
    sa.Column('appeal_decided_at', server.db.types.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['actor_id'], ['actors.id'], name=op.f('fk_account_warnings_actor_id_actors'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['created_by_id'], ['actors.id'], name=op.f('fk_account_warnings_created_by_id_actors'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['report_id'], ['reports.id'], name=op.f('fk_account_warnings_report_id_reports'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_account_warnings'))
    )
    with op.batch_alter_table('account_warnings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_account_warnings_actor_id'), ['actor_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('account_warnings', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_account_warnings_actor_id'))

    op.drop_table('account_warnings')
    op.drop_table('user_domain_blocks')
    with op.batch_alter_table('reports', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_reports_target_id'))
        batch_op.drop_index('ix_reports_state_id')
        batch_op.drop_index(batch_op.f('ix_reports_reporter_id'))

    op.drop_table('reports')
    with op.batch_alter_table('mutes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_mutes_target_id'))

    op.drop_table('mutes')
    with op.batch_alter_table('domain_policies', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_domain_policies_subscription_id'))
        batch_op.drop_index(batch_op.f('ix_domain_policies_key'))

    op.drop_index('uq_domain_policies_owner', table_name='domain_policies')
    op.drop_table('domain_policies')
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.drop_index('ix_audit_log_target')
        batch_op.drop_index(batch_op.f('ix_audit_log_action'))

    op.drop_table('audit_log')
    op.drop_table('account_moderation')
    op.drop_table('policy_version')
    op.drop_table('blocklist_subscriptions')
