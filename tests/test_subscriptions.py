"""Planning subscribed-list updates (moderation/subscriptions.py)."""
import pytest

from moderation.blocklists import BlocklistError
from moderation.domains import DomainPolicy, FederationMode, PolicySet, Severity
from moderation.subscriptions import (
    Draft,
    Subscription,
    apply_plan,
    plan_from_document,
    plan_subscription_update,
)

HIGH = Subscription("high", "https://lists.example/high.csv", priority=200)
LOW = Subscription("low", "https://lists.example/low.csv", priority=10)
ALL = [HIGH, LOW]


def entry(domain, severity=Severity.SUSPEND, **kw):
    return DomainPolicy(domain, severity, **kw)


def update(existing, subscription, fetched, subscriptions=ALL):
    plan = plan_subscription_update(existing, subscription, fetched, subscriptions)
    return plan, apply_plan(existing, plan)


def owned(state, source):
    return sorted(p.domain for p in state if p.source == source)


def test_plan_first_update_creates_with_provenance():
    plan, state = update([], LOW, [entry("a.example"), entry("b.example", Severity.LIMIT)])
    assert [p.domain for p in plan.creates] == ["a.example", "b.example"]
    assert all(p.source == "low" and not p.allow for p in state)
    assert not plan.updates and not plan.removals and not plan.drafts


def test_plan_overwrites_provenance_claimed_by_the_list():
    plan, _ = update([], LOW, [entry("a.example", source="forged", allow=True)])
    assert plan.creates == (entry("a.example", source="low"),)


def test_plan_same_list_again_is_empty():
    fetched = [entry("a.example"), entry("b.example")]
    _, state = update([], LOW, fetched)
    plan, again = update(state, LOW, fetched)
    assert plan.empty and again == state


def test_plan_changed_entry_is_updated_in_place():
    _, state = update([], LOW, [entry("a.example", Severity.LIMIT)])
    plan, state = update(state, LOW, [entry("a.example", public_comment="worse now")])
    assert plan.updates == ((entry("a.example", Severity.LIMIT, source="low"),
                             entry("a.example", public_comment="worse now", source="low")),)
    assert state == [entry("a.example", public_comment="worse now", source="low")]


def test_plan_retraction_lifts_only_the_lists_own_entry():
    manual = entry("manual.example")
    other = entry("other.example", source="high")
    _, state = update([manual, other], LOW, [entry("a.example"), entry("b.example"),
                                             entry("manual.example"), entry("other.example")])
    plan, state = update(state, LOW, [entry("b.example")])
    assert [p.domain for p in plan.removals] == ["a.example"]
    assert manual in state and other in state
    assert owned(state, "low") == ["b.example"]


def test_plan_retraction_by_lower_list_leaves_higher_lists_entry():
    _, state = update([], HIGH, [entry("x.example")])
    plan, state = update(state, LOW, [entry("x.example")])
    assert plan.empty and plan.skipped[0][0].domain == "x.example"
    plan, state = update(state, LOW, [])
    assert plan.empty and owned(state, "high") == ["x.example"]


def test_plan_higher_priority_list_takes_over():
    _, state = update([], LOW, [entry("x.example", Severity.LIMIT)])
    plan, state = update(state, HIGH, [entry("x.example")])
    assert not plan.creates
    assert plan.updates == ((entry("x.example", Severity.LIMIT, source="low"), entry("x.example", source="high")),)
    assert state == [entry("x.example", source="high")]


def test_plan_lower_priority_list_does_not_displace_higher():
    _, state = update([], HIGH, [entry("x.example")])
    plan, state = update(state, LOW, [entry("x.example", Severity.LIMIT)])
    assert plan.empty
    assert "higher priority" in plan.skipped[0][1]
    assert state == [entry("x.example", source="high")]


def test_plan_equal_priority_keeps_current_owner():
    twin = Subscription("twin", "https://lists.example/twin.txt", priority=LOW.priority)
    subscriptions = [*ALL, twin]
    _, state = update([], LOW, [entry("x.example")], subscriptions)
    plan, state = update(state, twin, [entry("x.example", Severity.LIMIT)], subscriptions)
    assert plan.empty and owned(state, "low") == ["x.example"]


def test_plan_entry_of_deleted_subscription_is_taken_over():
    orphan = entry("x.example", Severity.LIMIT, source="deleted-list")
    plan, state = update([orphan], LOW, [entry("x.example")])
    assert plan.updates == ((orphan, entry("x.example", source="low")),)


def test_plan_local_policy_always_wins():
    manual = entry("x.example", Severity.LIMIT, public_comment="we decided")
    plan, state = update([manual], HIGH, [entry("x.example")])
    assert plan.empty and "local" in plan.skipped[0][1]
    assert state == [manual]


def test_plan_own_entry_shadowed_by_new_local_policy_is_removed():
    _, state = update([], LOW, [entry("x.example")])
    manual = entry("x.example", Severity.LIMIT)
    plan, state = update([*state, manual], LOW, [entry("x.example")])
    assert plan.removals == (entry("x.example", source="low"),)
    assert state == [manual]


def test_plan_local_exception_beats_list_block_at_lookup():
    exception = DomainPolicy("x.example", Severity.NOOP, allow=True)
    plan, state = update([exception], HIGH, [entry("x.example"), entry("y.example")])
    assert {p.domain for p in plan.creates} == {"x.example", "y.example"}
    index = PolicySet(state)
    assert not index.effective("x.example").suspended
    assert index.effective("y.example").suspended
    # Lifting the exception lets the list's block apply, with no new fetch.
    assert PolicySet([p for p in state if p != exception]).effective("x.example").suspended


def test_plan_as_drafts_turns_creates_and_changes_into_drafts():
    _, state = update([], LOW, [entry("keep.example", Severity.LIMIT), entry("drop.example")])
    drafty = Subscription("low", LOW.url, LOW.priority, as_drafts=True)
    plan, after = update(state, drafty, [entry("keep.example"), entry("new.example")])
    assert not plan.creates and not plan.updates
    assert set(plan.drafts) == {
        Draft(None, entry("new.example", source="low")),
        Draft(entry("keep.example", Severity.LIMIT, source="low"), entry("keep.example", source="low")),
    }
    assert plan.removals == (entry("drop.example", source="low"),)
    assert after == [entry("keep.example", Severity.LIMIT, source="low")]


def test_plan_allowlist_subscription_creates_allow_entries():
    cluster = Subscription("cluster", "https://lists.example/allows.txt", priority=50, allow=True)
    plan, state = update([], cluster, [entry("a.example", Severity.LIMIT, reject_media=True)], [cluster])
    assert plan.creates == (DomainPolicy("a.example", Severity.NOOP, source="cluster", allow=True),)
    index = PolicySet(state, FederationMode.ALLOWLIST)
    assert not index.effective("a.example").suspended
    assert index.effective("b.example").suspended


def test_plan_allow_and_block_lists_do_not_fight_over_a_domain():
    cluster = Subscription("cluster", "https://lists.example/allows.txt", priority=1, allow=True)
    subscriptions = [*ALL, cluster]
    _, state = update([], HIGH, [entry("x.example")], subscriptions)
    plan, state = update(state, cluster, [entry("x.example")], subscriptions)
    assert len(plan.creates) == 1 and not plan.skipped
    assert {(p.source, p.allow) for p in state} == {("high", False), ("cluster", True)}


def test_plan_switching_a_list_to_allow_replaces_its_blocks():
    _, state = update([], LOW, [entry("x.example")])
    as_allow = Subscription("low", LOW.url, LOW.priority, allow=True)
    plan, state = update(state, as_allow, [entry("x.example")])
    assert plan.removals == (entry("x.example", source="low"),)
    assert state == [DomainPolicy("x.example", Severity.NOOP, source="low", allow=True)]


def test_plan_duplicates_in_fetched_merge_into_stricter():
    plan, _ = update([], LOW, [entry("x.example", Severity.LIMIT), entry("x.example", reject_media=True)])
    assert plan.creates == (entry("x.example", reject_media=True, source="low"),)


def test_plan_from_document_parses_then_plans():
    plan = plan_from_document([], LOW, b"#domain,#severity\nx.example,silence\n", ALL)
    assert plan.creates == (entry("x.example", Severity.LIMIT, source="low"),)


def test_plan_from_document_parse_error_produces_no_plan_and_keeps_state():
    _, state = update([], LOW, [entry("a.example"), entry("b.example")])
    before = list(state)
    plans = []
    for broken in (b"a.example\nnot a domain\n", b"", b'[{"domain": 1}]', b"\xff\xfe"):
        with pytest.raises(BlocklistError):
            plans.append(plan_from_document(state, LOW, broken, ALL))
    assert plans == [] and state == before
    # The same retraction coming through a valid document does remove.
    assert plan_from_document(state, LOW, b"b.example\n", ALL).removals == (entry("a.example", source="low"),)


def test_plan_run_in_priority_order_hands_retracted_domain_to_lower_list():
    _, state = update([], LOW, [entry("x.example", Severity.LIMIT)])
    _, state = update(state, HIGH, [entry("x.example")])
    _, state = update(state, HIGH, [])       # the high list retracts
    _, state = update(state, LOW, [entry("x.example", Severity.LIMIT)])
    assert state == [entry("x.example", Severity.LIMIT, source="low")]
