"""The ActivityPub route table."""
from server.ap import actors, discovery, inbox, objects

ROUTES = [*discovery.ROUTES, *actors.ROUTES, *objects.ROUTES, *inbox.ROUTES]
