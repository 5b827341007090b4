"""Generic layouts: a YAML or JSON mapping file names the entity and maps its columns.

A mapping file comes from a user (it can be uploaded on the Data page), so it is read
defensively: at most `Settings.import_mapping_max_bytes`, YAML without aliases or tags (a
few hundred bytes of nested aliases expand to gigabytes), and every key checked for its
type. Whatever is wrong is one sentence naming the file, never a traceback.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType
from typing import Any

from salesops.config import Settings
from salesops.importing.layouts import (
    ENTITIES,
    OUTCOMES,
    TARGETS,
    US_OR_EU_DATES,
    Layout,
    StageRule,
)
from salesops.importing.reading import ImportRejected

MAPPING_MAX_BYTES = Settings().import_mapping_max_bytes
SOURCE_MAX_CHARS = 40  # schema: the `source` column of every imported table

# Required targets when a mapping names none: the id plus each entity's essentials.
DEFAULT_REQUIRED: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        "reps": ("external_id", "name"),
        "accounts": ("external_id", "name"),
        "leads": ("external_id", "created_at"),
        "opportunities": ("external_id", "created_at", "stage"),
        "opportunity_history": ("opportunity_external_id", "changed_at"),
        "orders": ("external_id", "ordered_at", "amount"),
        "quotas": ("period_start", "amount"),
        "spend": ("month", "channel", "kind", "amount"),
        "activities": ("activity_date", "activity"),
        "products": ("name", "list_price"),
    }
)


class _MappingRejected(ImportRejected):
    """A mapping file problem (the file's name is added where it is known)."""


def _safe_yaml(text: str, name: str) -> object:
    """Returns the YAML document parsed with plain types only: no aliases, no tags."""
    import yaml

    class NoAliasLoader(yaml.SafeLoader):
        """SafeLoader that refuses aliases (the "billion laughs" expansion)."""

        def compose_node(self, parent: Any, index: Any) -> Any:
            if self.check_event(yaml.AliasEvent):
                event = self.peek_event()
                raise _MappingRejected(
                    f"{name} uses a YAML alias (*{event.anchor}) on line "
                    f"{event.start_mark.line + 1}: aliases are not allowed in mapping files, "
                    "write the values out."
                )
            return super().compose_node(parent, index)

    try:
        return yaml.load(text, Loader=NoAliasLoader)
    except yaml.constructor.ConstructorError as exc:
        line = f" on line {exc.problem_mark.line + 1}" if exc.problem_mark else ""
        raise _MappingRejected(
            f"{name} uses a YAML tag{line} ({exc.problem}): mapping files hold plain text, "
            "numbers, lists and mappings only."
        ) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark else ""
        problem = getattr(exc, "problem", None) or "unreadable"
        raise _MappingRejected(f"{name} is not valid YAML{where}: {problem}.") from None


def _check_size(size: int, name: str) -> None:
    """Refuses a mapping file larger than MAPPING_MAX_BYTES (before reading it)."""
    if size > MAPPING_MAX_BYTES:
        raise ImportRejected(
            f"Mapping file {name} is {size:,} bytes; a mapping file holds at most "
            f"{MAPPING_MAX_BYTES:,} (a column map and a stage table)."
        )


def parse_mapping_bytes(raw: bytes, name: str) -> dict:
    """Returns the mapping in a .json or YAML file's bytes, or raises ImportRejected.

    Files over MAPPING_MAX_BYTES, undecodable text, invalid JSON/YAML, YAML aliases or tags
    and a document that is not a mapping are each refused with one sentence.
    """
    _check_size(len(raw), name)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ImportRejected(f"Mapping file {name} is not UTF-8 text.") from None
    try:
        if name.lower().endswith(".json"):
            data: object = json.loads(text)
        else:
            data = _safe_yaml(text, name)
    except json.JSONDecodeError as exc:
        raise ImportRejected(
            f"Mapping file {name} is not valid JSON (line {exc.lineno}, column {exc.colno}): "
            f"{exc.msg}."
        ) from None
    except _MappingRejected as exc:
        raise ImportRejected(f"Mapping file {exc}") from None
    if not isinstance(data, dict):
        raise ImportRejected(
            f"Mapping file {name} must hold a mapping (entity, columns, ...), "
            f"not {type(data).__name__}."
        )
    return data


def _mapping_data(mapping: Mapping[str, object] | str | Path) -> tuple[dict, str]:
    """Returns (the mapping as a dict, how to name it in a problem)."""
    if isinstance(mapping, str | Path):
        path = Path(mapping)
        try:
            _check_size(path.stat().st_size, path.name)
            raw = path.read_bytes()
        except OSError as exc:
            raise ImportRejected(
                f"Cannot read mapping file {path.name}: {exc.strerror or exc}."
            ) from None
        return parse_mapping_bytes(raw, path.name), f"Mapping file {path.name}: "
    return dict(mapping), "Mapping: "


def _type_name(value: object) -> str:
    return repr(value) if isinstance(value, int | float | bool) else type(value).__name__


def _entity_and_columns(data: dict, prefix: str) -> tuple[str, dict[str, str]]:
    """Returns (entity, {target: source header}), checked against the entity's targets."""
    entity = data.get("entity")
    if not isinstance(entity, str) or entity not in ENTITIES:
        raise ImportRejected(f"{prefix}'entity' must be one of {', '.join(ENTITIES)}.")
    columns = data.get("columns")
    if not isinstance(columns, dict) or not columns:
        raise ImportRejected(f"{prefix}'columns' must map target fields to source headers.")
    bad = [str(t) for t, c in columns.items() if not isinstance(c, str | int) or c == ""]
    if bad:
        raise ImportRejected(
            f"{prefix}'columns' must give one source header per target; "
            f"{', '.join(bad)} {'has' if len(bad) == 1 else 'have'} none."
        )
    unknown_targets = [str(t) for t in columns if t not in TARGETS[entity]]
    if unknown_targets:
        raise ImportRejected(
            f"{prefix}targets {', '.join(unknown_targets)} are not fields of {entity}; "
            f"use: {', '.join(TARGETS[entity])}."
        )
    return entity, {str(t): str(c) for t, c in columns.items()}


def _required(data: dict, entity: str, columns: dict[str, str], prefix: str) -> tuple[str, ...]:
    """Returns the required targets: the mapping's list, else the entity's mapped essentials."""
    required = data.get("required")
    if required is None:
        return tuple(t for t in DEFAULT_REQUIRED[entity] if t in columns)
    if isinstance(required, str):
        required = [required]
    if not isinstance(required, list) or not all(isinstance(t, str) for t in required):
        raise ImportRejected(
            f"{prefix}'required' must be a list of target fields, not {_type_name(required)}."
        )
    unmapped = [t for t in required if t not in columns]
    if unmapped:
        raise ImportRejected(
            f"{prefix}required targets {', '.join(unmapped)} are not in 'columns'."
        )
    return tuple(required)


def _date_formats(data: dict, prefix: str) -> tuple[str, ...]:
    """Returns the date formats to try: the mapping's one or list, else the US/EU defaults."""
    value = data.get("date_format") or US_OR_EU_DATES
    formats = (value,) if isinstance(value, str) else value
    if not isinstance(formats, list | tuple) or not all(
        isinstance(f, str) and "%" in f for f in formats
    ):
        raise ImportRejected(
            f"{prefix}'date_format' must be a strptime format such as '%d.%m.%Y' (or a list "
            f"of them), not {_type_name(value)}."
        )
    return tuple(formats)


def _number(value: object, what: str, prefix: str, low: float, high: float) -> float:
    """Returns `value` as a float within [low, high], or raises naming `what`."""
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        number = float("nan")
    if isinstance(value, bool) or not low <= number <= high:
        raise ImportRejected(f"{prefix}{what} must be a number from {low:g} to {high:g}.")
    return number


def _stage_rules(data: dict, prefix: str) -> dict[str, StageRule]:
    """Returns {source value: StageRule} from the mapping's `stages` (in the order given)."""
    table = data.get("stages") or {}
    if not isinstance(table, dict):
        raise ImportRejected(f"{prefix}'stages' must map source stage values to rules.")
    stages: dict[str, StageRule] = {}
    for order, (value, rule) in enumerate(table.items(), start=1):
        rule = rule if isinstance(rule, dict) else {"outcome": rule}
        outcome = str(rule.get("outcome", "open"))
        if outcome not in OUTCOMES:
            raise ImportRejected(f"{prefix}stage '{value}': outcome must be open, won or lost.")
        default_p = {"won": 1.0, "lost": 0.0}.get(outcome, 0.5)
        probability = _number(
            rule.get("probability", default_p), f"stage '{value}' probability", prefix, 0, 1
        )
        sort_order = _number(
            rule.get("sort_order", order), f"stage '{value}' sort_order", prefix, 0, 10**6
        )
        name = str(rule.get("stage", value))
        stages[str(value)] = StageRule(name, outcome, probability, int(sort_order))
    return stages


def _outcome_values(data: dict, prefix: str) -> dict[str, str]:
    """Returns {source value: open|won|lost} from the mapping's `outcome_values`."""
    table = data.get("outcome_values") or {}
    if not isinstance(table, dict):
        raise ImportRejected(f"{prefix}'outcome_values' must map source values to outcomes.")
    outcome_values = {str(k): str(v) for k, v in table.items()}
    if any(v not in OUTCOMES for v in outcome_values.values()):
        raise ImportRejected(f"{prefix}'outcome_values' must map to open, won or lost.")
    return outcome_values


def _source_and_options(data: dict, prefix: str) -> tuple[str, dict[str, object]]:
    """Returns the mapping's source name (checked) and its options."""
    source = data.get("source", "generic")
    if not isinstance(source, str) or not 0 < len(source) <= SOURCE_MAX_CHARS:
        raise ImportRejected(
            f"{prefix}'source' must be a name of 1 to {SOURCE_MAX_CHARS} characters."
        )
    options = data.get("options") or {}
    if not isinstance(options, dict):
        raise ImportRejected(f"{prefix}'options' must be a mapping of option names to values.")
    return source, dict(options)


def layout_from_mapping(mapping: Mapping[str, object] | str | Path) -> Layout:
    """Returns a generic Layout from a mapping dict or a YAML/JSON file.

    Keys: `entity` (required), `source` (default "generic"), `columns` {target: source header}
    (required), `required` (default: external_id + the entity's essentials), `date_format`
    (one strptime format, or a list to detect from), `stages` {source value: {stage, outcome,
    probability}}, `outcome_values` {source value: open|won|lost}, `options`. Raises
    ImportRejected with one sentence for anything missing, unknown or of the wrong type.
    """
    data, prefix = _mapping_data(mapping)
    entity, columns = _entity_and_columns(data, prefix)
    source, options = _source_and_options(data, prefix)
    return Layout(
        key="generic",
        source=source,
        entity=entity,
        label=f"generic {entity} mapping",
        columns={t: (c,) for t, c in columns.items()},
        required=_required(data, entity, columns, prefix),
        date_formats=_date_formats(data, prefix),
        stages=_stage_rules(data, prefix),
        outcome_values=_outcome_values(data, prefix),
        options=MappingProxyType(options),
    )


def layout_from_upload(raw: bytes, name: str) -> Layout:
    """Returns the generic Layout in an uploaded mapping file's bytes (see layout_from_mapping)."""
    data = parse_mapping_bytes(raw, name)
    try:
        return layout_from_mapping(data)
    except ImportRejected as exc:
        raise ImportRejected(str(exc).replace("Mapping: ", f"Mapping file {name}: ", 1)) from None
