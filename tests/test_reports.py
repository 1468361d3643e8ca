"""Report categories and moderation actions (moderation/reports.py)."""
import pytest

from moderation.reports import ModerationAction, ReportCategory


def test_report_category_values_and_labels():
    assert [c.value for c in ReportCategory] == [
        "spam", "harassment", "misinformation", "patient_privacy", "unprofessional", "legal", "other"]
    assert ReportCategory("patient_privacy").label.startswith("Patient privacy")
    assert len({c.label for c in ReportCategory}) == len(ReportCategory)


def test_report_category_maps_to_mastodon_categories():
    assert ReportCategory.SPAM.mastodon_category == "spam"
    assert ReportCategory.LEGAL.mastodon_category == "legal"
    assert ReportCategory.PATIENT_PRIVACY.mastodon_category == "violation"
    assert {c.mastodon_category for c in ReportCategory} <= {"spam", "legal", "violation", "other"}


def test_report_category_refuses_unknown():
    with pytest.raises(ValueError):
        ReportCategory("rudeness")


def test_moderation_action_values_and_labels():
    assert [a.value for a in ModerationAction] == [
        "dismiss", "delete_post", "mark_sensitive", "warn", "limit", "suspend"]
    assert all(a.label for a in ModerationAction)
    assert ModerationAction("suspend") is ModerationAction.SUSPEND
