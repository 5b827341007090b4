"""Plan: next year's quotas calibrated to attainment, and the hires the target needs.

One concept per module; the page, `salesops plan` and bench/ call `report`:

- hires: what one new rep brings by segment (capacity, first-year bookings, quota, cost) and
  the hires each territory needs for coverage and for the bookings target
- backtest: the calibration's track record, last year's quotas set this way vs what happened
- report: reads the inputs once (territory data, bookings history) and builds the plan for
  any what-if choice without touching the database
"""
