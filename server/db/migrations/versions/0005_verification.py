"""members and verification: profiles, invites, email tokens, login throttling, verification requests,
granted verifications, the append-only audit log, remote attestations

Revision ID: 0005
Revises: 0004
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import server.db.types

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('login_failures',
    sa.Column('key', sa.String(length=300), nullable=False),
    sa.Column('failures', sa.Integer(), nullable=False),
    sa.Column('first_at', server.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('locked_until', server.db.types.UTCDateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_login_failures'))
    )
    op.create_table('verification_audit',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('at', server.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('action', sa.String(length=32), nullable=False),
    sa.Column('by_account_id', sa.BigInteger(), nullable=True),
    sa.Column('by_username', sa.String(length=255), nullable=True),
    sa.Column('subject_account_id', sa.BigInteger(), nullable=True),
    sa.Column('subject_username', sa.String(length=255), nullable=True),
    sa.Column('request_id', sa.BigInteger(), nullable=True),
    sa.Column('verification_id', sa.BigInteger(), nullable=True),
    sa.Column('evidence_sha256', sa.String(length=64), nullable=True),
    sa.Column('detail', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_verification_audit'))
    )
    with op.batch_alter_table('verification_audit', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_verification_audit_subject_account_id'), ['subject_account_id'], unique=False)

    op.create_table('member_profiles',
    sa.Column('actor_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('real_name', sa.Text(), nullable=False),
    sa.Column('pseudonymous', sa.Boolean(), nullable=False),
    sa.Column('profession', sa.String(length=32), nullable=True),
    sa.Column('specialty_code', sa.String(length=16), nullable=True),
    sa.Column('institution', sa.Text(), nullable=True),
    sa.Column('jurisdiction', sa.String(length=64), nullable=True),
    sa.Column('updated_at', server.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['actors.id'], name=op.f('fk_member_profiles_actor_id_actors'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('actor_id', name=op.f('pk_member_profiles'))
    )
    op.create_table('remote_attestations',
    sa.Column('actor_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('credential_id', sa.Text(), nullable=True),
    sa.Column('issuer', sa.Text(), nullable=True),
    sa.Column('issuer_domain', sa.String(length=255), nullable=True),
    sa.Column('profession', sa.String(length=64), nullable=True),
    sa.Column('specialty_code', sa.String(length=32), nullable=True),
    sa.Column('specialty_name', sa.Text(), nullable=True),
    sa.Column('jurisdiction', sa.String(length=64), nullable=True),
    sa.Column('valid_from', server.db.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('valid_until', server.db.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('checked_at', server.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['actors.id'], name=op.f('fk_remote_attestations_actor_id_actors'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('actor_id', name=op.f('pk_remote_attestations'))
    )
    with op.batch_alter_table('remote_attestations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_remote_attestations_issuer_domain'), ['issuer_domain'], unique=False)

    op.create_table('account_tokens',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('account_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('purpose', sa.String(length=16), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('expires_at', server.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('used_at', server.db.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_at', server.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], name=op.f('fk_account_tokens_account_id_accounts'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_account_tokens')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_account_tokens_token_hash'))
    )
    with op.batch_alter_table('account_tokens', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_account_tokens_account_id'), ['account_id'], unique=False)

    op.create_table('invites',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('code', sa.String(length=64), nullable=False),
    sa.Column('created_by_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('max_uses', sa.Integer(), nullable=True),
    sa.Column('uses', sa.Integer(), nullable=False),
    sa.Column('expires_at', server.db.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('revoked_at', server.db.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_at', server.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['accounts.id'], name=op.f('fk_invites_created_by_id_accounts'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_invites')),
    sa.UniqueConstraint('code', name=op.f('uq_invites_code'))
    )
    op.create_table('verification_requests',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('account_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('profession', sa.String(length=32), nullable=False),
    sa.Column('specialty_code', sa.String(length=16), nullable=False),
    sa.Column('credential_type', sa.String(length=32), nullable=False),
    sa.Column('credential_number', sa.String(length=64), nullable=False),
    sa.Column('jurisdiction', sa.String(length=64), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('member_note', sa.Text(), nullable=True),
    sa.Column('reviewer_note', sa.Text(), nullable=True),
    sa.Column('evidence_path', sa.Text(), nullable=True),
    sa.Column('evidence_name', sa.Text(), nullable=True),
    sa.Column('evidence_type', sa.String(length=100), nullable=True),
    sa.Column('evidence_sha256', sa.String(length=64), nullable=True),
    sa.Column('evidence_deleted_at', server.db.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('decided_by_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('decided_at', server.db.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_at', server.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', server.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], name=op.f('fk_verification_requests_account_id_accounts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['decided_by_id'], ['accounts.id'], name=op.f('fk_verification_requests_decided_by_id_accounts'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_verification_requests'))
    )
    with op.batch_alter_table('verification_requests', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_verification_requests_account_id'), ['account_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_verification_requests_state'), ['state'], unique=False)

    op.create_table('verifications',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('account_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('request_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('credential_id', sa.Text(), nullable=False),
    sa.Column('profession', sa.String(length=32), nullable=False),
    sa.Column('specialty_code', sa.String(length=16), nullable=False),
    sa.Column('jurisdiction', sa.String(length=64), nullable=False),
    sa.Column('valid_from', server.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('valid_until', server.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('attestation', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('granted_by_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('revoked_at', server.db.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('revoke_reason', sa.Text(), nullable=True),
    sa.Column('expired_at', server.db.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('reminded_at', server.db.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_at', server.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], name=op.f('fk_verifications_account_id_accounts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['granted_by_id'], ['accounts.id'], name=op.f('fk_verifications_granted_by_id_accounts'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['request_id'], ['verification_requests.id'], name=op.f('fk_verifications_request_id_verification_requests'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_verifications')),
    sa.UniqueConstraint('credential_id', name=op.f('uq_verifications_credential_id'))
    )
    with op.batch_alter_table('verifications', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_verifications_account_id'), ['account_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_verifications_valid_until'), ['valid_until'], unique=False)

    with op.batch_alter_table('accounts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('locale', sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column('registration_reason', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('invite_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True))

    _append_only("verification_audit")



def _append_only(table: str) -> None:
    """Refuse UPDATE and DELETE on `table` in the database itself, not only in the code."""
    if op.get_bind().dialect.name == "sqlite":
        for verb in ("UPDATE", "DELETE"):
            op.execute(f"CREATE TRIGGER {table}_no_{verb.lower()} BEFORE {verb} ON {table} "
                       f"BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END")
        return
    op.execute(f"CREATE FUNCTION {table}_append_only() RETURNS trigger LANGUAGE plpgsql AS "
               f"$$ BEGIN RAISE EXCEPTION '{table} is append-only'; END $$")
    op.execute(f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
               f"FOR EACH ROW EXECUTE FUNCTION {table}_append_only()")


def downgrade() -> None:
    with op.batch_alter_table('accounts', schema=None) as batch_op:
        batch_op.drop_column('invite_id')
        batch_op.drop_column('registration_reason')
        batch_op.drop_column('locale')

    with op.batch_alter_table('verifications', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_verifications_valid_until'))
        batch_op.drop_index(batch_op.f('ix_verifications_account_id'))

    op.drop_table('verifications')
    with op.batch_alter_table('verification_requests', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_verification_requests_state'))
        batch_op.drop_index(batch_op.f('ix_verification_requests_account_id'))

    op.drop_table('verification_requests')
    op.drop_table('invites')
    with op.batch_alter_table('account_tokens', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_account_tokens_account_id'))

    op.drop_table('account_tokens')
    with op.batch_alter_table('remote_attestations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_remote_attestations_issuer_domain'))

    op.drop_table('remote_attestations')
    op.drop_table('member_profiles')
    with op.batch_alter_table('verification_audit', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_verification_audit_subject_account_id'))

    if op.get_bind().dialect.name != "sqlite":
        op.execute("DROP FUNCTION verification_audit_append_only() CASCADE")
    op.drop_table('verification_audit')
    op.drop_table('login_failures')
