"""push_subscriptions: Web Push subscriptions (one per access token) and the pushes waiting to go

Revision ID: 0025_push_subscriptions
Revises: 0024_scheduled_statuses
"""
import sqlalchemy as sa
from alembic import op

import server.db.types

revision = '0025_push_subscriptions'
down_revision = '0024_scheduled_statuses'
branch_labels = None
depends_on = None

ID = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')


def upgrade() -> None:
    op.create_table('push_subscriptions',
    sa.Column('id', ID, nullable=False),
    sa.Column('token_id', ID, nullable=False),
    sa.Column('actor_id', ID, nullable=False),
    sa.Column('endpoint', sa.Text(), nullable=False),
    sa.Column('key_p256dh', sa.String(length=128), nullable=False),
    sa.Column('key_auth', sa.String(length=64), nullable=False),
    sa.Column('alerts', server.db.types.Json, nullable=False),
    sa.Column('policy', sa.String(length=16), nullable=False),
    sa.Column('sealed_token', sa.Text(), nullable=False),
    sa.Column('created_at', server.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['token_id'], ['oauth_tokens.id'], name=op.f('fk_push_subscriptions_token_id_oauth_tokens'),
                            ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['actor_id'], ['actors.id'], name=op.f('fk_push_subscriptions_actor_id_actors'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_push_subscriptions')),
    sa.UniqueConstraint('token_id', name=op.f('uq_push_subscriptions_token_id'))
    )
    op.create_index('ix_push_subscriptions_actor_id', 'push_subscriptions', ['actor_id'], unique=False)
    op.create_table('push_deliveries',
    sa.Column('id', ID, nullable=False),
    sa.Column('subscription_id', ID, nullable=False),
    sa.Column('notification_id', ID, nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_try_at', server.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('locked_until', server.db.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('created_at', server.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['subscription_id'], ['push_subscriptions.id'],
                            name=op.f('fk_push_deliveries_subscription_id_push_subscriptions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['notification_id'], ['notifications.id'],
                            name=op.f('fk_push_deliveries_notification_id_notifications'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_push_deliveries'))
    )
    op.create_index('ix_push_deliveries_next_try_at', 'push_deliveries', ['next_try_at'], unique=False)
    op.create_index('ix_push_deliveries_subscription_id', 'push_deliveries', ['subscription_id'], unique=False)
    op.create_index('ix_push_deliveries_notification_id', 'push_deliveries', ['notification_id'], unique=False)


def downgrade() -> None:
    op.drop_table('push_deliveries')
    op.drop_table('push_subscriptions')
