"""accounts, actors and instance settings

Revision ID: 0001
Revises:
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import server.db.types

revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('actors',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('uri', sa.Text(), nullable=False),
    sa.Column('local', sa.Boolean(), nullable=False),
    sa.Column('username', sa.String(length=255), nullable=False),
    sa.Column('domain', sa.String(length=255), nullable=False),
    sa.Column('actor_type', sa.String(length=32), nullable=False),
    sa.Column('display_name', sa.Text(), nullable=False),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.Column('url', sa.Text(), nullable=True),
    sa.Column('icon_url', sa.Text(), nullable=True),
    sa.Column('header_url', sa.Text(), nullable=True),
    sa.Column('inbox', sa.Text(), nullable=True),
    sa.Column('shared_inbox', sa.Text(), nullable=True),
    sa.Column('outbox', sa.Text(), nullable=True),
    sa.Column('followers_url', sa.Text(), nullable=True),
    sa.Column('following_url', sa.Text(), nullable=True),
    sa.Column('public_key_id', sa.Text(), nullable=True),
    sa.Column('public_key_pem', sa.Text(), nullable=True),
    sa.Column('private_key_pem', sa.Text(), nullable=True),
    sa.Column('manually_approves', sa.Boolean(), nullable=False),
    sa.Column('discoverable', sa.Boolean(), nullable=False),
    sa.Column('fields', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('published', server.db.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_at', server.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', server.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('fetched_at', server.db.types.UTCDateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_actors')),
    sa.UniqueConstraint('uri', name=op.f('uq_actors_uri'))
    )
    with op.batch_alter_table('actors', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_actors_domain'), ['domain'], unique=False)
        batch_op.create_index(batch_op.f('ix_actors_public_key_id'), ['public_key_id'], unique=False)
    op.create_index('ix_actors_domain_username', 'actors', ['domain', sa.text('lower(username)')], unique=True)

    op.create_table('instance_settings',
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('value', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('updated_at', server.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_instance_settings'))
    )
    op.create_table('accounts',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('actor_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('email', sa.String(length=320), nullable=False),
    sa.Column('password_hash', sa.Text(), nullable=True),
    sa.Column('role', sa.String(length=16), nullable=False),
    sa.Column('created_at', server.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('confirmed_at', server.db.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('approved_at', server.db.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('disabled_at', server.db.types.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['actor_id'], ['actors.id'], name=op.f('fk_accounts_actor_id_actors'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_accounts')),
    sa.UniqueConstraint('actor_id', name=op.f('uq_accounts_actor_id')),
    sa.UniqueConstraint('email', name=op.f('uq_accounts_email'))
    )


def downgrade() -> None:
    op.drop_table('accounts')
    op.drop_table('instance_settings')
    op.drop_index('ix_actors_domain_username', table_name='actors')
    with op.batch_alter_table('actors', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_actors_public_key_id'))
        batch_op.drop_index(batch_op.f('ix_actors_domain'))

    op.drop_table('actors')
