"""KPIs: facts, definitions (the KPIS registry), evaluation, and the report pages call."""
