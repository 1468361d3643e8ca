"""The Mastodon client API route table: one module per resource, every route listed here with what it
needs of the caller (`Need`: token kind and scope). Handlers read that declaration through
`authenticate(request)`; tests/test_api_auth.py walks this table so no endpoint can skip its checks."""
from server.api.mastodon import accounts, apps, instance, notifications, search, statuses, timelines
from server.api.mastodon.auth import PUBLIC, ApiRoute, app_token, optional, user

GET, POST, PUT, DELETE = ["GET"], ["POST"], ["PUT"], ["DELETE"]

ROUTES = [
    ApiRoute("/api/v1/apps", apps.create_app, PUBLIC, POST),
    ApiRoute("/api/v1/apps/verify_credentials", apps.verify_app, app_token()),
    ApiRoute("/api/v1/instance", instance.instance_v1, PUBLIC),
    ApiRoute("/api/v2/instance", instance.instance_v2, PUBLIC),
    ApiRoute("/api/v1/instance/peers", instance.peers, PUBLIC),
    ApiRoute("/api/v1/instance/rules", instance.rules, PUBLIC),
    ApiRoute("/api/v1/custom_emojis", instance.custom_emojis, PUBLIC),
    ApiRoute("/api/v1/accounts/verify_credentials", accounts.verify_credentials, user("read:accounts")),
    ApiRoute("/api/v1/accounts/lookup", accounts.lookup, optional("read:accounts")),
    ApiRoute("/api/v1/accounts/search", accounts.search, user("read:accounts")),
    ApiRoute("/api/v1/accounts/relationships", accounts.relationships, user("read:follows")),
    ApiRoute("/api/v1/accounts/{id}", accounts.show, optional("read:accounts")),
    ApiRoute("/api/v1/accounts/{id}/statuses", accounts.statuses, optional("read:statuses")),
    ApiRoute("/api/v1/accounts/{id}/followers", accounts.followers, optional("read:accounts")),
    ApiRoute("/api/v1/accounts/{id}/following", accounts.following, optional("read:accounts")),
    ApiRoute("/api/v1/accounts/{id}/follow", accounts.follow, user("write:follows"), POST),
    ApiRoute("/api/v1/accounts/{id}/unfollow", accounts.unfollow, user("write:follows"), POST),
    ApiRoute("/api/v1/follow_requests", accounts.follow_requests, user("read:follows")),
    ApiRoute("/api/v1/follow_requests/{id}/authorize", accounts.authorize_follow, user("write:follows"), POST),
    ApiRoute("/api/v1/follow_requests/{id}/reject", accounts.reject_follow, user("write:follows"), POST),
    ApiRoute("/api/v1/statuses", statuses.create, user("write:statuses"), POST),
    ApiRoute("/api/v1/statuses/{id}", statuses.show, optional("read:statuses")),
    ApiRoute("/api/v1/statuses/{id}", statuses.edit, user("write:statuses"), PUT),
    ApiRoute("/api/v1/statuses/{id}", statuses.remove, user("write:statuses"), DELETE),
    ApiRoute("/api/v1/statuses/{id}/source", statuses.source, user("read:statuses")),
    ApiRoute("/api/v1/statuses/{id}/history", statuses.history, optional("read:statuses")),
    ApiRoute("/api/v1/statuses/{id}/context", statuses.context, optional("read:statuses")),
    ApiRoute("/api/v1/statuses/{id}/favourite", statuses.favourite, user("write:favourites"), POST),
    ApiRoute("/api/v1/statuses/{id}/unfavourite", statuses.unfavourite, user("write:favourites"), POST),
    ApiRoute("/api/v1/statuses/{id}/reblog", statuses.reblog, user("write:statuses"), POST),
    ApiRoute("/api/v1/statuses/{id}/unreblog", statuses.unreblog, user("write:statuses"), POST),
    ApiRoute("/api/v1/statuses/{id}/favourited_by", statuses.favourited_by, optional("read:statuses")),
    ApiRoute("/api/v1/statuses/{id}/reblogged_by", statuses.reblogged_by, optional("read:statuses")),
    ApiRoute("/api/v1/timelines/home", timelines.home, user("read:statuses")),
    ApiRoute("/api/v1/timelines/public", timelines.public, optional("read:statuses")),
    ApiRoute("/api/v1/timelines/tag/{hashtag}", timelines.tag, optional("read:statuses")),
    ApiRoute("/api/v1/notifications", notifications.index, user("read:notifications")),
    ApiRoute("/api/v1/notifications/clear", notifications.clear, user("write:notifications"), POST),
    ApiRoute("/api/v1/notifications/{id}", notifications.show, user("read:notifications")),
    ApiRoute("/api/v1/notifications/{id}/dismiss", notifications.dismiss, user("write:notifications"), POST),
    ApiRoute("/api/v2/search", search.search, optional("read:search")),
]
