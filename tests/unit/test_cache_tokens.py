"""The short strings that stand for cached calls in Streamlit's cache (salesops.ui.cache._token)."""

from __future__ import annotations

from datetime import date

from salesops.repository import EVERYTHING, Scope
from salesops.ui import cache


def _call(rep: int, start: date = date(2026, 1, 1)) -> tuple:
    scope = Scope(rep_ids=(rep,))
    return ("sqlite:///x.db", "v1", scope, EVERYTHING, "kpis", (start,), (("compare", "year"),))


def test_equal_calls_share_a_token_and_different_calls_do_not():
    assert cache._token(_call(1)) == cache._token(_call(1))  # equal, not the same objects
    assert cache._token(_call(1)) != cache._token(_call(2))  # a scope inside a dataclass
    assert cache._token(_call(1)) != cache._token(_call(1, date(2026, 1, 2)))
    assert isinstance(cache._token(_call(1)), str)


def test_a_token_is_never_given_to_another_call_after_they_are_forgotten(monkeypatch):
    monkeypatch.setattr(cache, "MAX_TOKENS", 2)
    monkeypatch.setattr(cache, "_TOKENS", {})
    first = [cache._token(_call(rep)) for rep in (1, 2)]
    later = [cache._token(_call(rep)) for rep in (3, 4, 1)]  # forgotten after the second
    assert len(cache._TOKENS) <= 2
    assert not set(first) & set(later)  # a new number each time, never an old result's


def test_a_call_that_cannot_be_a_dict_key_is_left_for_streamlit_to_hash():
    call = ("sqlite:///x.db", "v1", EVERYTHING, EVERYTHING, "kpis", ([1, 2],), ())
    assert cache._token(call) is call
