"""Rep time allocation: selling share, unit costs, what-if, moving the middle, ramp.

Pure functions over small, pre-aggregated frames (the repository groups the activity
rows in SQL first), so every slider-driven function answers in well under 100 ms.
`report.py` fetches the inputs and builds the whole report; the page, `salesops time`
and bench/ all call it. One concept per module: ``classification`` (activity
categories), ``shares`` (selling share per rep and team, hours by activity), ``trend``,
``unit_costs``, ``what_if``, ``middle`` (moving the middle), ``ramp``, ``team`` (who is in
the team of a period), ``ratios`` (undefined ratios and their reasons), ``records``
(JSON records).
"""
