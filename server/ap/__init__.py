"""ActivityPub over HTTP: discovery, actors and objects (GET), inboxes (POST). Thin handlers over services."""
