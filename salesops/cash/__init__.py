"""Order to cash: from a won deal to money in the bank (funnel, days, receivables, what-if).

`report.py` reads the repository once (`cash_inputs`) and builds the report
(`build_cash_report`) with pure functions from the modules here; the page, `salesops cash`
and bench/ all call it.
"""
