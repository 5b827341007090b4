"""The plan: quotas calibrated to attainment for today's reps, and the hires the target needs.

`plan_inputs` reads everything once (the territory data with the capacity model, every rep's
bookings by month, rep costs) and measures the bookings outlook; `build_plan` then answers
any what-if (target, attainment target, target utilisation, hiring lead time, change cap,
hires allowed or not) with array arithmetic only, so a slider answers at once. The page,
`salesops plan` and bench/ all call these. **Quota year**: the 12 months after the analysis
date (see `salesops.territory.report.periods_for`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

import numpy as np
import pandas as pd

from salesops.config import Settings
from salesops.formatting import format_money
from salesops.jsonable import json_value
from salesops.plan.hires import HireProfile, bookings_hires, coverage_hires, hire_profiles
from salesops.repository import EVERYTHING, Repository, Scope
from salesops.territory.assumptions import TerritorySettings
from salesops.territory.metrics import territory_metrics
from salesops.territory.outlook import Outlook, outlook
from salesops.territory.quotas import QuotaPolicy, QuotaResult, calibrate_quotas
from salesops.territory.report import TerritoryData, frame_records, territory_data


@dataclass(frozen=True)
class PlanInputs:
    """What every plan what-if reads: territory data, rep costs and the bookings outlook."""

    data: TerritoryData
    reps: pd.DataFrame
    outlook: Outlook
    booked_last_year: float
    territories: pd.DataFrame  # territory_metrics plus kept_capacity_hours


@dataclass(frozen=True)
class PlanChoices:
    """The what-if knobs of a plan (None: Settings' default, or today's quotas' total)."""

    team_target: float | None = None  # None: default_target (today's quotas, else last year's)
    attainment_target: float | None = None
    target_utilisation: float | None = None
    hiring_lead_months: int | None = None
    change_cap: float | None = None
    allow_hires: bool = True


@dataclass(frozen=True)
class PlanReport:
    """Quotas for today's reps and new hires, the hires by territory, cost and notes."""

    as_of: date
    quota_year: tuple[date, date]
    team_target: float
    attainment_target: float
    quotas: QuotaResult
    hires: pd.DataFrame
    quota_table: pd.DataFrame
    expected_share: float | None
    hires_total: int
    hires_quota: float
    hires_cost: float | None
    uncovered_gap: float
    notes: tuple[str, ...]
    profiles: dict[str, HireProfile] = field(repr=False)


def plan_inputs(
    repo: Repository, scope: Scope = EVERYTHING, as_of: date | None = None
) -> PlanInputs:
    """Returns the plan's inputs read once at `as_of` (default: the last data date)."""
    data = territory_data(repo, scope, as_of)
    monthly = repo.bookings_by_rep_month(EVERYTHING)
    costs = repo.time_reps(EVERYTHING).set_index("id")["annual_cost"]
    by_id = data.territories.set_index("id")
    reps = data.reps.assign(
        segment=data.reps["territory_id"].map(by_id["segment"]),
        territory=data.reps["territory_id"].map(by_id["name"]),
        annual_cost=data.reps["id"].map(costs),
    ).reset_index(drop=True)
    origin = data.quota_year.start - timedelta(days=1)
    settings = Settings()
    view = outlook(monthly, reps, data.capacity.ramp, origin, settings.quota_shrink_months)
    tsettings = TerritorySettings.from_settings(settings)
    hours = data.account_hours(tsettings)
    terr = territory_metrics(data.accounts, data.reps, data.territories, hours, tsettings)
    terr["kept_capacity_hours"] = terr["territory_id"].map(_kept_capacity(reps, data)).fillna(0.0)
    return PlanInputs(data, reps, view, float(reps["bookings_12m"].sum()), terr)


def _policy(choices: PlanChoices, settings: Settings) -> QuotaPolicy:
    """Returns the quota policy of the choices (Settings where a choice is None)."""
    overrides: dict[str, float] = {}
    if choices.attainment_target is not None:
        overrides["attainment_target"] = float(choices.attainment_target)
    if choices.change_cap is not None:
        overrides["change_cap"] = float(choices.change_cap)
    return QuotaPolicy.from_settings(settings, **overrides)


def _calibration_reps(inputs: PlanInputs) -> pd.DataFrame:
    """Returns rep_id, rep, territory, active, current_quota in the outlook's order."""
    r = inputs.reps
    return pd.DataFrame(
        {
            "rep_id": r["id"],
            "rep": r["name"],
            "territory": r["territory"],
            "active": r["active"].to_numpy(dtype=bool),
            "current_quota": pd.to_numeric(r["annual_quota"], errors="coerce").fillna(0.0),
        }
    )


def _kept_capacity(r: pd.DataFrame, data: TerritoryData) -> pd.Series:
    """Returns per territory the fully ramped selling capacity of reps staying all year."""
    end = pd.to_datetime(r["end_date"])
    stays = r["active"] & (end.isna() | (end > pd.Timestamp(data.quota_year.end)))
    return r["full_capacity_hours"].where(stays, 0.0).groupby(r["territory_id"]).sum()


def _hire_table(
    inputs: PlanInputs,
    choices: PlanChoices,
    settings: Settings,
    quotas: QuotaResult,
) -> tuple[pd.DataFrame, dict[str, HireProfile], float]:
    """Returns the hires per territory (coverage and bookings), the profiles and the gap left."""
    data = inputs.data
    terr = inputs.territories.copy()
    lead = settings.plan_hiring_lead_months
    lead = lead if choices.hiring_lead_months is None else int(choices.hiring_lead_months)
    target = choices.target_utilisation or settings.plan_target_utilisation
    profiles = hire_profiles(inputs.reps, data.capacity, inputs.outlook, quotas.chance,
                             data.quota_year.start, lead)  # fmt: skip
    if not choices.allow_hires:
        terr["coverage_hires"] = 0
        terr["bookings_hires"] = 0
        return _with_hire_figures(terr, profiles, target), profiles, quotas.gap
    cover = coverage_hires(terr, profiles, target, settings.utilisation_over)
    limits = (settings.plan_max_hires, settings.utilisation_under)
    more, left, idle = bookings_hires(terr, profiles, cover, quotas.gap, limits)
    terr["coverage_hires"] = cover
    terr["bookings_hires"] = more
    table = _with_hire_figures(terr, profiles, target)
    table.attrs["beyond_workload"] = idle
    return table, profiles, left


def _with_hire_figures(
    terr: pd.DataFrame, profiles: dict[str, HireProfile], target: float
) -> pd.DataFrame:
    """Returns the hires table: hires, start, bookings, quota, cost and utilisation after."""
    keys = terr["segment"].astype("object").fillna("(no segment)").astype(str)
    profile = [profiles.get(k, profiles["(team)"]) for k in keys]
    hires = (terr["coverage_hires"] + terr["bookings_hires"]).astype(int)
    full = np.array([p.full_capacity_hours for p in profile])
    after = terr["kept_capacity_hours"] + hires * full
    costs = [None if p.cost is None else p.cost * n for p, n in zip(profile, hires, strict=True)]
    return pd.DataFrame(
        {
            "territory_id": terr["territory_id"],
            "territory": terr["territory"],
            "segment": terr["segment"],
            "reps": terr["reps"],
            "workload_hours": terr["workload_hours"],
            "capacity_hours": terr["capacity_hours"],
            "utilisation": terr["utilisation"],
            "coverage_hires": terr["coverage_hires"].astype(int),
            "bookings_hires": terr["bookings_hires"].astype(int),
            "hires": hires,
            "start": [p.start if n else None for p, n in zip(profile, hires, strict=True)],
            "ramped_by": [p.ramped_by if n else None for p, n in zip(profile, hires, strict=True)],
            "hire_quota": np.array([p.quota for p in profile]) * hires,
            "hire_expected_bookings": np.array([p.expected_bookings for p in profile]) * hires,
            "hire_cost": pd.array(costs, dtype="Float64"),
            "utilisation_after": pd.array(
                np.where(after > 0, terr["workload_hours"] / np.where(after > 0, after, 1), np.nan),
                dtype="Float64",
            ),
            "target_utilisation": target,
        }
    )


def _scale_hire_quotas(hires: pd.DataFrame, gap: float) -> tuple[pd.DataFrame, list[str]]:
    """Returns the hires with quotas scaled to sum to the bookings gap, and notes."""
    total = float(hires["hire_quota"].sum())
    out = hires.copy()
    notes = []
    if gap <= 0 and total > 0:
        notes.append(
            "Today's reps carry the whole target: the hires cover workload and carry no quota "
            f"this year (they are expected to book {hires['hire_expected_bookings'].sum():,.0f} "
            "on top)."
        )
        out["hire_quota"] = 0.0
    elif total > gap > 0:
        out["hire_quota"] = out["hire_quota"] * (gap / total)
    return out, notes


def _quota_table(quotas: QuotaResult, hires: pd.DataFrame) -> pd.DataFrame:
    """Returns today's reps' quotas plus one row per territory's new hires."""
    reps = quotas.table.assign(kind="rep")
    new = hires[hires["hires"] > 0]
    rows = pd.DataFrame(
        {
            "rep_id": pd.array([pd.NA] * len(new), dtype="Int64"),
            "rep": [f"{n} new hire{'s' if n > 1 else ''}" for n in new["hires"]],
            "territory": new["territory"].to_numpy(),
            "segment": new["segment"].to_numpy(),
            "expected_bookings": new["hire_expected_bookings"].to_numpy(),
            "current_quota": pd.array([pd.NA] * len(new), dtype="Float64"),
            "suggested_quota": new["hire_quota"].to_numpy(),
            "flag": "new hires",
            "kind": "hires",
        }
    )
    return pd.concat([reps, rows], ignore_index=True)


def current_total(inputs: PlanInputs) -> float | None:
    """Returns the sum of today's active reps' quotas for the quota year (None without any)."""
    reps = _calibration_reps(inputs)
    total = float(reps.loc[reps["active"], "current_quota"].sum())
    return total if total > 0 else None


def default_target(inputs: PlanInputs) -> float | None:
    """Returns the target a plan starts from, the same on the page and in `salesops plan`.

    Today's quotas' total for the quota year; without quotas (none imported), what these
    reps booked in the last 12 months; None without either.
    """
    booked = inputs.booked_last_year
    return current_total(inputs) or (booked if booked > 0 else None)


def _target_notes(inputs: PlanInputs, target: float, currency: str) -> list[str]:
    """Returns a sentence when the target is below what the team booked in the last 12 months.

    Both amounts in full (compact ones could read the same when they are close).
    """
    booked = inputs.booked_last_year
    if booked > 0 and target < booked:
        return [
            f"The target ({format_money(target, currency, full=True)}) is below what these "
            f"reps booked in the last 12 months ({format_money(booked, currency, full=True)})."
        ]
    return []


def build_plan(
    inputs: PlanInputs, choices: PlanChoices, settings: Settings | None = None
) -> PlanReport:
    """Returns the plan for one what-if: calibrated quotas, hires, their cost, notes.

    Raises ValueError with one sentence when a choice is out of range (a target <= 0, an
    attainment target or utilisation outside (0, 1], a negative lead time or cap).
    """
    chosen = settings or Settings()
    validate(choices)
    policy = _policy(choices, chosen)
    reps = _calibration_reps(inputs)
    spread = not choices.allow_hires
    target = choices.team_target if choices.team_target is not None else default_target(inputs)
    quotas = calibrate_quotas(inputs.outlook, reps, policy, target, spread)
    hires, profiles, left = _hire_table(inputs, choices, chosen, quotas)
    idle = int(hires.attrs.get("beyond_workload", 0))
    hires, notes = _scale_hire_quotas(hires, quotas.gap)
    if idle:
        notes.append(
            f"{idle} of the hires the bookings target needs go beyond what the territories' "
            f"workload supports: utilisation falls below {chosen.utilisation_under:.0%} there "
            "(a lower target, or more accounts, would keep them busy)."
        )
    n_hires = int(hires["hires"].sum())
    with_quota = int(hires.loc[hires["hire_quota"] > 0, "hires"].sum())
    if left > 0 and choices.allow_hires:
        notes.append(f"At most {chosen.plan_max_hires} hires: {left:,.0f} of the target is left "
                     "uncovered (Settings plan_max_hires).")  # fmt: skip
    table = _quota_table(quotas, hires)
    counted = (table["suggested_quota"] > 0) & (table["kind"] == "rep")
    chances = table.loc[counted, "chance_suggested"].astype("float64")
    weights = np.concatenate([np.ones(len(chances)), [with_quota]])
    values = np.concatenate([chances.to_numpy(), [quotas.chance]])
    share = float(np.average(values, weights=weights)) if len(values) and weights.sum() else None
    costs = hires["hire_cost"].dropna()
    return PlanReport(
        as_of=inputs.data.as_of,
        quota_year=(inputs.data.quota_year.start, inputs.data.quota_year.end),
        team_target=quotas.team_target,
        attainment_target=policy.attainment_target,
        quotas=quotas,
        hires=hires,
        quota_table=table,
        expected_share=None if inputs.outlook.spread is None else share,
        hires_total=n_hires,
        hires_quota=float(hires["hire_quota"].sum()),
        hires_cost=float(costs.sum()) if len(costs) or not n_hires else None,
        uncovered_gap=float(left) if choices.allow_hires else quotas.gap,
        notes=tuple(
            [*quotas.notes, *notes, *_target_notes(inputs, quotas.team_target, chosen.currency)]
        ),
        profiles=profiles,
    )


def validate(choices: PlanChoices) -> None:
    """Raises ValueError with one sentence naming the first out-of-range choice."""
    if choices.team_target is not None and not choices.team_target > 0:
        raise ValueError(f"The target must be a positive amount (got {choices.team_target:g}).")
    for name, value in (("attainment target", choices.attainment_target),
                        ("target utilisation", choices.target_utilisation)):  # fmt: skip
        if value is not None and not 0 < value <= 1:
            raise ValueError(
                f"The {name} must be a fraction above 0 and at most 1 (got {value:g})."
            )
    if choices.hiring_lead_months is not None and not 0 <= choices.hiring_lead_months <= 11:
        raise ValueError(
            f"The hiring lead time must be 0 to 11 months (got {choices.hiring_lead_months})."
        )
    if choices.change_cap is not None and choices.change_cap < 0:
        raise ValueError(f"The change cap must not be negative (got {choices.change_cap:g}).")


def plan_to_json(
    report: PlanReport, backtest: dict[str, object] | None = None
) -> dict[str, object]:
    """Returns the `salesops plan --format json` document (ratios as fractions, money as is)."""
    q = report.quotas
    return {
        "as_of": report.as_of.isoformat(),
        "quota_year": {
            "from": report.quota_year[0].isoformat(),
            "to": report.quota_year[1].isoformat(),
        },
        "target": report.team_target,
        "attainment_target": report.attainment_target,
        "expected_share_at_quota": {
            "current": q.expected_share_current,
            "suggested": q.expected_share_suggested,
            "with_hires": report.expected_share,
            "reason": q.reason,
        },
        "carried_by_current_reps": q.carried_total,
        "gap_for_hires": q.gap,
        "quotas": frame_records(report.quota_table),
        "expected_attainment": frame_records(q.distribution),
        "hires": frame_records(report.hires),
        "totals": {
            "hires": report.hires_total,
            "hires_quota": report.hires_quota,
            "hires_cost": report.hires_cost,
            "uncovered_gap": report.uncovered_gap,
            "quota_total": float(report.quota_table["suggested_quota"].sum()),
        },
        "hire_profiles": _capacity_json(report),
        "notes": list(report.notes),
        "backtest": backtest,
    }


def _capacity_json(report: PlanReport) -> dict[str, object]:
    """Returns what one hire brings per segment, as JSON."""
    return {
        segment: {k: json_value(v) for k, v in vars(p).items()}
        for segment, p in report.profiles.items()
    }
