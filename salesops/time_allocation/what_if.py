"""The freed-time what-if: move back-office work to sales ops, see hours, revenue and SG&A.

**What-if** (team level): ``moved = X x hours of the chosen back-office activities``;
``extra selling hours = moved x conversion``; with team selling hours ``S0`` and
bookings ``R0`` the revenue curve is ``R(S) = R0 x (S/S0)^b`` (constant elasticity
``b`` in (0, 1]; ``b = 1`` is linear, i.e. the observed revenue per selling hour
``R0/S0`` for every extra hour; ``b < 1`` gives diminishing returns), so ``extra
revenue = R0 x ((S0 + dS)/S0)^b - R0``. Sales-ops cost = ``moved x time_factor x
sales-ops hourly cost``. SG&A baseline = the team's annual cost x period weeks / 52;
SG&A change = (sales-ops cost - released rep cost) / baseline, also shown per unit of
revenue. The net gain weighs the sales-ops cost against the extra gross margin (extra
revenue x Settings.default_gross_margin), not against bookings; returns diminish by
default (Settings.what_if_elasticity below 1). Extra revenue is capped by the open pipeline
and by what the accounts in scope can still yield (their potential for the period less the
bookings and the open pipeline), whichever is lower. The literature ranges it is compared
with are Settings (``literature_revenue_lift``, ``literature_sga_reduction``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from salesops.config import Settings
from salesops.figures import Figure
from salesops.time_allocation.classification import Classified, activity_rows
from salesops.time_allocation.ratios import NO_SELLING_REASON, ratio
from salesops.time_allocation.records import to_json

# Salary is paid every week of the year, leave included: the SG&A baseline's year.
CALENDAR_WEEKS_PER_YEAR = 52.0


@dataclass(frozen=True)
class WhatIfBase:
    """Pre-aggregated team figures the what-if needs; built once per filter change.

    ``activity_hours`` maps each back-office activity to its team hours,
    ``activity_cost`` to ``sum(hours x rep hourly cost)`` over reps with a known cost.
    """

    activity_hours: dict[str, float]
    activity_cost: dict[str, float]
    selling_hours: float
    bookings: float
    sga: float
    period_weeks: float
    mean_hourly_cost: float | None
    revenue_cap: float | None = None  # the open pipeline in scope: extra revenue's ceiling
    # What the accounts in scope can still yield in the period: their potential for the
    # period less the bookings and the open pipeline (see `potential_headroom`); a ceiling too.
    potential_headroom: float | None = None


@dataclass(frozen=True, kw_only=True)
class WhatIfScenario:
    """The what-if sliders (their starting values are Settings, see `default_scenario`).

    Attributes:
        shift_share: Share X (0..1) of the chosen activities' hours moved to sales ops.
        activities: Back-office activities to move; None means all of them.
        sales_ops_hourly_cost: Loaded hourly cost of a sales-ops person.
        sales_ops_time_factor: Sales-ops hours needed per rep hour moved (1 = as slow
            as a rep; 0.7 = 30% faster through specialisation).
        selling_conversion: Share of freed rep hours that actually become selling hours.
        elasticity: Exponent b of the revenue curve R(S) = R0 (S/S0)^b; 1 = linear,
            below 1 = diminishing returns.
        release_unconverted: Count the cost of freed hours that do not go to selling as
            released (e.g. fewer hires); otherwise rep cost is unchanged.
        gross_margin: Share of extra revenue kept as gross margin; the net gain weighs
            the sales-ops cost against margin, not bookings (1 = bookings).
    """

    shift_share: float
    activities: tuple[str, ...] | None = None
    sales_ops_hourly_cost: float
    sales_ops_time_factor: float
    selling_conversion: float
    elasticity: float
    release_unconverted: bool
    gross_margin: float = 1.0


@dataclass(frozen=True)
class WhatIfResult:
    """What moving back-office work to sales ops does to hours, revenue and SG&A."""

    moved_hours: float
    extra_selling_hours: float
    selling_hours_before: float
    selling_hours_after: float
    revenue_per_selling_hour: Figure
    bookings_before: float
    extra_revenue: Figure
    extra_margin: Figure
    sales_ops_hours: float
    sales_ops_cost: float
    released_rep_cost: float
    net_gain: Figure
    revenue_lift: Figure
    cap_binding: str | None  # "open pipeline" or "account potential" when it capped revenue
    cap: float | None  # the ceiling that capped extra revenue
    sga_before: float
    sga_change: Figure
    sga_to_revenue_change: Figure
    by_activity: pd.DataFrame = field(repr=False)

    def to_json(self) -> dict[str, object]:
        """Returns a JSON-safe dict; undefined figures are null with a ``*_reason`` key."""
        return to_json(self)


def what_if_base(
    rep_activity: Classified | pd.DataFrame,
    rep_summary: pd.DataFrame,
    hourly_costs: pd.DataFrame,
    reps: pd.DataFrame,
    *,
    period_weeks: float,
    revenue_cap: float | None = None,
    account_potential: float | None = None,
) -> WhatIfBase:
    """Returns the pre-aggregated figures the what-if reads (one pass, reused by sliders).

    SG&A baseline = sum of reps' annual_cost x period_weeks / 52 (salary is paid all
    year) over the reps in scope. `account_potential` (yearly, of the accounts in scope)
    gives the potential headroom (`potential_headroom`); None leaves it uncapped.

    Requires columns ``rep_id``, ``activity``, ``hours``, ``is_back_office`` in the
    rows; the ``rep_time_summary`` and ``loaded_hourly_cost`` outputs; ``id``,
    ``annual_cost`` in ``reps``.
    """
    frame = activity_rows(rep_activity)
    back = frame[frame["is_back_office"]].astype({"rep_id": "Int64"})
    back = back.merge(hourly_costs[["rep_id", "hourly_cost"]], on="rep_id", how="left")
    back["cost"] = back["hours"] * back["hourly_cost"].astype(float)
    hours = back.groupby("activity")["hours"].sum()
    cost = back.groupby("activity")["cost"].sum(min_count=0)
    known = hourly_costs["hourly_cost"].dropna()
    annual = float(pd.to_numeric(reps["annual_cost"]).fillna(0).sum())
    bookings = float(rep_summary["bookings"].sum())
    return WhatIfBase(
        activity_hours={str(k): float(v) for k, v in hours.items()},
        activity_cost={str(k): float(v) for k, v in cost.items()},
        selling_hours=float(rep_summary["selling_hours"].sum()),
        bookings=bookings,
        sga=annual * period_weeks / CALENDAR_WEEKS_PER_YEAR,
        period_weeks=float(period_weeks),
        mean_hourly_cost=float(known.mean()) if len(known) else None,
        revenue_cap=revenue_cap,
        potential_headroom=potential_headroom(
            account_potential, period_weeks, bookings, revenue_cap or 0.0
        ),
    )


def potential_headroom(
    annual_potential: float | None, period_weeks: float, bookings: float, open_pipeline: float
) -> float | None:
    """Returns what the accounts can still yield in the period (never below 0), or None.

    ``annual_potential x period_weeks / 52 - bookings in the period - open pipeline``: more
    selling time cannot win more than the accounts are worth. None without a potential.
    """
    if annual_potential is None:
        return None
    period_potential = annual_potential * period_weeks / CALENDAR_WEEKS_PER_YEAR
    return max(0.0, period_potential - bookings - open_pipeline)


def default_sales_ops_hourly_cost(base: WhatIfBase, *, ratio: float, fallback: float) -> float:
    """Returns a starting value for the sales-ops cost slider: ``ratio`` x mean rep hourly cost.

    ``fallback`` when no rep's hourly cost is known.
    """
    if base.mean_hourly_cost is None:
        return fallback
    return round(base.mean_hourly_cost * ratio, 2)


def default_scenario(base: WhatIfBase, settings: Settings) -> WhatIfScenario:
    """Returns the scenario the sliders start from: Settings' what-if defaults, every activity."""
    return WhatIfScenario(
        shift_share=settings.what_if_shift_share,
        activities=None,
        sales_ops_hourly_cost=default_sales_ops_hourly_cost(
            base,
            ratio=settings.what_if_sales_ops_cost_ratio,
            fallback=settings.what_if_sales_ops_hourly_cost,
        ),
        sales_ops_time_factor=settings.what_if_sales_ops_time_factor,
        selling_conversion=settings.what_if_selling_conversion,
        elasticity=settings.what_if_elasticity,
        release_unconverted=settings.what_if_release_unconverted,
        gross_margin=settings.default_gross_margin,
    )


def _capped(extra: float, base: WhatIfBase) -> tuple[Figure, str | None, float | None]:
    """Returns (extra revenue, the ceiling's name, the ceiling) when a ceiling bit, else Nones.

    The ceilings are the open pipeline and the accounts' potential headroom; the lower binds.
    """
    ceilings = [
        (max(cap, 0.0), name)
        for name, cap in (
            ("open pipeline", base.revenue_cap),
            ("account potential", base.potential_headroom),
        )
        if cap is not None
    ]
    if ceilings:
        cap, name = min(ceilings)
        if extra > cap:
            return Figure(cap, f"capped by the {name} ({cap:,.0f} left)"), name, cap
    return Figure(extra), None, None


def what_if(base: WhatIfBase, scenario: WhatIfScenario) -> WhatIfResult:
    """Returns freed hours, extra revenue, sales-ops cost and the revenue/SG&A changes.

    Formulas (team level; see the module docstring):
    ``moved = X x sum(hours of chosen activities)``;
    ``dS = moved x conversion``; ``extra = R0 x ((S0 + dS)/S0)^b - R0``;
    ``ops cost = moved x time_factor x ops rate``; ``released = (1 - conversion) x X x
    sum(hours x rep rate of chosen activities)`` when ``release_unconverted`` else 0;
    ``margin = extra x gross margin``; ``net gain = margin - ops cost + released``;
    ``revenue lift = extra / R0``;
    ``SG&A change = (ops cost - released) / SG&A``; SG&A-to-revenue change =
    ``((SG&A + ops - released) / (R0 + extra)) / (SG&A / R0) - 1``.

    Extra revenue is capped at the lower of ``base.revenue_cap`` (the open pipeline in
    scope: more selling time cannot win more than is there to win) and
    ``base.potential_headroom`` (what the accounts can still yield), its reason and
    ``cap_binding`` saying which.
    Revenue figures are undefined (None + reason) when there are no selling hours.

    Raises:
        ValueError: a slider is out of range, or a chosen activity is not back-office.
    """
    s = scenario
    _check_sliders(s)
    chosen = _chosen_activities(base, s)
    by_activity = _moved_by_activity(base, chosen, s)
    moved = float(by_activity["moved_hours"].sum())
    ops_hours = moved * s.sales_ops_time_factor
    ops_cost = ops_hours * s.sales_ops_hourly_cost
    released = _released_rep_cost(base, chosen, s)
    d_selling = moved * s.selling_conversion
    s0, r0 = base.selling_hours, base.bookings
    rpsh = ratio(r0, s0, NO_SELLING_REASON)
    binding: str | None = None
    cap: float | None = None
    if rpsh.value is None:
        extra = Figure.undefined(NO_SELLING_REASON)
    else:
        uncapped = r0 * ((s0 + d_selling) / s0) ** s.elasticity - r0
        extra, binding, cap = _capped(uncapped, base)
    margin = (
        Figure(extra.value * s.gross_margin)
        if extra.value is not None
        else Figure.undefined(extra.reason or NO_SELLING_REASON)
    )
    net = (
        Figure(margin.value - ops_cost + released)
        if margin.value is not None
        else Figure.undefined(margin.reason or NO_SELLING_REASON)
    )
    if extra.value is None:
        lift = extra
    else:
        lift = ratio(extra.value, r0, "no bookings in period: revenue lift undefined")
    sga_delta = ops_cost - released
    return WhatIfResult(
        moved_hours=moved,
        extra_selling_hours=d_selling,
        selling_hours_before=s0,
        selling_hours_after=s0 + d_selling,
        revenue_per_selling_hour=rpsh,
        bookings_before=r0,
        extra_revenue=extra,
        extra_margin=margin,
        sales_ops_hours=ops_hours,
        sales_ops_cost=ops_cost,
        released_rep_cost=released,
        net_gain=net,
        revenue_lift=lift,
        cap_binding=binding,
        cap=cap,
        sga_before=base.sga,
        sga_change=ratio(sga_delta, base.sga, "no rep cost recorded: SG&A change undefined"),
        sga_to_revenue_change=_sga_to_revenue_change(base.sga, r0, extra, sga_delta),
        by_activity=by_activity,
    )


def _check_sliders(s: WhatIfScenario) -> None:
    """Raises ValueError naming the first slider out of its range."""
    for name, value, lo, hi in [
        ("shift_share", s.shift_share, 0.0, 1.0),
        ("selling_conversion", s.selling_conversion, 0.0, 1.0),
    ]:
        if not lo <= value <= hi:
            raise ValueError(f"{name} must be between {lo:g} and {hi:g}, not {value:g}.")
    if not 0 < s.elasticity <= 1:
        raise ValueError(f"elasticity must be in (0, 1], not {s.elasticity:g}.")
    if s.sales_ops_hourly_cost < 0 or s.sales_ops_time_factor < 0:
        raise ValueError("sales-ops hourly cost and time factor cannot be negative.")


def _chosen_activities(base: WhatIfBase, s: WhatIfScenario) -> list[str]:
    """Returns the activities to move; raises ValueError for any that is not back-office."""
    chosen = list(base.activity_hours) if s.activities is None else list(s.activities)
    not_back = sorted(set(chosen) - set(base.activity_hours))
    if not_back:
        raise ValueError(
            f"Only back-office activities with logged hours can move to sales ops; "
            f"not: {', '.join(not_back)}."
        )
    return chosen


def _moved_by_activity(base: WhatIfBase, chosen: list[str], s: WhatIfScenario) -> pd.DataFrame:
    """Returns rep hours, moved hours, sales-ops hours and cost per chosen activity."""
    by_activity = pd.DataFrame(
        {
            "activity": chosen,
            "rep_hours": [base.activity_hours[a] for a in chosen],
        }
    )
    by_activity["moved_hours"] = by_activity["rep_hours"] * s.shift_share
    by_activity["sales_ops_hours"] = by_activity["moved_hours"] * s.sales_ops_time_factor
    by_activity["sales_ops_cost"] = by_activity["sales_ops_hours"] * s.sales_ops_hourly_cost
    return by_activity


def _released_rep_cost(base: WhatIfBase, chosen: list[str], s: WhatIfScenario) -> float:
    """Returns the rep cost of moved hours that do not become selling (0 unless released)."""
    if not s.release_unconverted:
        return 0.0
    return (
        (1 - s.selling_conversion)
        * s.shift_share
        * sum(base.activity_cost.get(a, 0.0) for a in chosen)
    )


def _sga_to_revenue_change(sga: float, r0: float, extra: Figure, sga_delta: float) -> Figure:
    """Returns the change in SG&A per unit of revenue, or why it is undefined."""
    if extra.value is None or r0 == 0 or sga == 0:
        return Figure.undefined(
            (extra.reason or NO_SELLING_REASON)
            if extra.value is None
            else "no bookings or no rep cost in period"
        )
    return Figure(((sga + sga_delta) / (r0 + extra.value)) / (sga / r0) - 1)


def literature_comparison(
    result: WhatIfResult,
    *,
    revenue_lift: tuple[float, float],
    sga_reduction: tuple[float, float],
) -> pd.DataFrame:
    """Returns the scenario's revenue lift and SG&A changes beside the literature ranges.

    The literature reports a revenue lift and an SG&A reduction (low, high) from
    sales-operations excellence (10-20% and 20-30% by default, see Settings). SG&A is
    compared two ways: the absolute cost change and the change in SG&A per unit of
    revenue. ``status`` is ``below``, ``within``, ``above`` (for reductions: ``above``
    means a bigger cut than reported) or ``undefined``.

    Returns a frame with columns ``metric``, ``value`` (Float64), ``low``, ``high``,
    ``status``, ``reason``.
    """
    lo_r, hi_r = revenue_lift
    lo_s, hi_s = sga_reduction
    rows = [
        ("revenue lift", result.revenue_lift, lo_r, hi_r, 1.0),
        ("SG&A change", result.sga_change, lo_s, hi_s, -1.0),
        ("SG&A-to-revenue change", result.sga_to_revenue_change, lo_s, hi_s, -1.0),
    ]
    records = []
    for metric, fig, lo, hi, sign in rows:
        if fig.value is None:
            value, status = None, "undefined"
        else:
            effect = sign * fig.value  # a reduction counted as a positive effect
            status = "below" if effect < lo else "above" if effect > hi else "within"
            value = fig.value
        records.append(
            {
                "metric": metric,
                "value": value,
                "low": min(sign * lo, sign * hi),
                "high": max(sign * lo, sign * hi),
                "status": status,
                "reason": fig.reason,
            }
        )
    out = pd.DataFrame(records)
    out["value"] = out["value"].astype("Float64")
    return out
