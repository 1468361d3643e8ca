"""Web Push to members' phones, as Mastodon does it: `subscriptions` (one per access token: where to push, which
notification types, from whom), `queueing` (a push queued for each notification a subscription wants, in the
transaction that makes the notification), `payload` (what one push says, as Mastodon's Web::NotificationSerializer).
The worker sends them (server.jobs.push); the protocol is federation.webpush and federation.vapid."""
