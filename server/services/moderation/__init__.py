"""Moderation, stored and enforced: `moderation/` decides, these modules keep the rows and apply
the decisions (domain policies and their cache, blocklist subscriptions, publishing, reports,
sanctions, member blocks and mutes, the audit log)."""
