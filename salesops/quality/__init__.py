"""Data quality: checks that find the rows a sales-ops analyst must fix before trusting a number.

- `names`   company names reduced for matching (duplicate accounts)
- `checks`  one pure function per check: frame in, count and offending rows out
- `report`  the report the Data page, `salesops quality` and the tests call
"""

from __future__ import annotations
