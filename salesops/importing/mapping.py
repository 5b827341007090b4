"""Generic layouts: a YAML or JSON mapping file names the entity and maps its columns."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType

from salesops.importing.layouts import (
    ENTITIES,
    OUTCOMES,
    TARGETS,
    US_OR_EU_DATES,
    Layout,
    StageRule,
)
from salesops.importing.reading import ImportRejected

# Required targets when a mapping names none: the id plus each entity's essentials.
DEFAULT_REQUIRED: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        "reps": ("external_id", "name"),
        "accounts": ("external_id", "name"),
        "leads": ("external_id", "created_at"),
        "opportunities": ("external_id", "created_at", "stage"),
    }
)


def _load_mapping_text(path: Path) -> dict:
    """Returns the parsed content of a .json or YAML mapping file."""
    text = path.read_text(encoding="utf-8-sig")
    if path.suffix.lower() == ".json":
        return json.loads(text)
    import yaml

    return yaml.safe_load(text)


def _mapping_data(mapping: Mapping[str, object] | str | Path) -> dict:
    """Returns the mapping as a dict, read from the file when given a path."""
    if isinstance(mapping, str | Path):
        path = Path(mapping)
        try:
            data = _load_mapping_text(path)
        except (OSError, ValueError) as exc:
            raise ImportRejected(f"Cannot read mapping file {path.name}: {exc}") from exc
    else:
        data = dict(mapping)
    if not isinstance(data, dict):
        raise ImportRejected("A mapping file must hold a mapping (entity, columns, ...).")
    return data


def _entity_and_columns(data: dict) -> tuple[str, dict]:
    """Returns (entity, {target: source header}), checked against the entity's targets."""
    entity = data.get("entity")
    if entity not in ENTITIES:
        raise ImportRejected(f"Mapping 'entity' must be one of {', '.join(ENTITIES)}.")
    columns = data.get("columns")
    if not isinstance(columns, dict) or not columns:
        raise ImportRejected("Mapping 'columns' must map target fields to source headers.")
    unknown_targets = [t for t in columns if t not in TARGETS[entity]]
    if unknown_targets:
        raise ImportRejected(
            f"Mapping targets {', '.join(unknown_targets)} are not fields of {entity}; "
            f"use: {', '.join(TARGETS[entity])}."
        )
    return entity, columns


def _stage_rules(data: dict) -> dict[str, StageRule]:
    """Returns {source value: StageRule} from the mapping's `stages` (in the order given)."""
    stages: dict[str, StageRule] = {}
    for order, (value, rule) in enumerate((data.get("stages") or {}).items(), start=1):
        rule = rule if isinstance(rule, dict) else {"outcome": rule}
        outcome = str(rule.get("outcome", "open"))
        if outcome not in OUTCOMES:
            raise ImportRejected(f"Stage '{value}': outcome must be open, won or lost.")
        default_p = {"won": 1.0, "lost": 0.0}.get(outcome, 0.5)
        stages[str(value)] = StageRule(
            str(rule.get("stage", value)),
            outcome,
            float(rule.get("probability", default_p)),
            int(rule.get("sort_order", order)),
        )
    return stages


def _outcome_values(data: dict) -> dict[str, str]:
    """Returns {source value: open|won|lost} from the mapping's `outcome_values`."""
    outcome_values = {str(k): str(v) for k, v in (data.get("outcome_values") or {}).items()}
    bad = [v for v in outcome_values.values() if v not in OUTCOMES]
    if bad:
        raise ImportRejected("Mapping 'outcome_values' must map to open, won or lost.")
    return outcome_values


def layout_from_mapping(mapping: Mapping[str, object] | str | Path) -> Layout:
    """Returns a generic Layout from a mapping dict or a YAML/JSON file.

    Keys: `entity` (required), `source` (default "generic"), `columns` {target: source header}
    (required), `required` (default: external_id + the entity's essentials), `date_format`
    (one strptime format, or a list to detect from), `stages` {source value: {stage, outcome,
    probability}}, `outcome_values` {source value: open|won|lost}, `options`.
    """
    data = _mapping_data(mapping)
    entity, columns = _entity_and_columns(data)
    default_required = DEFAULT_REQUIRED[entity]
    required = tuple(data.get("required") or [t for t in default_required if t in columns])
    date_format = data.get("date_format") or US_OR_EU_DATES
    formats = (date_format,) if isinstance(date_format, str) else tuple(date_format)
    stages = _stage_rules(data)
    outcome_values = _outcome_values(data)
    return Layout(
        key="generic",
        source=str(data.get("source", "generic")),
        entity=entity,
        label=f"generic {entity} mapping",
        columns={t: (str(c),) for t, c in columns.items()},
        required=required,
        date_formats=formats,
        stages=stages,
        outcome_values=outcome_values,
        options=MappingProxyType(dict(data.get("options") or {})),
    )
