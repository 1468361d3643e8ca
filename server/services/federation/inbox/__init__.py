"""Processing received activities: a dispatch table keyed by (activity type, object type) to small
handlers named on_<activity>_<object>, grouped by subject (follows, posts, reactions, actors, flags).

Handlers resolve what they need from the network first and write afterwards (see context.py); they
are idempotent, so that an activity processed twice changes nothing the second time.
"""
