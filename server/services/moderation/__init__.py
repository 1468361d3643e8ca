"""Moderation, stored and enforced: `moderation/` decides, these modules keep the rows and apply
the decisions (domain policies and their cache, blocklist subscriptions and publishing, reports,
sanctions and appeals, roles, the privacy guard's hold queue, what moderation hides from a viewer
(hidden_from_viewers), the audit log). A member's own blocks and mutes are in `social/`."""
