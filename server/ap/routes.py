"""The ActivityPub route table."""
from server.ap import actors, discovery, inbox, namespace, objects

ROUTES = [*discovery.ROUTES, *actors.ROUTES, *objects.ROUTES, *namespace.ROUTES, *inbox.ROUTES]
