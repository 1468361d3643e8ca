"""The database models: one module per area, all registered on one metadata for Alembic."""
from server.db.models.base import Base
from server.db.models.accounts import Account, Actor, InstanceSetting

__all__ = ["Base", "Account", "Actor", "InstanceSetting"]
