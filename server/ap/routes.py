"""The ActivityPub route table."""
from server.ap import actors, discovery, groups, inbox, namespace, objects

ROUTES = [*discovery.ROUTES, *actors.ROUTES, *groups.ROUTES, *objects.ROUTES, *namespace.ROUTES, *inbox.ROUTES]
