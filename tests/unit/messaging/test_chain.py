from services.messaging.chain import Decision, decide


def test_the_first_event_of_an_antenne_is_applied() -> None:
    assert decide(position=1, previous=None, last_applied=None) is Decision.APPLY


def test_the_next_event_in_the_chain_is_applied_even_across_a_gap_in_ids() -> None:
    assert decide(position=9, previous=5, last_applied=5) is Decision.APPLY


def test_an_event_at_or_before_the_last_applied_is_a_duplicate() -> None:
    assert decide(position=5, previous=3, last_applied=5) is Decision.DUPLICATE
    assert decide(position=2, previous=None, last_applied=5) is Decision.DUPLICATE


def test_an_event_that_follows_a_missing_one_waits() -> None:
    assert decide(position=7, previous=6, last_applied=5) is Decision.GAP
    assert decide(position=7, previous=6, last_applied=None) is Decision.GAP


def test_a_chain_that_skips_the_last_applied_is_a_conflict() -> None:
    assert decide(position=7, previous=4, last_applied=5) is Decision.CONFLICT
    assert decide(position=7, previous=None, last_applied=5) is Decision.CONFLICT
