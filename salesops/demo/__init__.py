"""A deterministic synthetic company: every table filled, at any scale, from one seed.

The demo is built to give every page a story: bookings with growth, yearly
seasonality and quarter-end pushes; channels with different cost and conversion;
territories with unequal potential per rep (some over-, some under-loaded); new
hires ramping up; reps selling 20-45% of their hours; stage moves, amount changes
and slipped close dates in opportunity_history, with a few stage regressions, pulled-in
close dates and deals lost then reopened; repeat orders and churn for LTV; late-paying
accounts. Same seed and scale give the same rows.

Modules, by what they generate: `company` (territories, reps, accounts), `demand` (leads,
opportunities), `history` (opportunity_history), `orders`, `spend`, `activities`, `quotas`;
`load` builds every table in order and writes them; `catalog` holds the fixed facts,
`scales` the sizes, `state` the seeded random streams.
"""

from __future__ import annotations

from salesops.demo.load import build_demo_frames, generate_demo
from salesops.demo.scales import DEMO_END, SCALES, resolve_scale

__all__ = ["DEMO_END", "SCALES", "build_demo_frames", "generate_demo", "resolve_scale"]
