"""The call rollups give the rows the history spans give (SQLite and PostgreSQL).

`call_snapshots` and `call_won_by_day` read the rollups (salesops.db.schema_call) when they
can and the history spans with `rollup=False`; on the demo company both must return the same
groups, counts and amounts (to float rounding: the rollup sums whole cents, the span queries
floats) at instants spread over the whole history, each day of a quarter's edge included, for
the company (every instant), each roll-up and a territory scope (a third of them and the
last quarter's edges). Scopes of reps too: a team (read from the rollups' units), one rep
and a mixed selection (read from the per-rep rollups), which give the sweep of their deals'
spans (salesops.db.call_scoped, what such a call read before them) to the bit.
"""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd
import pytest

from salesops.calendar import quarter_of
from salesops.db.engine import make_engine
from salesops.db.schema_call import rollup_call_snapshots
from salesops.repository import Repository, Scope
from salesops.repository.call import SNAPSHOT_ROW, WON_DAY_ROW, _in_quarter
from salesops.repository.frames import coerce

AMOUNTS = ("open_amount", "won_amount")


def _instants(repo: Repository) -> tuple[list[tuple[date, date]], date]:
    bounds = repo.history_bounds()
    first, last = bounds["first"], bounds["last"]
    assert first is not None and last is not None
    until = last + timedelta(days=1)
    days = [first + timedelta(days=k) for k in range(0, (last - first).days + 2, 11)]
    edges = [quarter_of(last).start, quarter_of(last).start + timedelta(days=1), until]
    instants = [(d, quarter_of(d).end) for d in [*days, *edges]]
    # the last day of a quarter's calls: the instant is the quarter's end
    instants += [(quarter_of(d).start, quarter_of(d - timedelta(days=1)).end) for d in days]
    # each pair once (most days of a quarter give its start): a repeat checks nothing new
    return [(t, end) for t, end in dict.fromkeys(instants) if t <= until], until


def _same(rollup: pd.DataFrame, spans: pd.DataFrame) -> None:
    assert len(rollup) == len(spans)
    assert len(rollup) > 0
    pd.testing.assert_frame_equal(
        rollup.drop(columns=list(AMOUNTS)).reset_index(drop=True),
        spans.drop(columns=list(AMOUNTS)).reset_index(drop=True),
        check_dtype=False,
    )
    for column in AMOUNTS:
        assert rollup[column].to_numpy() == pytest.approx(spans[column].to_numpy(), rel=1e-9)


def _check(url: str) -> None:
    repo = Repository(make_engine(url, read_only=True))
    instants, until = _instants(repo)
    assert repo._call_rollup_quarters(), "the demo load built the snapshot rollup"
    last_quarter = quarter_of(until - timedelta(days=1)).start
    # the same snapshots grouped another way: every third instant and the last quarter's
    # edges (the span queries cost one statement per instant)
    sample = list(dict.fromkeys([*instants[::3], *(i for i in instants if i[0] >= last_quarter)]))
    for by in (None, "territory", "team"):
        for scope in (Scope(), Scope(territory_ids=(1, 2))):
            asked = instants if by is None and not scope.territory_ids else sample
            _same(
                repo.call_snapshots(asked, until, by, scope),
                repo.call_snapshots(asked, until, by, scope, rollup=False),
            )
            start = instants[0][0]
            _same_won_by_day(repo, start, until, by, scope)


def _same_won_by_day(repo: Repository, start, until, by, scope) -> pd.DataFrame:
    """Asserts won-by-day from the rollup equals the spans'; returns the rollup's rows."""
    rollup_won = repo.call_won_by_day(start, until, by, scope)
    spans_won = repo.call_won_by_day(start, until, by, scope, rollup=False)
    pd.testing.assert_frame_equal(
        rollup_won.drop(columns="won_amount"), spans_won.drop(columns="won_amount")
    )
    assert rollup_won["won_amount"].to_numpy() == pytest.approx(
        spans_won["won_amount"].to_numpy(), rel=1e-9
    )
    return rollup_won


def test_the_rollups_give_the_span_queries_rows_on_sqlite(demo_url):
    _check(demo_url)


def test_the_rollups_give_the_span_queries_rows_on_postgres(pg_demo_url):
    _check(pg_demo_url)


def _rep_scopes(repo: Repository) -> dict[str, Scope]:
    """Returns scopes of reps: a team (whole units), one rep and a few reps of some territories."""
    reps = repo.reps()
    manager = reps["manager"].value_counts().index[0]
    team = tuple(int(i) for i in reps.loc[reps["manager"] == manager, "id"])
    rep = int(reps.loc[reps["manager"] == manager, "id"].iloc[0])
    territories = tuple(int(t) for t in sorted(reps["territory_id"].dropna().unique())[:3])
    picked = tuple(int(i) for i in reps["id"].iloc[::3])
    return {
        "team": Scope(rep_ids=team),
        "rep": Scope(rep_ids=(rep,)),
        "selection": Scope(territory_ids=territories, rep_ids=picked),
    }


def _check_reps(url: str) -> None:
    """A scope of reps reads the unit rollups (a team) or its reps' spans (a rep, a selection)."""
    repo = Repository(make_engine(url, read_only=True))
    instants, until = _instants(repo)
    scopes = _rep_scopes(repo)
    assert repo._call_within(rollup_call_snapshots, scopes["team"], True) is not None
    assert repo._call_within(rollup_call_snapshots, scopes["rep"], True) is None
    last_quarter = quarter_of(until - timedelta(days=1)).start
    sample = list(dict.fromkeys([*instants[::5], *(i for i in instants if i[0] >= last_quarter)]))
    # as of a day inside a quarter: nothing dated from it on is read, its quarter wins nothing yet
    cut = date(2026, 8, 20)
    early = [(t, end) for t, end in instants[::4] if t <= cut]
    cases = [
        ("team", None, sample, until),
        ("team", "territory", sample, until),
        ("rep", None, sample, until),
        ("rep", "team", early, cut),
        ("selection", "territory", sample, until),
    ]
    for name, by, asked, as_of in cases:
        scope = scopes[name]
        _same(
            repo.call_snapshots(asked, as_of, by, scope),
            repo.call_snapshots(asked, as_of, by, scope, rollup=False),
        )
        start = asked[0][0]
        assert len(_same_won_by_day(repo, start, as_of, by, scope)) > 0


def _check_swept(url: str) -> None:
    """The per-rep rollups give a rep's and a selection's sweep of spans to the bit."""
    repo = Repository(make_engine(url, read_only=True))
    instants, until = _instants(repo)
    scopes = _rep_scopes(repo)
    cut = date(2026, 8, 20)
    for name in ("rep", "selection"):
        for by, as_of in ((None, until), ("team", until), (None, cut), ("territory", cut)):
            scope = scopes[name]
            asked = [instants[i] for i in _in_quarter(instants, as_of)]
            asked = [(min(t, as_of), end) for t, end in asked]
            since = min(quarter_of(end - timedelta(days=1)).start for _, end in asked)
            spans = repo._scoped(by, scope, as_of, since, None)
            swept = coerce(
                list(spans.snapshots(asked, as_of).itertuples(index=False, name=None)),
                SNAPSHOT_ROW,
            ).sort_values(list(SNAPSHOT_ROW)[:5], ignore_index=True)
            got = repo.call_snapshots(asked, as_of, by, scope)
            assert len(got) > 100
            pd.testing.assert_frame_equal(got, swept, check_dtype=False, check_exact=True)
            won = coerce(
                list(spans.won_by_day(since, as_of).itertuples(index=False, name=None)),
                WON_DAY_ROW,
            )
            got_won = repo.call_won_by_day(since, as_of, by, scope)
            assert len(got_won) > 10
            pd.testing.assert_frame_equal(got_won, won, check_dtype=False, check_exact=True)


def test_scopes_of_reps_give_the_span_queries_rows_on_sqlite(demo_url):
    _check_reps(demo_url)


def test_the_rep_rollups_give_the_sweep_of_spans_to_the_bit_on_sqlite(demo_url):
    _check_swept(demo_url)


def test_the_rep_rollups_give_the_sweep_of_spans_to_the_bit_on_postgres(pg_demo_url):
    _check_swept(pg_demo_url)


def test_scopes_of_reps_give_the_span_queries_rows_on_postgres(pg_demo_url):
    _check_reps(pg_demo_url)


def test_a_quarter_not_ended_reads_no_won_amount_yet(demo_url):
    """What the running quarter will win is not known at the as-of date (no look-ahead)."""
    repo = Repository(make_engine(demo_url, read_only=True))
    as_of = date(2026, 8, 20)
    for rollup in (True, False):
        frame = repo.call_snapshots(
            [(as_of - timedelta(days=30), date(2026, 10, 1))], as_of, rollup=rollup
        )
        assert frame["deals"].sum() > 0
        assert frame["won_amount"].sum() == 0
