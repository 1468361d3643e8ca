"""Report categories and the actions a moderator can take on a report."""
from __future__ import annotations

from enum import Enum

__all__ = ["ModerationAction", "ReportCategory"]


class ReportCategory(str, Enum):
    """Why a member reported something. `label` is the human wording."""

    SPAM = "spam"
    HARASSMENT = "harassment"
    MISINFORMATION = "misinformation"
    PATIENT_PRIVACY = "patient_privacy"
    UNPROFESSIONAL = "unprofessional"
    LEGAL = "legal"
    OTHER = "other"

    @property
    def label(self) -> str:
        """Human wording for forms and the moderation queue."""
        return _CATEGORY_LABELS[self]

    @property
    def mastodon_category(self) -> str:
        """The nearest of Mastodon's report categories (spam, legal, violation, other)."""
        if self in (ReportCategory.SPAM, ReportCategory.LEGAL, ReportCategory.OTHER):
            return self.value
        return "violation"


_CATEGORY_LABELS = {
    ReportCategory.SPAM: "Spam or advertising",
    ReportCategory.HARASSMENT: "Harassment or abuse",
    ReportCategory.MISINFORMATION: "Medical misinformation",
    ReportCategory.PATIENT_PRIVACY: "Patient privacy (identifiable patient information)",
    ReportCategory.UNPROFESSIONAL: "Unprofessional conduct",
    ReportCategory.LEGAL: "Illegal content",
    ReportCategory.OTHER: "Something else",
}


class ModerationAction(str, Enum):
    """What a moderator did about a report. `label` is the human wording."""

    DISMISS = "dismiss"
    DELETE_POST = "delete_post"
    MARK_SENSITIVE = "mark_sensitive"
    WARN = "warn"
    LIMIT = "limit"
    SUSPEND = "suspend"

    @property
    def label(self) -> str:
        """Human wording for the moderation log."""
        return _ACTION_LABELS[self]


_ACTION_LABELS = {
    ModerationAction.DISMISS: "Dismiss the report",
    ModerationAction.DELETE_POST: "Delete the post",
    ModerationAction.MARK_SENSITIVE: "Mark the media as sensitive",
    ModerationAction.WARN: "Warn the account",
    ModerationAction.LIMIT: "Limit the account",
    ModerationAction.SUSPEND: "Suspend the account",
}
