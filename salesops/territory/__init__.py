"""Territory balance: potential against capacity, imbalance flags, account moves, fair quotas.

One module per concept; the page, the CLI and bench/ call `report`:

- assumptions: TerritorySettings, the model's parameters, built from Settings
- capacity: rep ramp and capacity hours, account workload hours
- metrics: the per-territory and per-rep tables (potential, workload, capacity, ratios)
- balance: the balance index (CV and Gini) and the over/under-loaded flags
- mismatch: account and rep territories that do not meet (a data-quality sentence)
- rebalance: the proposed account moves that lower the balance index (constraints, status)
- move_search: the greedy search behind a proposal, on arrays
- quotas: "Goldilocks" quota suggestions from potential and history
- presentation: pure frames the page draws (balanced lines, before/after, move list)
- report: reads the inputs through the repository and builds the one report (and its JSON)
- columns: column helpers the tables share (missing as 0, undefined ratios, reasons)
"""
