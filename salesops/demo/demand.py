"""Demand: leads on a seasonal, growing curve, and the opportunities they and accounts open.

Leads convert by channel; opportunities are converted leads plus smaller expansion deals on
existing accounts, won by segment, channel and rep skill, with a quarter-end push pulling
some early-quarter wins back into the quarter before. Each deal's current state is the last
row of its history (`salesops.demo.history`); deals no marketing lead opened get their lead
source from `salesops.demo.sources`.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from salesops.demo.catalog import CHANNELS, SEGMENTS, SOURCE
from salesops.demo.company import RepTraits
from salesops.demo.history import deal_history
from salesops.demo.names import named_deal, short_name
from salesops.demo.sources import bought_before, lead_status, source_leads
from salesops.demo.state import DemoState
from salesops.demo.text import labels, numbered


def _day_weights(state: DemoState) -> np.ndarray:
    """Returns each day's share of demand: growth, spring peak, summer lull, few weekends."""
    t = np.arange(state.n_days)
    day = state.start + t.astype("timedelta64[D]")
    doy = (day - day.astype("datetime64[Y]")).astype(int)
    growth = 1.0 + 0.16 * t / 365.0
    pattern = state.pattern
    season = 1.0 + pattern.season_amplitude * np.cos(
        2 * np.pi * (doy - pattern.season_peak_day) / 365.0
    )  # spring peak by default
    season *= np.where((doy > 190) & (doy < 235), 0.82, 1.0)  # summer lull
    season *= np.where(doy > 350, 0.55, 1.0)  # holidays
    weekday = (day.astype("datetime64[D]").view("int64") - 4) % 7  # 0 = Monday
    work = np.where(weekday >= 5, 0.15, 1.0)
    w = growth * season * work
    return w / w.sum()


def _assign_reps(
    state: DemoState,
    day_idx: np.ndarray,
    terr_idx: np.ndarray,
    reps: pd.DataFrame,
    traits: RepTraits,
) -> np.ndarray:
    """Returns, for each event, an active rep of its territory (ramp-weighted rejection)."""
    rng = state.rng
    rep_terr = reps["territory_id"].to_numpy() - 1
    hire = ((reps["hire_date"].to_numpy() - state.start).astype("timedelta64[D]")).astype(int)
    end_raw = reps["end_date"].to_numpy()
    leave = np.where(
        pd.isna(end_raw), 10**9, (end_raw - state.start).astype("timedelta64[D]").astype(float)
    )
    weight = traits.skill * traits.selling_share / 0.32
    out = np.full(len(day_idx), -1)
    for t in range(state.scale.territories):
        members = np.flatnonzero(rep_terr == t)
        idx = np.flatnonzero(terr_idx == t)
        if len(members) == 0 or len(idx) == 0:
            continue
        p = weight[members] / weight[members].sum()
        pending = idx
        for _ in range(25):
            pick = rng.choice(members, size=len(pending), p=p)
            tenure = day_idx[pending] - hire[pick]
            ramp = np.clip(0.15 + tenure / 180.0, 0.0, 1.0)  # six-month ramp
            ok = (
                (tenure >= 0)
                & (day_idx[pending] < leave[pick])
                & (rng.uniform(size=len(pending)) < ramp)
            )
            out[pending[ok]] = pick[ok]
            pending = pending[~ok]
            if len(pending) == 0:
                break
        if len(pending):
            active = members[(hire[members] <= day_idx[pending].min()) | (len(members) == 1)]
            out[pending] = rng.choice(active if len(active) else members, size=len(pending))
    return out


@dataclass(frozen=True)
class _Market:
    """What leads and deals are drawn against: day weights and account weights."""

    day_weights: np.ndarray
    account_territory: np.ndarray  # 0-based territory of each account
    account_weights: np.ndarray


@dataclass(frozen=True)
class _LeadDraw:
    """The drawn leads, one array entry per lead (0-based account, channel and rep)."""

    day: np.ndarray
    channel: np.ndarray
    converted: np.ndarray
    converted_day: np.ndarray
    account: np.ndarray
    has_account: np.ndarray
    rep: np.ndarray


def _draw_leads(
    state: DemoState, market: _Market, reps: pd.DataFrame, traits: RepTraits
) -> _LeadDraw:
    """Returns the leads: created on the demand curve, converting by channel."""
    s, rng = state.scale, state.rng
    ch_share = np.array([c[0] for c in CHANNELS.values()])
    ch_conv = np.array([c[1] for c in CHANNELS.values()])
    n_leads = s.leads
    lead_day = rng.choice(state.n_days, size=n_leads, p=market.day_weights)
    lead_channel = rng.choice(len(CHANNELS), size=n_leads, p=ch_share)
    conv_p = ch_conv[lead_channel] * (s.opportunities * 0.62 / n_leads) / (ch_share @ ch_conv)
    converted = rng.uniform(size=n_leads) < np.clip(conv_p, 0, 0.95)
    lag = rng.gamma(2.0, 6.0, n_leads).astype(int) + 1
    conv_day = lead_day + lag
    converted &= conv_day <= state.n_days - 1
    lead_account = rng.choice(len(market.account_weights), size=n_leads, p=market.account_weights)
    has_account = converted | (rng.uniform(size=n_leads) < 0.4)
    lead_terr = market.account_territory[lead_account]
    lead_rep = _assign_reps(state, np.minimum(conv_day, state.n_days - 1), lead_terr, reps, traits)
    return _LeadDraw(
        lead_day, lead_channel, converted, conv_day, lead_account, has_account, lead_rep
    )


@dataclass(frozen=True)
class _DealDraw:
    """The drawn deals, one entry per opportunity (0-based account, rep, lead, segment)."""

    day: np.ndarray
    account: np.ndarray
    rep: np.ndarray
    lead: np.ndarray  # -1 for expansion deals
    channel: np.ndarray  # -1 for expansion deals
    segment: np.ndarray  # index into SEGMENTS


def _draw_deals(
    state: DemoState,
    market: _Market,
    leads: _LeadDraw,
    reps: pd.DataFrame,
    traits: RepTraits,
) -> _DealDraw:
    """Returns the deals: converted leads plus expansion deals on existing accounts."""
    rng = state.rng
    conv_idx = np.flatnonzero(leads.converted)
    n_expansion = max(0, state.scale.opportunities - len(conv_idx))
    exp_day = rng.choice(state.n_days, size=n_expansion, p=market.day_weights)
    exp_account = rng.choice(
        len(market.account_weights), size=n_expansion, p=market.account_weights
    )
    exp_rep = _assign_reps(state, exp_day, market.account_territory[exp_account], reps, traits)
    return _DealDraw(
        day=np.concatenate([leads.converted_day[conv_idx], exp_day]),
        account=np.concatenate([leads.account[conv_idx], exp_account]),
        rep=np.concatenate([leads.rep[conv_idx], exp_rep]),
        lead=np.concatenate([conv_idx, np.full(n_expansion, -1)]),
        channel=np.concatenate([leads.channel[conv_idx], np.full(n_expansion, -1)]),
        segment=np.zeros(0, int),
    )


def _deal_outcomes(
    state: DemoState, deals: _DealDraw, accounts: pd.DataFrame, traits: RepTraits
) -> tuple[_DealDraw, pd.DataFrame]:
    """Returns (deals with their segment, the per-deal frame the history is built from).

    The frame has columns idx, day, close_day, planned, won, open, amount.
    """
    rng = state.rng
    n = len(deals.day)
    segment = accounts["segment"].to_numpy()[deals.account]
    seg_names = list(SEGMENTS)
    seg_idx = np.array([seg_names.index(x) for x in segment]) if n else np.zeros(0, int)
    seg_deal = np.array([SEGMENTS[x][0] for x in seg_names])[seg_idx]
    seg_cycle = np.array([SEGMENTS[x][1] for x in seg_names])[seg_idx]
    seg_win = np.array([SEGMENTS[x][2] for x in seg_names])[seg_idx]
    potential = accounts["annual_potential"].to_numpy()[deals.account]
    seg_pot = np.array([SEGMENTS[x][7] for x in seg_names])[seg_idx]
    amount = np.round(seg_deal * (potential / seg_pot) ** 0.35 * rng.lognormal(0, 0.45, n), -2)
    amount = np.where(deals.lead < 0, np.round(amount * 0.6, -2), amount)  # expansion is smaller
    ch_win = np.append(np.array([c[2] for c in CHANNELS.values()]), 1.25)[deals.channel]
    p_win = np.clip(seg_win * ch_win * traits.skill[deals.rep] ** 0.8, 0.03, 0.85)
    won = rng.uniform(size=n) < p_win
    cycle = np.maximum(
        3, (seg_cycle * rng.lognormal(0, 0.45, n) * np.where(won, 1.0, 0.8)).astype(int)
    )
    close_day = _quarter_end_push(state, deals.day, deals.day + cycle, won)
    cycle = close_day - deals.day
    planned = np.maximum(2, (cycle * rng.uniform(0.55, 1.05, n)).astype(int))
    frame = pd.DataFrame(
        {
            "idx": np.arange(n),
            "day": deals.day,
            "close_day": close_day,
            "planned": planned,
            "won": won,
            "open": close_day > state.n_days - 1,
            "amount": amount,
        }
    )
    return replace(deals, segment=seg_idx), frame


def _quarter_end_push(
    state: DemoState, day: np.ndarray, close_day: np.ndarray, won: np.ndarray
) -> np.ndarray:
    """Returns close days with some early-quarter wins pulled back before the quarter's start."""
    rng = state.rng
    n = len(day)
    close_dt = state.to_date(close_day)
    month = close_dt.astype("datetime64[M]")
    dom = (close_dt - month.astype("datetime64[D]")).astype(int)
    first_month = ((month.astype(int)) % 3) == 0
    pull = won & first_month & (dom < 12) & (rng.uniform(size=n) < state.pattern.quarter_end_pull)
    q_end: np.ndarray = month.astype("datetime64[D]") - np.timedelta64(1, "D")
    pulled = (q_end - state.start).astype(int) - rng.integers(0, 5, n)
    return np.where(pull & (pulled > day), pulled, close_day)


def _deal_names(
    account_names: list[str],
    seg_names: list[str],
    deals: _DealDraw,
    ids: np.ndarray,
    expansion: np.ndarray,
) -> list[str]:
    """Returns each deal's deal_name, its account's short name worked out once per account."""
    shorts = [short_name(name) for name in account_names]
    return [
        named_deal(shorts[a], seg_names[k], i, more)
        for a, k, i, more in zip(
            deals.account.tolist(),
            deals.segment.tolist(),
            ids.tolist(),
            expansion.tolist(),
            strict=True,
        )
    ]


def _opportunities_frame(
    state: DemoState,
    deals: _DealDraw,
    outcomes: pd.DataFrame,
    history: pd.DataFrame,
    account_names: list[str],
    expansion: np.ndarray,
) -> pd.DataFrame:
    """Returns the opportunities table: each deal in the state of its last history row.

    `account_names` are the accounts' names in id order (deals are named after them);
    `expansion` marks the deals that sell more to an account that already bought.
    """
    n = len(deals.day)
    seg_names = list(SEGMENTS)
    # the history is in (deal, day) order: each deal's last row ends a run; its columns are
    # taken as Series (strings stay Arrow: through numpy objects they were converted back)
    deal = history["opportunity_id"].to_numpy()
    ends = np.ones(len(deal), dtype=bool)
    ends[:-1] = deal[1:] != deal[:-1]
    last = history[ends].reset_index(drop=True)
    ids = np.arange(1, n + 1)
    is_open = outcomes["open"].to_numpy()
    close_day = outcomes["close_day"].to_numpy()
    return pd.DataFrame(
        {
            "id": ids,
            "source": SOURCE,
            "external_id": numbered("O", ids),
            "name": _deal_names(account_names, seg_names, deals, ids, expansion),
            "account_id": deals.account + 1,
            "rep_id": deals.rep + 1,
            "lead_id": np.where(deals.lead >= 0, deals.lead + 1, np.nan),
            "created_at": state.to_date(deals.day),
            "expected_close_date": last["expected_close_date"],
            "closed_at": np.where(is_open, np.datetime64("NaT"), state.to_date(close_day)),
            "stage": last["stage"],
            "outcome": last["outcome"],
            "amount": last["amount"],
            "forecast_category": last["forecast_category"],
        }
    )


def _leads_frame(state: DemoState, leads: _LeadDraw) -> pd.DataFrame:
    """Returns the leads table; converted leads link to the deals they opened, in order."""
    n_leads = len(leads.day)
    conv_idx = np.flatnonzero(leads.converted)
    opp_of_lead = np.full(n_leads, np.nan)
    opp_of_lead[conv_idx] = np.arange(1, len(conv_idx) + 1)
    status = lead_status(leads.converted, leads.day, state.n_days)
    return pd.DataFrame(
        {
            "id": np.arange(1, n_leads + 1),
            "source": SOURCE,
            "external_id": numbered("L", np.arange(1, n_leads + 1)),
            "created_at": state.to_date(leads.day),
            "channel": labels(leads.channel, list(CHANNELS)),
            "account_id": np.where(leads.has_account, leads.account + 1, np.nan),
            "rep_id": leads.rep + 1,
            "status": status,
            "converted_at": np.where(
                leads.converted, state.to_date(leads.converted_day), np.datetime64("NaT")
            ),
            "opportunity_id": opp_of_lead,
        }
    )


def demand(
    state: DemoState, reps: pd.DataFrame, traits: RepTraits, accounts: pd.DataFrame
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Returns (leads, opportunities, opportunity_history) frames."""
    # Accounts are picked by potential within territory weights.
    account_weights = accounts["annual_potential"].to_numpy() ** 0.5
    market = _Market(
        day_weights=_day_weights(state),
        account_territory=accounts["territory_id"].to_numpy() - 1,
        account_weights=account_weights / account_weights.sum(),
    )
    leads = _draw_leads(state, market, reps, traits)
    deals = _draw_deals(state, market, leads, reps, traits)
    deals, outcomes = _deal_outcomes(state, deals, accounts, traits)
    history = deal_history(state, outcomes)
    names = accounts["name"].tolist()
    drawn = pd.DataFrame(
        {"day": deals.day, "account": deals.account, "rep": deals.rep, "lead": deals.lead}
    ).assign(won=outcomes["won"].to_numpy(), close_day=outcomes["close_day"].to_numpy())
    expansion = (deals.lead < 0) & bought_before(drawn, state.n_days)
    opportunities = _opportunities_frame(state, deals, outcomes, history, names, expansion)
    sourced, opportunities["lead_id"] = source_leads(state, drawn, reps, len(leads.day) + 1)
    all_leads = pd.concat([_leads_frame(state, leads), sourced], ignore_index=True)
    return all_leads, opportunities, history
