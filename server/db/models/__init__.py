"""The database models: one module per area, all registered on one metadata for Alembic."""
from server.db.models.accounts import Account, Actor, InstanceSetting
from server.db.models.announcements import Announcement, AnnouncementReaction, AnnouncementRead
from server.db.models.base import Base
from server.db.models.cases import Case
from server.db.models.conversations import ConversationState
from server.db.models.events import StreamEvent
from server.db.models.filters import FilterKeyword, FilterStatus, KeywordFilter
from server.db.models.groups import Group, GroupBan, GroupModerator, GroupPost, GroupThreadState
from server.db.models.held import HeldPost
from server.db.models.imports import ImportJob
from server.db.models.lists import List, ListAccount
from server.db.models.media import Bookmark, IdempotencyKey, Marker, MediaAttachment, Pin, PollDeadline, PollVote
from server.db.models.members import AccountToken, Invite, LoginFailure, MemberProfile
from server.db.models.moderation import AuditEntry, BlocklistSubscription, DomainPolicyRecord, PolicyVersion
from server.db.models.oauth import OAuthApp, OAuthCode, OAuthToken
from server.db.models.posts import Mention, Post, PostEdit, PostTag
from server.db.models.push import PushDelivery, PushSubscription
from server.db.models.queues import DeletedObject, Delivery, Host, InboxItem, SeenActivity
from server.db.models.ratelimits import RateLimitWindow
from server.db.models.recent_writes import RecentWrite
from server.db.models.remote_media import RemoteMedia
from server.db.models.reports import AccountModeration, AccountWarning, Report
from server.db.models.scheduled import ScheduledPost
from server.db.models.social import (
    AccountNote,
    Block,
    ConversationMute,
    Endorsement,
    FeaturedTag,
    Follow,
    Like,
    Mute,
    SuggestionDismissal,
    TagFollow,
    UserDomainBlock,
)
from server.db.models.timelines import HomeTimelineEntry, Notification, NotificationPolicy
from server.db.models.verification import RemoteAttestation, Verification, VerificationAudit, VerificationRequest
from server.db.models.web import WebSession

__all__ = ["Base", "Account", "Actor", "InstanceSetting", "Post", "Mention", "PostTag", "PostEdit",
           "InboxItem", "Delivery", "Host", "Follow", "Like", "Block", "HomeTimelineEntry", "Notification",
           "OAuthApp", "OAuthCode", "OAuthToken", "MemberProfile", "Invite", "AccountToken", "LoginFailure",
           "VerificationRequest", "Verification", "VerificationAudit", "RemoteAttestation",
           "MediaAttachment", "PollVote", "PollDeadline", "Bookmark", "Pin", "Marker", "IdempotencyKey",
           "Mute", "UserDomainBlock", "AuditEntry", "BlocklistSubscription", "DomainPolicyRecord", "PolicyVersion",
           "AccountModeration", "AccountWarning", "Report", "StreamEvent", "WebSession", "SeenActivity",
           "DeletedObject", "HeldPost", "List", "ListAccount",
           "ConversationState", "TagFollow", "KeywordFilter", "FilterKeyword", "FilterStatus",
           "Group", "GroupModerator", "GroupPost", "ScheduledPost", "PushSubscription", "PushDelivery", "ImportJob",
           "Announcement", "AnnouncementRead", "AnnouncementReaction", "NotificationPolicy", "SuggestionDismissal",
           "ConversationMute", "AccountNote", "Endorsement", "FeaturedTag", "Case", "RemoteMedia", "GroupBan",
           "GroupThreadState", "RateLimitWindow", "RecentWrite"]
