"""Capacity: the one model of how many selling hours each rep has, and the one new-rep ramp.

Territory capacity, the Forecast what-if (reps added ramp along it) and the plan all read
these figures, so a rep's capacity and the ramp are the same number on every page:

- ramp: the ramp curve measured from the data (bookings per rep by tenure month, made
  monotone), or a stated linear default when too few hires were observed
- selling: each rep's selling share from their time logs, the team's, or a stated default
- model: CapacityModel (ramp + shares + assumptions) and `rep_capacity`, the per-rep hours
- workload: the yearly hours an account needs, stated per segment or measured from logs
- report: reads the inputs through the repository and builds the CapacityModel
"""
