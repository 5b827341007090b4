"""CSV import: read -> map through a layout -> validate every row -> write all rows or none.

`report.import_files` is the one entry the Data page, `salesops import` and bench/ call;
`pipeline.validate_files` is the pure dry run (no database). The parts:

- `reading`       bytes -> decoded, delimited string chunks (encoding, delimiter, limits)
- `layouts`       what a layout is: target fields, header matching (mappings as data)
- `sources`       the known exports' layouts (Salesforce, HubSpot, the shared datasets)
- `mapping`       generic layouts from a YAML/JSON mapping file
- `dates`, `amounts`  one date format and one decimal convention per file
- `plan`          the scan pass: what is decided about a file before its rows are validated
- `issues`        row-level problems (file, row, column, value, expected)
- `validation`    string chunks -> typed rows + every problem (pure, no database)
- `opportunities` the rules a deal row must meet (stages, outcomes, dates)
- `pipeline`      plan and validate a batch of files (pure)
- `results`       what an import found and did (reports, outcome; JSON and text)
- `writing`       typed rows -> upserts in one transaction, with `references`, `history`,
                  `records` and `statements`; `batches` and `known` read and record what
                  the database holds
- `report`        import_files: the pipeline with the database
"""

from __future__ import annotations
