"""The instance's side of federation, with storage: queueing deliveries, remote hosts' delivery health, remote
actors fetched and stored, signing as a local actor or the instance actor, other servers' media kept in our
storage (remote_media), and processing received activities (inbox/). The protocol itself is the top-level
`federation` package."""
