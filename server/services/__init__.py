"""The domain layer: what the client API, the web UI, ActivityPub endpoints, the CLI and the workers ask for.
Services take a `Runtime` and a session; the caller commits. Grouped by the thing they serve: `posts/`,
`reading/`, `social/`, `accounts/`, `verification/`, `federation/` (the instance's side of it, with storage),
`instance/` and `moderation/`; each package's docstring says what belongs there."""
