"""server.db.poll_json: the one stored shape of a post's poll, read and written."""
from datetime import datetime, timedelta, timezone

from server.db.poll_json import Poll, PollOption, new_poll, poll_json, read_poll

END = datetime(2030, 5, 1, 10, 0, 0, 123456, tzinfo=timezone.utc)


def test_poll_json_new_poll_is_stored_as_mastodon_names_it_ending_to_the_second():
    assert poll_json(new_poll(("a", "b"), True, END)) == {
        "options": [{"title": "a", "votes_count": 0}, {"title": "b", "votes_count": 0}], "multiple": True,
        "expires_at": "2030-05-01T10:00:00Z", "closed": False, "voters_count": 0}


def test_poll_json_reads_what_it_writes():
    poll = Poll((PollOption("yes", 3), PollOption("no", 1)), False, END, True, None)
    assert read_poll(poll_json(poll)) == poll and read_poll(None) is None and poll_json(None) is None


def test_poll_json_poll_ends_when_closed_or_at_its_time():
    poll = new_poll(("a", "b"), False, END)
    assert not poll.has_ended(END - timedelta(seconds=1)) and poll.has_ended(END)
    assert (Poll(poll.options, False, None, True, 0).has_ended()
            and not Poll(poll.options, False, None, False, 0).has_ended())
    assert poll.counted([2, 5], 6).options == (PollOption("a", 2), PollOption("b", 5))
