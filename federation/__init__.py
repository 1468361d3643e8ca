"""ActivityPub as a library: no storage, no routes."""
