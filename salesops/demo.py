"""A deterministic synthetic company: every table filled, at any scale, from one seed.

The demo is built to give every page a story: bookings with growth, yearly
seasonality and quarter-end pushes; channels with different cost and conversion;
territories with unequal potential per rep (some over-, some under-loaded); new
hires ramping up; reps selling 20-45% of their hours; stage moves, amount changes
and slipped close dates in opportunity_history, with a few stage regressions, pulled-in
close dates and deals lost then reopened; repeat orders and churn for LTV; late-paying
accounts. Same seed and scale give the same rows.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd
from sqlalchemy import Engine, delete

from salesops.db import schema
from salesops.db.engine import bulk_insert, init_schema, record_schema_version, reset_sequences

logger = logging.getLogger(__name__)

DEMO_END = date(2026, 11, 20)
SOURCE = "demo"

Progress = Callable[[float, str], None]


@dataclass(frozen=True)
class Scale:
    """Sizes of one demo company."""

    territories: int
    reps: int
    accounts: int
    opportunities: int
    leads: int
    years: int


SCALES: dict[str, Scale] = {
    "tiny": Scale(territories=4, reps=10, accounts=400, opportunities=2_500, leads=8_000, years=3),
    "small": Scale(
        territories=6, reps=24, accounts=2_000, opportunities=12_000, leads=40_000, years=3
    ),
    "medium": Scale(
        territories=12, reps=80, accounts=20_000, opportunities=150_000, leads=450_000, years=4
    ),
    "large": Scale(
        territories=20,
        reps=200,
        accounts=100_000,
        opportunities=1_000_000,
        leads=3_000_000,
        years=5,
    ),
}

STAGES = [
    # name, sort_order, probability, is_closed, is_won
    ("Prospecting", 1, 0.10, False, False),
    ("Qualification", 2, 0.20, False, False),
    ("Proposal", 3, 0.40, False, False),
    ("Negotiation", 4, 0.60, False, False),
    ("Commit", 5, 0.80, False, False),
    ("Closed Won", 6, 1.00, True, True),
    ("Closed Lost", 7, 0.00, True, False),
]
OPEN_STAGES = [s[0] for s in STAGES if not s[3]]
# History event kinds beyond stage move (0), push (1), amount change (2) and close (3).
KIND_REGRESSION, KIND_PULL_IN, KIND_LOST, KIND_REOPENED = 4, 5, 6, 7
FORECAST_CATEGORY = {
    "Prospecting": "pipeline",
    "Qualification": "pipeline",
    "Proposal": "best_case",
    "Negotiation": "best_case",
    "Commit": "commit",
    "Closed Won": "closed",
    "Closed Lost": "omitted",
}

# channel: share of leads, lead->opportunity conversion, win-rate factor, marketing cost per lead
CHANNELS = {
    "Paid Search": (0.24, 0.10, 0.85, 140.0),
    "Organic": (0.22, 0.12, 1.00, 25.0),
    "Events": (0.10, 0.22, 1.10, 420.0),
    "Outbound": (0.16, 0.08, 0.80, 60.0),
    "Referral": (0.07, 0.34, 1.35, 90.0),
    "Partner": (0.09, 0.25, 1.15, 160.0),
    "Webinar": (0.12, 0.15, 0.95, 75.0),
}

SEGMENTS = {
    # segment: deal size median, cycle days median, win base, coverage hours/account/year,
    #          order interval months, monthly churn, gross margin, potential median
    "Enterprise": (95_000.0, 110, 0.24, 40.0, 3, 0.016, 0.72, 600_000.0),
    "Mid-Market": (28_000.0, 55, 0.30, 16.0, 3, 0.026, 0.66, 160_000.0),
    "SMB": (7_000.0, 25, 0.36, 6.0, 1, 0.040, 0.58, 35_000.0),
}
REGIONS = ["North America East", "North America West", "EMEA", "APAC", "LATAM"]

ACTIVITY_TYPES = [
    # activity, category, is_back_office, share of a rep's non-selling hours
    ("Customer meetings", "selling", False, None),
    ("Prospecting calls & emails", "selling", False, None),
    ("Demos & presentations", "selling", False, None),
    ("Quote configuration", "non_selling", True, 0.17),
    ("Proposal writing", "non_selling", True, 0.17),
    ("Order processing", "non_selling", True, 0.13),
    ("Approvals & payment chasing", "non_selling", True, 0.10),
    ("Admin & CRM updates", "non_selling", False, 0.20),
    ("Internal meetings", "non_selling", False, 0.13),
    ("Travel", "non_selling", False, 0.10),
]
SELLING_SPLIT = (0.45, 0.35, 0.20)
COUNTED = {"Quote configuration": 2.2, "Proposal writing": 4.5, "Order processing": 1.4}


def resolve_scale(scale: str | int) -> Scale:
    """Returns the Scale for a name (tiny/small/medium/large) or a number of opportunities."""
    if isinstance(scale, str) and scale in SCALES:
        return SCALES[scale]
    try:
        n = int(scale)
    except (TypeError, ValueError):
        raise ValueError(
            f"Unknown scale {scale!r}: use small, medium, large or a number of opportunities."
        ) from None
    if n < 100:
        raise ValueError(f"Scale {n} is too small: use at least 100 opportunities.")
    base = SCALES["small"]
    factor = n / base.opportunities
    return Scale(
        territories=max(3, min(20, round(base.territories * factor**0.3))),
        reps=max(6, min(400, round(base.reps * factor**0.5))),
        accounts=max(100, round(base.accounts * factor**0.8)),
        opportunities=n,
        leads=round(n * 3.3),
        years=3,
    )


def _days(values: np.ndarray) -> pd.Series:
    return pd.Series(values.astype("datetime64[D]"))


def _iso(values: pd.Series | np.ndarray) -> pd.Series:
    """Day-precision datetimes -> 'YYYY-MM-DD' strings (None where missing)."""
    s = pd.Series(pd.to_datetime(values))
    out = s.dt.strftime("%Y-%m-%d")
    return out.where(s.notna(), None).astype(object)


class _Generator:
    """Builds every demo table as DataFrames; see generate_demo()."""

    def __init__(self, scale: Scale, seed: int, end: date) -> None:
        self.s = scale
        self.rng = np.random.default_rng(seed)
        # The history's detours (regressions, pull-ins, reopenings) draw from their own
        # stream, so adding them left every other table of a seed exactly as it was.
        self.detour_rng = np.random.default_rng([seed, 1])
        self.end = np.datetime64(end, "D")
        self.start = np.datetime64(date(end.year - scale.years, 1, 1), "D")
        self.n_days = int((self.end - self.start).astype(int)) + 1

    # -- organisation ------------------------------------------------------
    def territories(self) -> pd.DataFrame:
        n = self.s.territories
        segments = np.array(list(SEGMENTS))[np.arange(n) % 3]
        regions = np.array(REGIONS)[(np.arange(n) // 3) % len(REGIONS)]
        suffix = np.arange(n) // (3 * len(REGIONS))
        names = [
            f"{r} {s}" + (f" {k + 1}" if n > 3 * len(REGIONS) else "")
            for r, s, k in zip(regions, segments, suffix, strict=True)
        ]
        # Potential is unequal across territories and reps are not allocated in proportion:
        # that is what makes some territories over- and others under-loaded.
        self.terr_weight = self.rng.lognormal(0.0, 0.45, n)
        return pd.DataFrame(
            {
                "id": np.arange(1, n + 1),
                "source": SOURCE,
                "external_id": [f"T{i:03d}" for i in range(1, n + 1)],
                "name": names,
                "region": regions,
                "segment": segments,
            }
        )

    def reps(self, territories: pd.DataFrame) -> pd.DataFrame:
        n, nt = self.s.reps, len(territories)
        rng = self.rng
        base = np.ones(nt) + rng.uniform(0, 1, nt)  # allocation ignores most of the potential
        alloc = np.maximum(1, np.floor(base / base.sum() * n)).astype(int)
        while alloc.sum() < n:
            alloc[rng.integers(nt)] += 1
        while alloc.sum() > n:
            alloc[np.argmax(alloc)] -= 1
        territory_id = np.repeat(territories["id"].to_numpy(), alloc)
        segment = territories.set_index("id").loc[territory_id, "segment"].to_numpy()
        span = self.n_days
        # 65% were on board before the data starts; the rest joined during it.
        joined_late = rng.uniform(size=n) < 0.35
        hire_offset = np.where(
            joined_late, rng.integers(30, span - 90, n), -rng.integers(200, 2500, n)
        )
        hire = self.start + hire_offset.astype("timedelta64[D]")
        leaves = rng.uniform(size=n) < 0.12
        end_offset = rng.integers(180, span, n)
        end = np.where(
            leaves & (hire_offset + 240 < end_offset),
            self.start + end_offset.astype("timedelta64[D]"),
            np.datetime64("NaT"),
        )
        quota_by_segment = {"Enterprise": 1_400_000.0, "Mid-Market": 800_000.0, "SMB": 420_000.0}
        first = np.array(
            [
                "Alex",
                "Sam",
                "Jordan",
                "Taylor",
                "Morgan",
                "Casey",
                "Riley",
                "Jamie",
                "Avery",
                "Quinn",
                "Drew",
                "Harper",
                "Rowan",
                "Emerson",
                "Kai",
                "Noa",
            ]
        )
        last = np.array(
            [
                "Garcia",
                "Smith",
                "Nguyen",
                "Müller",
                "Rossi",
                "Kim",
                "Okafor",
                "Silva",
                "Cohen",
                "Novak",
                "Dubois",
                "Tanaka",
                "Larsen",
                "Patel",
                "Moreau",
                "Haas",
            ]
        )
        names = [f"{first[i % 16]} {last[(i * 7 + i // 16) % 16]} {i + 1}" for i in range(n)]
        capacity = np.where(rng.uniform(size=n) < 0.1, 32.0, 40.0)
        self.rep_skill = rng.lognormal(0.0, 0.28, n)
        self.rep_selling_share = np.clip(rng.normal(0.32, 0.065, n), 0.20, 0.45)
        managers = [f"Manager {chr(65 + int(t) % 26)}" for t in (territory_id - 1) // 2]
        return pd.DataFrame(
            {
                "id": np.arange(1, n + 1),
                "source": SOURCE,
                "external_id": [f"R{i:04d}" for i in range(1, n + 1)],
                "name": names,
                "email": [f"rep{i}@demo.example" for i in range(1, n + 1)],
                "territory_id": territory_id,
                "manager": managers,
                "hire_date": hire,
                "end_date": end,
                "annual_quota": np.array([quota_by_segment[s] for s in segment])
                * np.round(rng.uniform(0.85, 1.15, n), 2),
                "weekly_capacity_hours": capacity,
                "annual_cost": np.round(rng.uniform(110_000, 190_000, n), -3),
            }
        )

    def accounts(self, territories: pd.DataFrame) -> pd.DataFrame:
        n, rng = self.s.accounts, self.rng
        weights = self.terr_weight / self.terr_weight.sum()
        territory_id = rng.choice(territories["id"].to_numpy(), size=n, p=weights)
        segment = territories.set_index("id").loc[territory_id, "segment"].to_numpy()
        seg_potential = np.array([SEGMENTS[s][7] for s in segment])
        potential = np.round(seg_potential * rng.lognormal(0.0, 0.7, n), -2)
        employees = np.maximum(5, (potential / 1_500 * rng.lognormal(0, 0.4, n)).astype(int))
        industries = np.array(
            [
                "Manufacturing",
                "Retail",
                "Healthcare",
                "Finance",
                "Software",
                "Logistics",
                "Education",
                "Energy",
            ]
        )
        created = self.start - rng.integers(0, 900, n).astype("timedelta64[D]")
        stems = np.array(
            [
                "Acme",
                "Globex",
                "Initech",
                "Umbrella",
                "Stark",
                "Wayne",
                "Hooli",
                "Vandelay",
                "Soylent",
                "Tyrell",
                "Cyberdyne",
                "Wonka",
                "Gringotts",
            ]
        )
        forms = np.array(["Inc.", "GmbH", "Ltd", "LLC", "S.A.", "Corp."])
        names = [
            f"{stems[i % len(stems)]} {industries[(i // 13) % 8]} {i + 1} {forms[i % 6]}"
            for i in range(n)
        ]
        return pd.DataFrame(
            {
                "id": np.arange(1, n + 1),
                "source": SOURCE,
                "external_id": [f"A{i:06d}" for i in range(1, n + 1)],
                "name": names,
                "territory_id": territory_id,
                "segment": segment,
                "industry": industries[rng.integers(0, 8, n)],
                "employees": employees,
                "annual_potential": potential,
                "created_at": created,
            }
        )

    # -- demand ------------------------------------------------------------
    def _day_weights(self) -> np.ndarray:
        t = np.arange(self.n_days)
        day = self.start + t.astype("timedelta64[D]")
        doy = (day - day.astype("datetime64[Y]")).astype(int)
        growth = 1.0 + 0.16 * t / 365.0
        season = 1.0 + 0.18 * np.cos(2 * np.pi * (doy - 75) / 365.0)  # spring peak
        season *= np.where((doy > 190) & (doy < 235), 0.82, 1.0)  # summer lull
        season *= np.where(doy > 350, 0.55, 1.0)  # holidays
        weekday = (day.astype("datetime64[D]").view("int64") - 4) % 7  # 0 = Monday
        work = np.where(weekday >= 5, 0.15, 1.0)
        w = growth * season * work
        return w / w.sum()

    def _assign_reps(self, day_idx: np.ndarray, terr_idx: np.ndarray, reps: pd.DataFrame):
        """Picks, for each event, an active rep of its territory (ramp-weighted rejection)."""
        rng = self.rng
        rep_terr = reps["territory_id"].to_numpy() - 1
        hire = ((reps["hire_date"].to_numpy() - self.start).astype("timedelta64[D]")).astype(int)
        end_raw = reps["end_date"].to_numpy()
        leave = np.where(
            pd.isna(end_raw), 10**9, (end_raw - self.start).astype("timedelta64[D]").astype(float)
        )
        weight = self.rep_skill * self.rep_selling_share / 0.32
        out = np.full(len(day_idx), -1)
        for t in range(self.s.territories):
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

    def demand(self, territories, reps, accounts):
        """Returns (leads, opportunities, history) frames."""
        s, rng = self.s, self.rng
        weights = self._day_weights()
        names = list(CHANNELS)
        ch_share = np.array([CHANNELS[c][0] for c in names])
        ch_conv = np.array([CHANNELS[c][1] for c in names])

        # Leads: created on a seasonal, growing curve; conversion depends on the channel.
        n_leads = s.leads
        lead_day = rng.choice(self.n_days, size=n_leads, p=weights)
        lead_channel = rng.choice(len(names), size=n_leads, p=ch_share)
        conv_p = ch_conv[lead_channel] * (s.opportunities * 0.62 / n_leads) / (ch_share @ ch_conv)
        converted = rng.uniform(size=n_leads) < np.clip(conv_p, 0, 0.95)
        lag = rng.gamma(2.0, 6.0, n_leads).astype(int) + 1
        conv_day = lead_day + lag
        converted &= conv_day <= self.n_days - 1
        acc_terr = accounts["territory_id"].to_numpy() - 1
        # Accounts are picked by potential within territory weights.
        acc_p = accounts["annual_potential"].to_numpy() ** 0.5
        acc_p = acc_p / acc_p.sum()
        lead_account = rng.choice(len(accounts), size=n_leads, p=acc_p)
        has_account = converted | (rng.uniform(size=n_leads) < 0.4)
        lead_terr = acc_terr[lead_account]
        lead_rep = self._assign_reps(np.minimum(conv_day, self.n_days - 1), lead_terr, reps)

        # Opportunities: converted leads plus expansion deals on existing accounts.
        conv_idx = np.flatnonzero(converted)
        n_from_leads = len(conv_idx)
        n_expansion = max(0, s.opportunities - n_from_leads)
        exp_day = rng.choice(self.n_days, size=n_expansion, p=weights)
        exp_account = rng.choice(len(accounts), size=n_expansion, p=acc_p)
        exp_rep = self._assign_reps(exp_day, acc_terr[exp_account], reps)

        n = n_from_leads + n_expansion
        o_day = np.concatenate([conv_day[conv_idx], exp_day])
        o_account = np.concatenate([lead_account[conv_idx], exp_account])
        o_rep = np.concatenate([lead_rep[conv_idx], exp_rep])
        o_lead = np.concatenate([conv_idx, np.full(n_expansion, -1)])
        o_channel = np.concatenate([lead_channel[conv_idx], np.full(n_expansion, -1)])
        segment = accounts["segment"].to_numpy()[o_account]
        seg_names = list(SEGMENTS)
        seg_idx = np.array([seg_names.index(x) for x in segment]) if n else np.zeros(0, int)
        seg_deal = np.array([SEGMENTS[x][0] for x in seg_names])[seg_idx]
        seg_cycle = np.array([SEGMENTS[x][1] for x in seg_names])[seg_idx]
        seg_win = np.array([SEGMENTS[x][2] for x in seg_names])[seg_idx]

        potential = accounts["annual_potential"].to_numpy()[o_account]
        seg_pot = np.array([SEGMENTS[x][7] for x in seg_names])[seg_idx]
        amount = np.round(seg_deal * (potential / seg_pot) ** 0.35 * rng.lognormal(0, 0.45, n), -2)
        amount = np.where(o_lead < 0, np.round(amount * 0.6, -2), amount)  # expansion is smaller
        ch_win = np.append(np.array([CHANNELS[c][2] for c in names]), 1.25)[o_channel]
        p_win = np.clip(seg_win * ch_win * self.rep_skill[o_rep] ** 0.8, 0.03, 0.85)
        won = rng.uniform(size=n) < p_win
        cycle = np.maximum(
            3, (seg_cycle * rng.lognormal(0, 0.45, n) * np.where(won, 1.0, 0.8)).astype(int)
        )
        close_day = o_day + cycle
        # Quarter-end push: deals closing in the first weeks of a quarter get pulled back in.
        close_dt = self.start + close_day.astype("timedelta64[D]")
        month = close_dt.astype("datetime64[M]")
        dom = (close_dt - month.astype("datetime64[D]")).astype(int)
        first_month = ((month.astype(int)) % 3) == 0
        pull = won & first_month & (dom < 12) & (rng.uniform(size=n) < 0.45)
        q_end = month.astype("datetime64[D]") - np.timedelta64(1, "D")
        pulled = (q_end - self.start).astype(int) - rng.integers(0, 5, n)
        close_day = np.where(pull & (pulled > o_day), pulled, close_day)
        cycle = close_day - o_day
        is_open = close_day > self.n_days - 1

        planned = np.maximum(2, (cycle * rng.uniform(0.55, 1.05, n)).astype(int))
        opps = pd.DataFrame(
            {
                "idx": np.arange(n),
                "day": o_day,
                "close_day": close_day,
                "planned": planned,
                "won": won,
                "open": is_open,
                "amount": amount,
            }
        )
        history = self._history(opps)
        last = history.groupby("opportunity_id", sort=True).tail(1).set_index("opportunity_id")
        last = last.sort_index()
        ids = np.arange(1, n + 1)
        to_date = lambda d: self.start + np.asarray(d).astype("timedelta64[D]")  # noqa: E731
        opportunities = pd.DataFrame(
            {
                "id": ids,
                "source": SOURCE,
                "external_id": [f"O{i:07d}" for i in ids],
                "name": [f"{seg_names[k][:3]}-{i:07d}" for k, i in zip(seg_idx, ids, strict=True)],
                "account_id": o_account + 1,
                "rep_id": o_rep + 1,
                "lead_id": np.where(o_lead >= 0, o_lead + 1, np.nan),
                "created_at": to_date(o_day),
                "expected_close_date": last["expected_close_date"].to_numpy(),
                "closed_at": np.where(is_open, np.datetime64("NaT"), to_date(close_day)),
                "stage": last["stage"].to_numpy(),
                "outcome": last["outcome"].to_numpy(),
                "amount": last["amount"].to_numpy(),
                "forecast_category": last["forecast_category"].to_numpy(),
            }
        )
        opp_of_lead = np.full(n_leads, np.nan)
        opp_of_lead[conv_idx] = np.arange(1, n_from_leads + 1)
        status = np.where(
            converted,
            "Converted",
            np.where(lead_day > self.n_days - 45, "Working", "Disqualified"),
        )
        leads = pd.DataFrame(
            {
                "id": np.arange(1, n_leads + 1),
                "source": SOURCE,
                "external_id": [f"L{i:07d}" for i in range(1, n_leads + 1)],
                "created_at": to_date(lead_day),
                "channel": np.array(names)[lead_channel],
                "account_id": np.where(has_account, lead_account + 1, np.nan),
                "rep_id": lead_rep + 1,
                "status": status,
                "converted_at": np.where(converted, to_date(conv_day), np.datetime64("NaT")),
                "opportunity_id": opp_of_lead,
            }
        )
        self.opp_frame = opportunities
        return leads, opportunities, history

    def _history(self, opps: pd.DataFrame) -> pd.DataFrame:
        """Stage moves, amount changes and close-date pushes, one row per change."""
        rng = self.rng
        n = len(opps)
        won = opps["won"].to_numpy()
        day, close_day = opps["day"].to_numpy(), opps["close_day"].to_numpy()
        cycle = close_day - day
        # Highest open stage reached: won deals pass all five; lost deals stall somewhere.
        reached = np.where(won, 5, rng.integers(1, 6, n))
        # Stage entry times as fractions of the cycle.
        k = reached
        rows_opp = np.repeat(np.arange(n), k)
        stage_no = _stage_numbers(k)
        frac = np.where(
            stage_no == 1, 0.0, (stage_no - 1) / 5.0 + rng.uniform(-0.05, 0.05, len(rows_opp))
        )
        t_stage = day[rows_opp] + np.floor(frac * cycle[rows_opp]).astype(int)
        stage_events = pd.DataFrame(
            {"opp": rows_opp, "t": t_stage, "kind": 0, "value": stage_no.astype(float)}
        )
        # Close-date pushes: each time the expected date passes while the deal is open.
        planned = opps["planned"].to_numpy()
        step = np.maximum(14, (cycle * 0.25).astype(int))
        pushes = np.clip(np.ceil((cycle - planned) / step), 0, 4).astype(int)
        push_opp = np.repeat(np.arange(n), pushes)
        push_no = _stage_numbers(pushes) if pushes.sum() else np.zeros(0, int)
        # Reps update the date a while after it has passed, so open deals can sit overdue.
        push_lag = rng.integers(0, 25, len(push_opp))
        push_t = day[push_opp] + planned[push_opp] + (push_no - 1) * step[push_opp] + push_lag
        before_close = push_t < close_day[push_opp]
        push_events = pd.DataFrame(
            {"opp": push_opp, "t": push_t, "kind": 1, "value": push_no.astype(float)}
        )[before_close]
        # Amount changes on about a third of deals, mid-cycle.
        changes = rng.uniform(size=n) < 0.33
        ch_opp = np.flatnonzero(changes)
        ch_t = day[ch_opp] + (cycle[ch_opp] * rng.uniform(0.3, 0.8, len(ch_opp))).astype(int)
        ch_factor = np.round(rng.choice([0.7, 0.8, 0.9, 1.1, 1.25, 1.5], len(ch_opp)), 2)
        amount_events = pd.DataFrame({"opp": ch_opp, "t": ch_t, "kind": 2, "value": ch_factor})
        close_events = pd.DataFrame(
            {"opp": np.arange(n), "t": close_day, "kind": 3, "value": won.astype(float)}
        )
        detours, lost_from, lost_until = self._detours(opps)
        ev = pd.concat(
            [stage_events, push_events, amount_events, close_events, detours], ignore_index=True
        )
        ev = ev[ev["t"] <= self.n_days - 1]
        ev["t"] = np.maximum(ev["t"].to_numpy(), day[ev["opp"].to_numpy()])
        ev = ev.sort_values(["opp", "t", "kind"], kind="stable").reset_index(drop=True)
        ev = _without_clashing_detours(ev, lost_from, lost_until)
        # Stage: the last stage event so far (forward-filled per deal).
        stage_val = _filled(ev, np.where(ev["kind"] == 0, ev["value"], np.nan))
        # Expected close: planned date, moved by a step per push; a close row sets it to the
        # close. A pull-in moves it earlier (never to before its own day) until the next push.
        n_push = _filled(ev, np.where(ev["kind"] == 1, 1, 0), "cumsum")
        expected = day[ev["opp"]] + planned[ev["opp"]] + n_push * step[ev["opp"]]
        pull = np.minimum(ev["value"], expected - ev["t"] - 1).to_numpy()
        # A regression steps back one stage, from stage 2 up, until the next stage move.
        pointless = ((ev["kind"] == KIND_REGRESSION) & ~(stage_val >= 2)) | (
            (ev["kind"] == KIND_PULL_IN) & (pull < 1)
        )
        keep = ~pointless.to_numpy()
        ev = ev[keep].reset_index(drop=True)
        stage_val, expected, pull = stage_val[keep], expected[keep], pull[keep]
        o = ev["opp"].to_numpy()
        kind = ev["kind"].to_numpy()
        val = ev["value"].to_numpy()
        regression = np.where(kind == KIND_REGRESSION, stage_val - 1, np.nan)
        stage_val = _filled(ev, np.where(kind == 0, val, regression))
        # Amount: product of change factors so far.
        factor = pd.Series(np.where(kind == 2, val, 1.0)).groupby(o).cumprod().to_numpy()
        amount = np.round(opps["amount"].to_numpy()[o] * factor, -2)
        expected = expected - _filled(ev, np.where(kind == KIND_PULL_IN, pull, 0), "cumsum")
        closed = kind == 3
        expected = np.where(closed, close_day[o], expected)
        # A reopened deal reads lost (closed that day) from its provisional loss to reopening.
        t = ev["t"].to_numpy()
        lost_for_now = (t >= lost_from[o]) & (t < lost_until[o])
        expected = np.where(lost_for_now, lost_from[o], expected)
        stage_names = np.array([""] + OPEN_STAGES)
        stage = stage_names[np.nan_to_num(stage_val, nan=1).astype(int)]
        outcome = np.full(len(ev), "open", dtype=object)
        outcome[closed & (val == 1)] = "won"
        outcome[(closed & (val == 0)) | lost_for_now] = "lost"
        stage = np.where(
            outcome == "won", "Closed Won", np.where(outcome == "lost", "Closed Lost", stage)
        )
        frame = pd.DataFrame(
            {
                "opportunity_id": o + 1,
                "changed_at": self.start + ev["t"].to_numpy().astype("timedelta64[D]"),
                "stage": stage,
                "outcome": outcome,
                "amount": amount,
                "expected_close_date": self.start + expected.astype("timedelta64[D]"),
                "forecast_category": pd.Series(stage).map(FORECAST_CATEGORY).to_numpy(),
            }
        )
        # Collapse several changes of one deal on the same day into the day's final state.
        frame = frame.groupby(["opportunity_id", "changed_at"], sort=False).tail(1)
        return frame.reset_index(drop=True)

    def _detours(self, opps: pd.DataFrame) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
        """Returns the detours deals take before they close, and the reopened deals' lost spells.

        A small, seeded share of deals that close within the data: a stage regression (one
        stage back mid-cycle; the next stage move restores it), a close date pulled in
        (1-6 weeks earlier, until the next push), and, for deals finally lost, an earlier
        loss reopened days or weeks later. Every detour ends before the deal's close, so
        each deal's final state, and every table built from it, stays as it was.
        Returns the events (opp, t, kind, value) and per deal the day a provisional loss
        starts and the day it is reopened (-1 where there is none).
        """
        rng = self.detour_rng
        n = len(opps)
        day, close_day = opps["day"].to_numpy(), opps["close_day"].to_numpy()
        cycle = close_day - day
        closes = close_day <= self.n_days - 1
        # Regressions need stage moves on distinct days: cycles of a month or more.
        regress = np.flatnonzero(closes & (cycle >= 30) & (rng.uniform(size=n) < 0.08))
        regress_t = day[regress] + (cycle[regress] * rng.uniform(0.45, 0.95, len(regress)))
        pull = np.flatnonzero(closes & (cycle >= 14) & (rng.uniform(size=n) < 0.10))
        pull_t = day[pull] + (cycle[pull] * rng.uniform(0.2, 0.9, len(pull)))
        pull_days = rng.integers(7, 43, len(pull)).astype(float)
        reopen = np.flatnonzero(
            closes & ~opps["won"].to_numpy() & (cycle >= 20) & (rng.uniform(size=n) < 0.05)
        )
        lost_t = day[reopen] + (cycle[reopen] * rng.uniform(0.2, 0.6, len(reopen))).astype(int)
        gap = np.minimum(rng.integers(3, 31, len(reopen)), close_day[reopen] - lost_t - 1)
        events = pd.DataFrame(
            {
                "opp": np.concatenate([regress, pull, reopen, reopen]),
                "t": np.concatenate(
                    [regress_t.astype(int), pull_t.astype(int), lost_t, lost_t + gap]
                ),
                "kind": np.repeat(
                    [KIND_REGRESSION, KIND_PULL_IN, KIND_LOST, KIND_REOPENED],
                    [len(regress), len(pull), len(reopen), len(reopen)],
                ),
                "value": np.concatenate(
                    [np.zeros(len(regress)), pull_days, np.zeros(2 * len(reopen))]
                ),
            }
        )
        events = events[events["t"] < close_day[events["opp"].to_numpy()]]
        lost_from, lost_until = np.full(n, -1), np.full(n, -1)
        lost_from[reopen], lost_until[reopen] = lost_t, lost_t + gap
        return events, lost_from, lost_until

    # -- money and time ----------------------------------------------------
    def orders(self, opportunities: pd.DataFrame, accounts: pd.DataFrame) -> pd.DataFrame:
        rng = self.rng
        won = opportunities[opportunities["outcome"] == "won"]
        seg = accounts.set_index("id").loc[won["account_id"], "segment"].to_numpy()
        interval = np.array([SEGMENTS[s][4] for s in seg])
        churn = np.array([SEGMENTS[s][5] for s in seg])
        margin = np.array([SEGMENTS[s][6] for s in seg])
        closed = won["closed_at"].to_numpy().astype("datetime64[D]")
        # First order books the deal; repeat orders follow until the customer churns.
        lifetime = rng.geometric(np.clip(churn * interval, 0.005, 0.9)).astype(int)
        repeats = np.minimum(lifetime, 60 // interval)
        first = pd.DataFrame(
            {
                "account_id": won["account_id"].to_numpy(),
                "opportunity_id": won["id"].to_numpy(),
                "ordered_at": closed + rng.integers(0, 6, len(won)).astype("timedelta64[D]"),
                "amount": won["amount"].to_numpy(),
                "margin": margin,
            }
        )
        rep_idx = np.repeat(np.arange(len(won)), repeats)
        seq = _stage_numbers(repeats) if repeats.sum() else np.zeros(0, int)
        months = seq * interval[rep_idx]
        repeat_dates = (
            closed[rep_idx].astype("datetime64[M]") + months.astype("timedelta64[M]")
        ).astype("datetime64[D]") + rng.integers(0, 28, len(rep_idx)).astype("timedelta64[D]")
        repeat = pd.DataFrame(
            {
                "account_id": won["account_id"].to_numpy()[rep_idx],
                "opportunity_id": np.nan,
                "ordered_at": repeat_dates,
                "amount": np.round(
                    won["amount"].to_numpy()[rep_idx]
                    * 0.03
                    * interval[rep_idx]
                    * rng.lognormal(0, 0.25, len(rep_idx)),
                    -1,
                ),
                "margin": margin[rep_idx],
            }
        )
        orders = pd.concat([first, repeat], ignore_index=True)
        orders = orders[orders["ordered_at"] <= self.end].sort_values("ordered_at", kind="stable")
        n = len(orders)
        late_payer = (orders["account_id"].to_numpy() % 11) == 0
        invoiced = orders["ordered_at"].to_numpy() + rng.integers(0, 4, n).astype("timedelta64[D]")
        delay = np.where(late_payer, rng.integers(25, 95, n), rng.integers(-5, 8, n))
        paid = invoiced + (30 + delay).astype("timedelta64[D]")
        paid = np.where(paid <= self.end, paid, np.datetime64("NaT"))
        return pd.DataFrame(
            {
                "id": np.arange(1, n + 1),
                "source": SOURCE,
                "external_id": [f"S{i:07d}" for i in range(1, n + 1)],
                "account_id": orders["account_id"].to_numpy(),
                "opportunity_id": orders["opportunity_id"].to_numpy(),
                "ordered_at": orders["ordered_at"].to_numpy(),
                "amount": orders["amount"].to_numpy(),
                "gross_margin": np.round(
                    orders["amount"].to_numpy() * orders["margin"].to_numpy(), 2
                ),
                "invoiced_at": invoiced,
                "paid_at": paid,
            }
        )

    def spend(self, leads: pd.DataFrame, reps: pd.DataFrame) -> pd.DataFrame:
        rng = self.rng
        month = leads["created_at"].to_numpy().astype("datetime64[M]")
        counts = (
            pd.DataFrame({"month": month, "channel": leads["channel"].to_numpy()})
            .value_counts()
            .rename("leads")
            .reset_index()
        )
        cpl = counts["channel"].map({c: v[3] for c, v in CHANNELS.items()}).to_numpy()
        counts["marketing"] = np.round(
            counts["leads"] * cpl * 6.0 * rng.lognormal(0, 0.15, len(counts)), -2
        )
        # Sales acquisition spend: half of rep cost, spread over channels by lead volume.
        team_cost_month = reps["annual_cost"].sum() / 12 * 0.5
        share = counts["leads"] / counts.groupby("month")["leads"].transform("sum")
        counts["sales"] = np.round(team_cost_month * share, -2)
        # One paused channel month: Events spend nothing in the first August.
        first_aug = np.datetime64(f"{self.start.astype('datetime64[Y]')}-08", "M")
        paused = (counts["channel"] == "Events") & (counts["month"] == first_aug)
        counts.loc[paused, "marketing"] = 0.0
        out = counts.melt(
            id_vars=["month", "channel"],
            value_vars=["marketing", "sales"],
            var_name="kind",
            value_name="amount",
        )
        out["month"] = out["month"].to_numpy().astype("datetime64[D]")
        out = out.sort_values(["month", "channel", "kind"], kind="stable").reset_index(drop=True)
        out.insert(0, "id", np.arange(1, len(out) + 1))
        return out

    def activities(self, reps: pd.DataFrame) -> pd.DataFrame:
        rng = self.rng
        weeks = np.arange(
            self.start + ((7 - (self.start.view("int64") - 4) % 7) % 7),
            self.end - 6,
            np.timedelta64(7, "D"),
        )
        hire = reps["hire_date"].to_numpy().astype("datetime64[D]")
        end = reps["end_date"].to_numpy().astype("datetime64[D]")
        r_idx, w_idx = np.meshgrid(np.arange(len(reps)), np.arange(len(weeks)), indexing="ij")
        r_idx, w_idx = r_idx.ravel(), w_idx.ravel()
        wk = weeks[w_idx]
        active = (wk >= hire[r_idx]) & (np.isnat(end[r_idx]) | (wk < end[r_idx]))
        r_idx, wk = r_idx[active], wk[active]
        # Vacation and holiday weeks log nothing; a few logged weeks are zero-hour.
        present = rng.uniform(size=len(r_idx)) > 0.07
        r_idx, wk = r_idx[present], wk[present]
        cap = reps["weekly_capacity_hours"].to_numpy()[r_idx]
        total = cap * rng.normal(1.05, 0.08, len(r_idx))
        total = np.where(rng.uniform(size=len(r_idx)) < 0.004, 0.0, total)
        sell = np.clip(self.rep_selling_share[r_idx] + rng.normal(0, 0.04, len(r_idx)), 0.05, 0.9)
        frames = []
        non_selling = [a for a in ACTIVITY_TYPES if a[1] == "non_selling"]
        ns_share = np.array([a[3] for a in non_selling])
        ns_share = ns_share / ns_share.sum()
        speed = rng.lognormal(0, 0.25, len(reps))  # some reps are slower at paperwork
        for (activity, *_), split in zip(ACTIVITY_TYPES[:3], SELLING_SPLIT, strict=True):
            hours = total * sell * split * rng.lognormal(0, 0.1, len(r_idx))
            frames.append((activity, hours, None))
        for (activity, *_), share in zip(non_selling, ns_share, strict=True):
            hours = total * (1 - sell) * share * rng.lognormal(0, 0.15, len(r_idx))
            count = None
            if activity in COUNTED:
                per_unit = COUNTED[activity] * speed[r_idx]
                count = np.maximum(0, np.round(hours / per_unit + rng.normal(0, 0.5, len(r_idx))))
            frames.append((activity, hours, count))
        parts = [
            pd.DataFrame(
                {
                    "rep_id": r_idx + 1,
                    "week_start": wk,
                    "activity": activity,
                    "hours": np.round(hours, 1),
                    "count": count if count is not None else np.nan,
                }
            )
            for activity, hours, count in frames
        ]
        out = pd.concat(parts, ignore_index=True).sort_values(
            ["week_start", "rep_id"], kind="stable"
        )
        out["count"] = out["count"].astype("Int64")
        out.insert(0, "id", np.arange(1, len(out) + 1))
        return out

    def calibrate_quotas(
        self, reps: pd.DataFrame, territories: pd.DataFrame, opportunities: pd.DataFrame
    ) -> pd.DataFrame:
        """Sets annual quotas from what each segment's reps actually book in a year.

        Quota = the segment's mean bookings per rep-year x a stretch of 0.95-1.25, so
        attainment lands around 80-100% at any scale.
        """
        won = opportunities[opportunities["outcome"] == "won"]
        booked = won.groupby("rep_id")["amount"].sum()
        start = np.maximum(reps["hire_date"].to_numpy(), self.start)
        end = reps["end_date"].fillna(pd.Timestamp(self.end)).to_numpy().astype("datetime64[D]")
        years = np.maximum((end - start.astype("datetime64[D]")).astype(int) / 365.25, 0.25)
        per_year = booked.reindex(reps["id"]).fillna(0.0).to_numpy() / years
        segment = territories.set_index("id").loc[reps["territory_id"], "segment"].to_numpy()
        typical = pd.Series(per_year).groupby(segment).transform("mean").to_numpy()
        stretch = self.rng.uniform(0.95, 1.25, len(reps))
        return reps.assign(annual_quota=np.round(typical * stretch, -3))

    def quotas(self, reps: pd.DataFrame) -> pd.DataFrame:
        months = np.arange(
            self.start.astype("datetime64[M]"), self.end.astype("datetime64[M]") + 12
        )
        weight = np.array([0.85, 0.9, 1.1, 0.9, 0.95, 1.1, 0.85, 0.85, 1.1, 0.95, 1.0, 1.45])
        weight = weight / weight.sum()
        rows = []
        for rep in reps.itertuples(index=False):
            hire = np.datetime64(rep.hire_date, "M")
            leave = np.datetime64(rep.end_date, "M") if pd.notna(rep.end_date) else months[-1] + 1
            mine = months[(months >= hire) & (months < leave)]
            tenure = (mine - hire).astype(int)
            ramp = np.clip((tenure + 1) / 6.0, 0.2, 1.0)
            moy = mine.astype(int) % 12
            amount = np.round(rep.annual_quota * weight[moy] * ramp, -2)
            rows.append(pd.DataFrame({"rep_id": rep.id, "period_start": mine, "amount": amount}))
        out = pd.concat(rows, ignore_index=True)
        out["period_start"] = out["period_start"].to_numpy().astype("datetime64[D]")
        out.insert(0, "id", np.arange(1, len(out) + 1))
        return out


def _filled(events: pd.DataFrame, values: np.ndarray, how: str = "ffill") -> np.ndarray:
    """Returns `values` forward-filled (or summed so far) within each deal, in event order."""
    return getattr(pd.Series(values).groupby(events["opp"].to_numpy()), how)().to_numpy()


def _without_clashing_detours(
    events: pd.DataFrame, lost_from: np.ndarray, lost_until: np.ndarray
) -> pd.DataFrame:
    """Returns the events less detours that would hide a recorded change.

    Several changes of one day collapse into the day's last state, so a detour must not
    share a day with a deal's own event, and a provisional loss must not swallow a stage
    move (the stage would vanish from the deal's history). A deal whose loss clashes keeps
    no loss at all (`lost_from`/`lost_until` are reset in place).
    """
    opp, day, kind = (events[c].to_numpy() for c in ("opp", "t", "kind"))
    key = opp * 100_000 + day
    detour = kind >= KIND_REGRESSION
    clash = detour & np.isin(key, key[~detour])
    stage = kind == 0
    in_spell = stage & (day >= lost_from[opp]) & (day <= lost_until[opp]) & (lost_from[opp] >= 0)
    spoiled = np.union1d(opp[in_spell], opp[clash & (kind >= KIND_LOST)])
    lost_from[spoiled], lost_until[spoiled] = -1, -1
    drop = clash | ((kind >= KIND_LOST) & np.isin(opp, spoiled))
    return events[~drop].reset_index(drop=True)


def _stage_numbers(counts: np.ndarray) -> np.ndarray:
    """For counts [2, 3] returns [1, 2, 1, 2, 3]: the 1-based position within each group."""
    counts = np.asarray(counts, dtype=int)
    total = counts.sum()
    if total == 0:
        return np.zeros(0, dtype=int)
    starts = np.repeat(np.cumsum(counts) - counts, counts)
    return np.arange(total) - starts + 1


def build_demo_frames(
    scale: str | int = "small",
    seed: int = 42,
    end: date = DEMO_END,
    progress: Progress | None = None,
) -> dict[str, pd.DataFrame]:
    """Returns every demo table as a DataFrame keyed by table name (no database needed)."""
    report = progress or (lambda fraction, message: None)
    g = _Generator(resolve_scale(scale), seed, end)
    report(0.01, "Generating territories, reps and accounts")
    territories = g.territories()
    reps = g.reps(territories)
    accounts = g.accounts(territories)
    report(0.03, "Generating leads, opportunities and their history")
    leads, opportunities, history = g.demand(territories, reps, accounts)
    report(0.07, "Generating orders, spend, activities and quotas")
    reps = g.calibrate_quotas(reps, territories, opportunities)
    return {
        "territories": territories,
        "reps": reps,
        "accounts": accounts,
        "stages": pd.DataFrame(
            STAGES, columns=["name", "sort_order", "probability", "is_closed", "is_won"]
        ),
        "leads": leads,
        "opportunities": opportunities,
        "opportunity_history": history,
        "orders": g.orders(opportunities, accounts),
        "acquisition_spend": g.spend(leads, reps),
        "activity_types": pd.DataFrame(
            [a[:3] for a in ACTIVITY_TYPES], columns=["activity", "category", "is_back_office"]
        ),
        "activities": g.activities(reps),
        "quotas": g.quotas(reps),
    }


LOAD_ORDER = [
    "stages",
    "activity_types",
    "territories",
    "reps",
    "accounts",
    "leads",
    "opportunities",
    "opportunity_history",
    "orders",
    "acquisition_spend",
    "activities",
    "quotas",
]


def _for_insert(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.copy()
    for col in out.columns:
        if pd.api.types.is_datetime64_any_dtype(out[col]):
            out[col] = _iso(out[col])
        elif pd.api.types.is_bool_dtype(out[col]):
            out[col] = out[col].astype(bool)
        elif pd.api.types.is_float_dtype(out[col]) and col.endswith("_id"):
            out[col] = out[col].astype("Int64").astype(object).where(out[col].notna(), None)
    return out


def generate_demo(
    engine: Engine,
    scale: str | int = "small",
    seed: int = 42,
    progress: Progress | None = None,
) -> dict[str, int]:
    """Replaces the database's content with the demo company; returns rows written per table.

    Runs in one transaction: on any error nothing is written. Rollups are rebuilt after.
    """
    from salesops.db.rollups import refresh_rollups

    report = progress or (
        lambda fraction, message: logger.info("%3.0f%% %s", fraction * 100, message)
    )
    report(0.0, "Generating the demo company")
    frames = build_demo_frames(scale, seed, progress=report)
    init_schema(engine)
    counts: dict[str, int] = {}
    total = sum(len(frames[name]) for name in LOAD_ORDER)
    done = 0
    with engine.begin() as conn:
        for table in reversed(schema.metadata.sorted_tables):
            if table.name not in ("salesops_meta",):
                conn.execute(delete(table))
        # Indexes are rebuilt once after the load: far cheaper than maintaining them per row.
        indexes = [i for n in LOAD_ORDER for i in schema.metadata.tables[n].indexes]
        for index in indexes:
            index.drop(conn, checkfirst=True)
        for name in LOAD_ORDER:
            report(0.1 + 0.75 * done / total, f"Writing {name} ({len(frames[name]):,} rows)")
            table = schema.metadata.tables[name]
            counts[name] = bulk_insert(conn, table, _for_insert(frames[name]))
            done += len(frames[name])
        report(0.86, "Building indexes")
        for index in indexes:
            index.create(conn)
        reset_sequences(conn, [schema.metadata.tables[n] for n in LOAD_ORDER])
    report(0.92, "Building rollups")
    refresh_rollups(engine)
    with engine.begin() as conn:
        record_schema_version(conn)
    report(1.0, "Demo company ready")
    return counts
