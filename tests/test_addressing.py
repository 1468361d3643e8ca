"""Visibility <-> to/cc, as Mastodon addresses and reads them."""
import pytest

from federation.addressing import (
    PUBLIC,
    VISIBILITIES,
    AddressingError,
    address,
    is_federated,
    visibility_from,
)

FOLLOWERS = "https://curb.example/users/alice/followers"
BOB = "https://remote.example/users/bob"
CAROL = "https://other.example/users/carol"


def test_address_public_goes_to_public_with_followers_and_mentions_in_cc():
    assert address("public", followers_url=FOLLOWERS, mentioned=[BOB]) == (
        [PUBLIC], [FOLLOWERS, BOB])


def test_address_unlisted_goes_to_followers_with_public_in_cc():
    assert address("unlisted", followers_url=FOLLOWERS, mentioned=[BOB]) == (
        [FOLLOWERS], [PUBLIC, BOB])


def test_address_private_goes_to_followers_and_mentions_only():
    to, cc = address("private", followers_url=FOLLOWERS, mentioned=[BOB, CAROL])
    assert (to, cc) == ([FOLLOWERS], [BOB, CAROL])
    assert PUBLIC not in to + cc


def test_address_direct_goes_to_mentioned_only():
    assert address("direct", followers_url=FOLLOWERS, mentioned=[BOB, CAROL, BOB]) == (
        [BOB, CAROL], [])


def test_address_does_not_repeat_recipients():
    to, cc = address("public", followers_url=FOLLOWERS, mentioned=[BOB, FOLLOWERS, BOB])
    assert cc == [FOLLOWERS, BOB]


def test_address_refuses_local_visibility():
    with pytest.raises(AddressingError) as caught:
        address("local", followers_url=FOLLOWERS, mentioned=[])
    assert "never federated" in caught.value.reason


def test_address_refuses_unknown_visibility():
    with pytest.raises(AddressingError):
        address("friends", followers_url=FOLLOWERS, mentioned=[])


def test_is_federated_only_false_for_local():
    assert [v for v in VISIBILITIES if not is_federated(v)] == ["local"]


@pytest.mark.parametrize("visibility", ["public", "unlisted", "private", "direct"])
def test_visibility_from_reads_back_what_address_writes(visibility):
    to, cc = address(visibility, followers_url=FOLLOWERS, mentioned=[BOB])
    assert visibility_from(to, cc, followers_url=FOLLOWERS) == visibility


@pytest.mark.parametrize("spelling", [PUBLIC, "as:Public", "Public"])
def test_visibility_from_accepts_every_spelling_of_public(spelling):
    assert visibility_from([spelling], [], followers_url=None) == "public"
    assert visibility_from([FOLLOWERS], [spelling], followers_url=None) == "unlisted"


def test_visibility_from_treats_unknown_followers_collection_as_private():
    friendica = "https://friendica.example/followers/jakob"
    assert visibility_from(["https://x.example/users/a/followers"], [], followers_url=None) == "private"
    assert visibility_from([friendica], [BOB], followers_url=None) == "private"


def test_visibility_from_uses_the_known_followers_collection():
    odd = "https://gnusocial.example/actor/42/subscribers"
    assert visibility_from([odd], [], followers_url=odd) == "private"
    assert visibility_from([odd], [], followers_url=None) == "direct"


def test_visibility_from_only_actors_is_direct():
    assert visibility_from([BOB], [CAROL], followers_url=FOLLOWERS) == "direct"
    assert visibility_from([], [], followers_url=None) == "direct"


def test_visibility_from_tolerates_single_strings_and_junk():
    assert visibility_from(PUBLIC, None, followers_url=None) == "public"  # type: ignore[arg-type]
    assert visibility_from([None, 3, BOB], [], followers_url=None) == "direct"  # type: ignore[list-item]
