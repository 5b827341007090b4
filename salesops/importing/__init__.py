"""CSV import internals: reading bytes safely, layouts (mappings as data), validation, writing.

The public entry points live in `salesops.importers`; this package holds the parts:

- `reading`    bytes -> decoded, delimited string chunks (encoding, delimiter, limits)
- `layouts`    one mapping per known export (Salesforce, HubSpot, the shared datasets, generic)
- `validation` string chunks -> typed rows + every row-level problem (pure, no database)
- `writing`    typed rows -> one transaction of upserts (the only part that touches a database)
"""

from __future__ import annotations
