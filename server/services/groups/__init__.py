"""Groups hosted here (FEP-1b12, as Lemmy, Mbin, PieFed and NodeBB implement them): `registry` (creating, listing
and changing groups, their moderators), `joining` (who may join, by each group's join policy), `relay` (posts
addressed to a group or replying in its threads, and what is done to them, announced by it to its followers),
`threads` (its posts, threads and each thread's context as others read them), `browsing` (the directory,
a group's threads and one thread as people read them in the web UI), `posting` (a member starting a thread or
replying in one, through the posts service and its privacy guard), `remote_threads` (the remote group whose thread
a post is in, for members' likes and replies there)."""
