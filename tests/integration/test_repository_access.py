"""Every repository query is limited to the viewer: a new query that skips it fails here.

For each public Repository method with a `scope`, on the demo company (SQLite and
PostgreSQL), against a manager-like viewer (one territory and its reps) and a rep viewer:
- asking a viewer-limited repository for everything equals asking an unlimited one for the
  viewer's scope (the intersection happens, whatever the caller passes);
- no returned row names a rep, territory or deal outside the viewer;
- a caller asking for more (another rep's id, every territory) still gets only the viewer's.
Methods without a scope must be REFERENCE, COMPANY or FULL_VIEW (refused to limited viewers).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import pandas as pd
import pytest
from sqlalchemy import select

from salesops.calendar import Period
from salesops.db import schema as s
from salesops.db.engine import make_engine
from salesops.repository import EVERYTHING, AccessDenied, Repository, RepositoryBase, Scope
from salesops.repository.access import RULES, Rule, enforce, public_methods


@dataclass(frozen=True)
class Company:
    """The demo company's facts the checks need."""

    engine: object
    territory: int
    territory_reps: tuple[int, ...]
    rep: int
    rep_names: dict[int, str]
    deal_reps: dict[int, int]
    account_territories: dict[int, int]
    period: Period
    week: tuple[date, date]


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def company(request: pytest.FixtureRequest) -> Company:
    """Returns the demo company on SQLite or PostgreSQL with a territory and a rep picked."""
    url = request.getfixturevalue("demo_url" if request.param == "sqlite" else "pg_demo_url")
    engine = make_engine(url, read_only=True)
    with engine.connect() as conn:
        reps = pd.DataFrame(conn.execute(select(s.reps.c.id, s.reps.c.name, s.reps.c.territory_id)))
        deals = dict(conn.execute(select(s.opportunities.c.id, s.opportunities.c.rep_id)).all())
        accounts = dict(conn.execute(select(s.accounts.c.id, s.accounts.c.territory_id)).all())
    counts = reps.groupby("territory_id")["id"].count()
    territory = int(counts[counts >= 2].index[0])
    members = tuple(sorted(int(i) for i in reps.loc[reps["territory_id"] == territory, "id"]))
    last = Repository(engine).data_bounds()["last"]
    assert last is not None
    end = last.replace(day=1) - timedelta(days=1)
    period = Period(date(end.year - 1, end.month, 1) + timedelta(days=31), end)
    period = Period(period.start.replace(day=1), end)
    monday = end - timedelta(days=end.weekday() + 14)
    return Company(
        engine=engine,
        territory=territory,
        territory_reps=members,
        rep=members[0],
        rep_names=dict(zip(reps["id"], reps["name"], strict=True)),
        deal_reps=deals,
        account_territories=accounts,
        period=period,
        week=(monday, monday + timedelta(days=7)),
    )


def _arguments(c: Company) -> dict[str, dict]:
    """Returns sample arguments for every scoped query (a new query must add its own)."""
    p, (start, end) = c.period, c.week
    quarter = (date(end.year, 3 * ((end.month - 1) // 3) + 1, 1), end + timedelta(days=90))
    some_deals = tuple(sorted(c.deal_reps)[:3000])
    some_accounts = tuple(sorted(c.account_territories)[:3000])
    return {
        "closed_opportunity_facts": {"period": p},
        "lead_facts": {"period": p},
        "new_customer_facts": {"period": p},
        "won_cycle_histogram": {"period": p},
        "order_months": {"period": p},
        "customer_lifespans": {},
        "closed_deals": {"period": p},
        "team_closed_totals": {"period": p},
        "territories": {},
        "reps": {},
        "bookings_by_period": {"freq": "M"},
        "won_amount_counts": {},
        "open_pipeline": {},
        "overdue_pipeline": {"as_of": p.end},
        "stage_outcomes": {"closed_since": p.start},
        "quotas_by_month": {"start": p.start, "end": p.end},
        "active_reps": {"as_of": p.end},
        "territory_account_facts": {},
        "territory_accounts": {},
        "territory_bookings": {"period": p},
        "territory_pipeline": {"period": p},
        "territory_reps": {"quota_year": p},
        "territory_list": {},
        "account_details": {"account_ids": some_accounts, "bookings": p},
        "time_reps": {},
        "activity_hours_by_rep": {"period": p},
        "activity_hours_by_period": {"period": p},
        "bookings_by_rep": {"period": p},
        "bookings_by_rep_month": {},
        "history_as_of": {"instant": start},
        "review_history": {"start": start, "end": end},
        "review_deals": {"start": start, "end": end},
        "waterfall_history": {"start": start, "end": end},
        "steady_pipeline_amounts": {"start": start, "end": end, "quarter": quarter},
        "push_histories": {"ids": some_deals, "until": end},
        "stage_stays": {"start": p.start, "end": end},
        "stage_history": {"ids": some_deals, "until": end},
        "stage_entries": {"until": end},
        "quota_by_rep": {"start": p.start, "end": p.end},
        "won_by_rep": {"start": p.start, "end": p.end},
        "call_snapshots": {"instants": [(start, quarter[1]), (end, quarter[1])], "until": end},
        "call_won_by_day": {"start": p.start, "until": p.end, "by": "team"},
        "cash_order_totals": {"period": p},
        "cash_bookings": {"period": p},
        "cash_cycle_days": {"period": p, "by": "dimension"},
        "cash_receivables": {"as_of": p.end, "terms_days": 30, "edges": (30, 60, 90)},
        "cash_slow_accounts": {"as_of": p.end, "terms_days": 30, "limit": 50},
        "cash_slow_orders": {"as_of": p.end, "limit": 50},
        "cash_completeness": {"period": p, "fields": ("po_number", "billing_address")},
        "cash_order_status": {"period": p, "fields": ("po_number", "billing_address")},
        "cash_approvals": {"period": p, "by": "rep"},
        "cash_collected": {"period": p},
    }


# What an `id` column holds, where it is not a deal.
ID_MEANS: dict[str, str | None] = {
    "territories": "territory",
    "territory_list": "territory",
    "reps": "rep",
    "time_reps": "rep",
    "territory_reps": "rep",
    "territory_accounts": "account",
    "account_details": "account",
    "closed_deals": "deal",
    # history rows: their deal is in opportunity_id, checked as a deal
    "history_as_of": None,
    "review_history": None,
    "waterfall_history": None,
}
SCOPED = sorted(n for n, r in RULES.items() if r in (Rule.SCOPED, Rule.TEAM_TOTALS))


def _viewers(c: Company) -> dict[str, Scope]:
    return {
        "manager": Scope(territory_ids=(c.territory,), rep_ids=c.territory_reps),
        "rep": Scope(territory_ids=(c.territory,), rep_ids=(c.rep,)),
    }


def test_every_public_query_has_an_access_rule_and_a_check():
    methods = public_methods(Repository)
    assert sorted(RULES) == methods, "RULES and Repository's public methods differ"
    assert all(getattr(Repository, m).__access_rule__ is RULES[m] for m in methods)


def test_every_scoped_query_has_sample_arguments(company):
    missing = set(SCOPED) - set(_arguments(company))
    assert not missing, f"add sample arguments for {sorted(missing)} to _arguments()"


def test_a_query_without_a_rule_cannot_be_added():
    class Leaky(RepositoryBase):
        def every_deal(self) -> pd.DataFrame:
            """Returns every deal."""
            return pd.DataFrame()

    with pytest.raises(TypeError, match="every_deal has no access rule"):
        enforce(Leaky)


def _call(repo: Repository, name: str, args: dict, scope: Scope | None = None):
    extra = {} if scope is None else {"scope": scope}
    return getattr(repo, name)(**args, **extra)


def _rows(frame: pd.DataFrame) -> pd.DataFrame:
    # The same rows in any order: most reads promise no order (a plan change reorders them),
    # and what is checked here is which rows a viewer gets.
    return frame.sort_values(list(frame.columns), kind="stable").reset_index(drop=True)


def _same(left, right) -> None:
    if isinstance(left, pd.DataFrame):
        pd.testing.assert_frame_equal(_rows(left), _rows(right))
    else:
        assert left == right


@pytest.mark.parametrize("name", SCOPED)
@pytest.mark.parametrize("who", ["manager", "rep"])
def test_a_limited_viewer_gets_exactly_their_scope(company, name, who):
    viewer = _viewers(company)[who]
    args = _arguments(company)[name]
    limited = Repository(company.engine, visible=viewer, team=viewer)
    everyone = Repository(company.engine)
    _same(_call(limited, name, args), _call(everyone, name, args, viewer))
    # Asking for more than the viewer sees (every rep, every territory) changes nothing.
    wider = Scope(territory_ids=tuple(range(1, 200)), rep_ids=tuple(range(1, 2000)))
    _same(_call(limited, name, args, wider), _call(everyone, name, args, viewer))


COLUMN_MEANS = {
    "rep_id": "rep",
    "rep": "rep name",
    "territory_id": "territory",
    "opportunity_id": "deal",
}


def _outside(company: Company, viewer: Scope, meaning: str, values: set) -> set:
    """Returns the values of a column meaning `meaning` that the viewer may not see."""
    reps, territory = set(viewer.rep_ids), company.territory
    if meaning == "rep":
        return {v for v in values if v not in reps}
    if meaning == "rep name":
        return values - {company.rep_names[r] for r in reps}
    if meaning == "territory":
        return values - {territory}
    if meaning == "deal":
        return {d for d in values if company.deal_reps.get(int(d)) not in reps}
    return {a for a in values if company.account_territories.get(int(a)) != territory}


@pytest.mark.parametrize("name", SCOPED)
@pytest.mark.parametrize("who", ["manager", "rep"])
def test_no_row_outside_the_viewer(company, name, who):
    viewer = _viewers(company)[who]
    limited = Repository(company.engine, visible=viewer, team=viewer)
    result = _call(limited, name, _arguments(company)[name])
    if not isinstance(result, pd.DataFrame):
        return  # scalars and dicts carry no row identity
    for column in result.columns:
        meaning = ID_MEANS.get(name, "deal") if column == "id" else COLUMN_MEANS.get(column)
        if meaning is None:
            continue
        outside = _outside(company, viewer, meaning, set(result[column].dropna().tolist()))
        assert not outside, f"{name}.{column}: {len(outside)} {meaning}(s) outside the viewer"


def test_the_checks_can_fail_a_query_that_ignores_the_viewer(company):
    # An unlimited repository's deal list has deals of other reps: the check above would fail.
    deals = Repository(company.engine).closed_deals(company.period)
    names = {company.rep_names[r] for r in company.territory_reps}
    assert set(deals["rep"]) - names


@pytest.mark.parametrize("name", sorted(n for n, r in RULES.items() if r is Rule.FULL_VIEW))
def test_whole_company_lists_are_refused_to_limited_viewers(company, name):
    limited = Repository(company.engine, visible=_viewers(company)["manager"])
    args = {
        "quality_opportunities": (date(2030, 1, 1), 10),
        "quality_counts": (date(2030, 1, 1),),
        "quality_trend": (date(2030, 1, 1),),
        "quality_leads": (10,),
        "import_batches": (10,),
        "stored_forecast": ("0" * 64,),
    }.get(name, ())
    with pytest.raises(AccessDenied, match="covers the whole company"):
        getattr(limited, name)(*args)
    getattr(Repository(company.engine), name)(*args)  # an unlimited viewer may


def test_team_totals_cover_the_team_not_just_the_rep(company):
    viewer = _viewers(company)
    rep_repo = Repository(company.engine, visible=viewer["rep"], team=viewer["manager"])
    team = rep_repo.team_closed_totals(company.period)
    mine = rep_repo.closed_opportunity_facts(company.period, by=())
    whole = Repository(company.engine).team_closed_totals(company.period, viewer["manager"])
    _same(team, whole)
    assert list(team.columns) == ["won", "lost", "won_amount"]  # no rep, deal or account
    assert int(team["won"].iloc[0]) > int(mine["won"].iloc[0])


def test_an_empty_intersection_matches_nothing(company):
    viewer = Scope(rep_ids=(company.rep,))
    other = next(r for r in company.territory_reps if r != company.rep)
    limited = Repository(company.engine, visible=viewer)
    assert limited.closed_deals(company.period, Scope(rep_ids=(other,))).empty
    assert EVERYTHING.intersect(viewer) == viewer
