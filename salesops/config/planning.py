"""The settings behind planning: capacity, territories, the plan and rep time.

Each class is one theme of Settings (salesops.config), which joins them all.
"""

from __future__ import annotations

from dataclasses import dataclass

from salesops.config.fields import setting


@dataclass(frozen=True)
class CapacitySettings:
    """Capacity: selling hours, the new-rep ramp, utilisation."""

    default_weekly_hours: float = setting(
        40.0,
        "Weekly hours of a rep whose weekly_capacity_hours is missing (shown as assumed); a "
        "rep with 0 weekly hours has no capacity.",
        "capacity",
    )
    default_selling_share: float = setting(
        1 / 3,
        "Share of a rep's hours spent selling when no time is logged at all (shown as "
        "assumed); with time logs the measured share is used.",
        "capacity",
    )
    min_logged_hours: float = setting(
        160.0,
        "Hours a rep must have logged in the 12 months to the analysis date for their own "
        "selling share to count; below that the team's measured share is used.",
        "capacity",
    )
    default_ramp_months: int = setting(
        6,
        "Months a new rep takes to reach full productivity (linear) when the data holds too "
        "few hires to measure the ramp; otherwise the measured ramp curve is used everywhere.",
        "capacity",
    )
    min_ramp_hires: int = setting(
        3,
        "Reps hired within the data needed to measure the ramp (observed in their hire "
        "month); with fewer the default linear ramp is used and labelled.",
        "capacity",
    )
    account_hours: tuple[tuple[str, float], ...] = setting(
        (),
        "Yearly selling hours an account needs, by segment, as (segment, hours) pairs. Empty "
        "(the default) or a segment left out: measured, the selling hours the segment's reps "
        "logged in the 12 months to the analysis date / its accounts.",
        "capacity",
    )
    default_account_hours: float = setting(
        10.0,
        "Yearly selling hours an account needs when its segment has neither stated hours nor "
        "time logs to measure them.",
        "capacity",
    )
    utilisation_over: float = setting(
        1.10,
        "Utilisation (workload hours / selling capacity hours) above which a territory or a "
        "rep is over-loaded.",
        "capacity",
    )
    utilisation_under: float = setting(
        0.70,
        "Utilisation below which a territory or a rep is under-loaded.",
        "capacity",
    )
    ramped_from_month: int = setting(
        13,
        "Ramp: tenure month from which a rep counts as fully ramped (month 1 = hire month). "
        "The one measured ramp serves Rep time, Territory capacity, the Forecast what-if and "
        "the plan.",
        "capacity",
    )
    ramp_max_tenure_months: int = setting(
        24,
        "Ramp: tenure months drawn on the curve (reps hired longer than this before the "
        "first closed deal never appear on it).",
        "capacity",
    )
    ramp_threshold: float = setting(
        0.9,
        "Ramp: share of the ramped level a tenure month must reach to count as ramped.",
        "capacity",
    )


@dataclass(frozen=True)
class TerritorySettings:
    """Territory balance and rebalancing."""

    balance_even_cv: float = setting(
        0.15,
        "Overview: a balance index (CV of utilisation) at or below this reads 'even'.",
        "territory",
    )
    balance_uneven_cv: float = setting(
        0.3,
        "Overview: a balance index above this reads 'uneven'; between the two, 'somewhat uneven'.",
        "territory",
    )
    peer_group: str = setting(
        "segment",
        "Whom a territory's potential per selling hour is compared with in the balance index: "
        "'segment' (its segment's median, so the segment mix does not count as imbalance) "
        "or 'team' (one median for everybody).",
        "territory",
    )
    rebalance_max_moves: int = setting(
        25, "Most account moves a rebalancing proposal makes.", "territory"
    )
    rebalance_max_swaps: int = setting(
        10,
        "Most account swaps a rebalancing proposal makes (accounts of one segment exchanged "
        "between territories: workloads stay, potential per selling hour evens out).",
        "territory",
    )
    rebalance_max_share: float | None = setting(
        None,
        "Most accounts a rebalancing proposal may move, as a fraction of all accounts "
        "(None: only rebalance_max_moves caps it).",
        "territory",
    )
    rebalance_page_max_share: float = setting(
        0.05,
        "The Territory page's starting cap on the share of accounts moved, so a first look "
        "moves few accounts.",
        "territory",
    )
    rebalance_same_segment: bool = setting(
        True, "A proposal moves accounts only to territories of their own segment.", "territory"
    )
    rebalance_same_region: bool = setting(
        False, "A proposal moves accounts only within their region.", "territory"
    )
    rebalance_keep_largest: int = setting(
        0, "A proposal keeps each territory's N largest accounts where they are.", "territory"
    )
    rebalance_min_gain: float = setting(
        1e-4,
        "Smallest drop of a balance index (CV) worth one account move or swap, so a proposal "
        "stops instead of making many tiny ones.",
        "territory",
    )
    rebalance_time_limit_s: float = setting(
        10.0,
        "Seconds a proposal may search; when they run out it keeps the best moves found.",
        "territory",
    )
    rebalance_auto_accounts: int = setting(
        20_000,
        "Above this many accounts the Territory page proposes moves only when asked (a "
        "proposal reads every account).",
        "territory",
    )


@dataclass(frozen=True)
class PlanSettings:
    """Plan: quotas calibrated to attainment, hires."""

    attainment_target: float = setting(
        0.65,
        "Share of reps expected to reach 100% of quota that quota suggestions aim for "
        "(common practice: 60-70%).",
        "plan",
    )
    quota_change_cap: float = setting(
        0.25,
        "Most a suggested quota may differ from the rep's current quota, as a fraction "
        "(0.25 = within -25% and +25%); reps without a current quota are not capped.",
        "plan",
    )
    quota_shrink_months: float = setting(
        6.0,
        "Ramped months of a rep's own bookings that weigh as much as their segment's average "
        "in their expected bookings (reps with less history lean on the segment).",
        "plan",
    )
    quota_tolerance: float = setting(
        0.15,
        "A current quota more than this fraction off its suggestion is flagged over- or "
        "under-assigned.",
        "plan",
    )
    plan_target_utilisation: float = setting(
        0.9,
        "Utilisation the hiring plan staffs each territory to (workload / selling capacity).",
        "plan",
    )
    plan_hiring_lead_months: int = setting(
        2,
        "Months from the analysis date until a planned hire starts (time to recruit); their "
        "ramp starts then.",
        "plan",
    )
    plan_max_hires: int = setting(
        1000, "Most hires a plan proposes (it says so when the target needs more).", "plan"
    )
    quota_backtest_origins: int = setting(
        12,
        "Monthly origins the quota backtest pools: quotas set at the start of each of the "
        "last N months whose year ahead is fully observed, scored against what was booked "
        "(one year of one team is too few reps to judge a share by).",
        "plan",
    )


@dataclass(frozen=True)
class TimeAllocationSettings:
    """Rep time allocation and its what-ifs."""

    selling_share_benchmark: float = setting(
        1 / 3,
        "Benchmark share of rep hours spent selling (about one hour in three).",
        "time_allocation",
    )
    time_trend_freq: str = setting(
        "W",
        "Selling-share trend bucket shown first: W (weeks, from Monday) or M (months).",
        "time_allocation",
    )
    furthest_reps_shown: int = setting(
        5,
        "Reps listed furthest below and furthest above the benchmark (each side).",
        "time_allocation",
    )
    what_if_shift_share: float = setting(
        0.25,
        "What-if: share of the chosen back-office activities' hours moved to sales ops.",
        "time_allocation",
    )
    what_if_selling_conversion: float = setting(
        0.5,
        "What-if: share of the rep hours freed that actually become selling hours.",
        "time_allocation",
    )
    what_if_sales_ops_cost_ratio: float = setting(
        0.5,
        "What-if: starting sales-ops hourly cost as a share of the reps' mean loaded hourly cost.",
        "time_allocation",
    )
    what_if_sales_ops_hourly_cost: float = setting(
        40.0,
        "What-if: sales-ops hourly cost when no rep's loaded hourly cost is known.",
        "time_allocation",
    )
    what_if_sales_ops_time_factor: float = setting(
        1.0,
        "What-if: sales-ops hours needed per rep hour moved (below 1: specialists are faster).",
        "time_allocation",
    )
    what_if_elasticity: float = setting(
        0.6,
        "What-if: exponent b of revenue = R0 x (S / S0)^b; below 1 (the default) gives "
        "diminishing returns, 1 keeps the observed revenue per selling hour for every hour.",
        "time_allocation",
    )
    what_if_release_unconverted: bool = setting(
        False,
        "What-if: count the cost of freed hours that do not become selling as released.",
        "time_allocation",
    )
    literature_revenue_lift: tuple[float, float] = setting(
        (0.10, 0.20),
        "Revenue lift (low, high) the literature reports from sales-operations excellence.",
        "time_allocation",
    )
    literature_sga_reduction: tuple[float, float] = setting(
        (0.20, 0.30),
        "SG&A reduction (low, high) the literature reports from sales-operations excellence.",
        "time_allocation",
    )
    middle_share: float = setting(
        0.6,
        "Moving the middle: share of ranked reps in the middle (the rest split evenly between "
        "bottom and top).",
        "time_allocation",
    )
    middle_basis: str = setting(
        "per_selling_hour",
        "Moving the middle: rank reps by bookings per_selling_hour or by bookings per_rep.",
        "time_allocation",
    )
    middle_lift: float = setting(
        0.10,
        "Moving the middle: productivity lift applied to the middle reps and the top performer.",
        "time_allocation",
    )
    ramp_months_shorter: int = setting(
        1, "Ramp what-if: months the ramp is shortened by.", "time_allocation"
    )
