"""Who may act on whom, and who may decide what: the one rule every surface (client API, web pages,
command line) reaches through the services.

- Rank: a moderator acts on members (and remote accounts) only; an admin acts on anyone else, admins
  included (there is no owner role above them); the system administrator at the command line acts on
  anyone. Nobody acts on their own account.
- The last admin: no action leaves the instance without an admin able to log in (suspending,
  disabling or demoting the only one is refused, whoever asks).
- Self-decision: nobody decides a matter they are a party to: their own verification request, a report
  about them or filed by them (a reporter judging their own complaint is no fairer), their own
  appeal, their own held post. Another moderator decides.
- Rank in decisions: a decision about an account (its appeal, its verification) follows the rank rule,
  so a moderator decides those of members only and cannot undo an admin's sanction of a staff account.
"""
from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

__all__ = ["Acting", "SYSTEM", "action_refusal", "decision_refusal", "role_refusal"]

RANKS = {"member": 0, "moderator": 1, "admin": 2}


@dataclass(frozen=True)
class Acting:
    """Who acts: a local account (its actor id and role), or SYSTEM."""

    actor_id: int | None
    role: str


SYSTEM = Acting(None, "system")  # the system administrator at the command line


def _outranks(by: Acting, target_role: str | None) -> bool:
    if by is SYSTEM or by.role == "admin":
        return True
    return RANKS.get(by.role, 0) > RANKS.get(target_role or "member", 0)


def action_refusal(by: Acting, target_id: int, target_role: str | None, *, removes_admin: bool,
                   other_admins: int) -> str | None:
    """Why `by` may not act on the account `target_id` (role `target_role`; None for a remote account),
    or None when they may. `removes_admin`: the action takes an admin's powers away (suspend, disable,
    a lower role); `other_admins` counts the other admins able to log in."""
    if by.actor_id is not None and by.actor_id == target_id:
        return "you cannot act on your own account; ask another moderator"
    if not _outranks(by, target_role):
        return f"a {by.role} may act on members only; ask an admin"
    if target_role == "admin" and removes_admin and other_admins == 0:
        return "the instance needs at least one admin"
    return None


def role_refusal(by: Acting, role: str) -> str | None:
    """Why `by` may not give the role `role`, or None: nobody gives a role above their own."""
    if by is SYSTEM or RANKS.get(role, 0) <= RANKS.get(by.role, -1):
        return None
    return f"a {by.role} cannot give the {role} role"


def decision_refusal(by: Acting, parties: Collection[int | None], what: str, *,
                     about_role: str | None = None) -> str | None:
    """Why `by` may not decide `what` (a verification request, a report, ...), whose parties are the
    actor ids `parties`, or None when they may. `about_role`: the role of the account the decision is
    about (an appeal's appellant, a verification's member), which `by` must outrank; None when the
    decision does nothing to an account (a report dismissed, a held post)."""
    if by.actor_id is not None and by.actor_id in parties:
        return f"you cannot decide {what} of your own; ask another moderator"
    if about_role is not None and not _outranks(by, about_role):
        return f"a {by.role} may decide {what} of members only; ask an admin"
    return None
