"""Moderation rows -> the Mastodon admin API's entities (DomainBlock, DomainAllow, Admin::Report,
Admin::Account), with Curbside's extras (a policy's `source`, a report's Curbside category)."""
from __future__ import annotations

from moderation.domains import domain_digest
from moderation.reports import ReportCategory
from server.convert.actor_to_mastodon import iso
from server.db.models import Account, AccountModeration, Actor, DomainPolicyRecord, Report

SEVERITY_OUT = {"suspend": "suspend", "limit": "silence", "noop": "noop"}


def domain_block_to_mastodon(row: DomainPolicyRecord, source_url: str | None = None) -> dict:
    return {
        "id": str(row.id), "domain": row.domain, "digest": row.digest or domain_digest(row.domain),
        "created_at": iso(row.created_at), "severity": SEVERITY_OUT[row.severity],
        "reject_media": row.reject_media, "reject_reports": row.reject_reports,
        "private_comment": row.private_comment or None, "public_comment": row.public_comment or None,
        "obfuscate": row.obfuscate, "source": source_url or "local", "state": row.state,
    }


def domain_allow_to_mastodon(row: DomainPolicyRecord, source_url: str | None = None) -> dict:
    return {"id": str(row.id), "domain": row.domain, "created_at": iso(row.created_at),
            "source": source_url or "local"}


def admin_account(actor: Actor | None, account_entity: dict | None, sanction: AccountModeration | None,
                  account: Account | None) -> dict | None:
    """Admin::Account: the account plus its moderation state."""
    if actor is None:
        return None
    return {
        "id": str(actor.id), "username": actor.username, "domain": None if actor.local else actor.domain,
        "created_at": iso(actor.created_at), "email": account.email if account else None, "ip": None, "ips": [],
        "locale": None, "invite_request": None,
        "role": {"name": account.role} if account else None,
        "confirmed": bool(account and account.confirmed_at), "approved": bool(account and account.approved_at),
        "disabled": bool(account and account.disabled_at),
        "suspended": bool(sanction and sanction.suspended_at), "silenced": bool(sanction and sanction.limited_at),
        "sensitized": bool(sanction and sanction.sensitized_at), "account": account_entity,
    }


def report_to_admin(report: Report, accounts: dict[int, dict | None], statuses: list[dict]) -> dict:
    category = ReportCategory(report.category)
    return {
        "id": str(report.id), "action_taken": report.state == "resolved",
        "action_taken_at": iso(report.action_at), "category": category.mastodon_category,
        "curbside_category": category.value, "category_label": category.label,
        "comment": report.comment, "forwarded": report.forwarded, "origin": report.origin,
        "created_at": iso(report.created_at), "updated_at": iso(report.updated_at),
        "account": accounts.get(report.reporter_id), "target_account": accounts.get(report.target_id),
        "target_uri": report.target_uri, "assigned_account": accounts.get(report.assigned_id),
        "action_taken_by_account": accounts.get(report.action_by_id), "action": report.action_taken,
        "action_comment": report.action_comment, "statuses": statuses, "status_uris": report.post_uris,
        "rules": [{"id": str(r), "text": ""} for r in report.rule_ids],
    }


def report_to_member(report: Report, target_entity: dict | None) -> dict:
    """The Report entity a member gets back from POST /api/v1/reports."""
    category = ReportCategory(report.category)
    return {
        "id": str(report.id), "action_taken": report.state == "resolved", "action_taken_at": iso(report.action_at),
        "category": category.mastodon_category, "curbside_category": category.value,
        "comment": report.comment, "forwarded": report.forwarded, "created_at": iso(report.created_at),
        "status_ids": [str(i) for i in report.post_ids], "rule_ids": [str(r) for r in report.rule_ids],
        "target_account": target_entity,
    }
