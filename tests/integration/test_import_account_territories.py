"""A generic mapping can ask for accounts to take their deals' territory; others are untouched."""

from __future__ import annotations

import sqlalchemy as sa

from salesops.db import schema as s
from salesops.importing.mapping import layout_from_mapping
from salesops.importing.reading import CsvInput
from salesops.importing.report import import_files

REPS = CsvInput("reps.csv", b"id,name,region\nr1,Ana,North\nr2,Bo,South\nr3,Cy,South\n")
DEALS = (
    b"id,account,owner,created,closed,stage\n"
    b"d1,Acme,Ana,2024-01-02,2024-02-01,Won\nd2,Acme,Ana,2024-01-03,2024-02-01,Won\n"
    b"d3,Acme,Bo,2024-01-04,2024-02-01,Won\nd4,Beta,Bo,2024-01-05,2024-02-01,Won\n"
    b"d5,Beta,Ana,2024-01-06,2024-02-01,Won\n"
)


COLUMNS = {
    "external_id": "id",
    "account": "account",
    "rep": "owner",
    "created_at": "created",
    "closed_at": "closed",
    "stage": "stage",
}


def deals_layout(**options: object):
    return layout_from_mapping(
        {
            "entity": "opportunities",
            "source": "crm",
            "columns": COLUMNS,
            "date_format": "%Y-%m-%d",
            "stages": {"Won": {"outcome": "won"}},
            "options": options,
        }
    )


def import_reps(engine: sa.Engine) -> None:
    layout = layout_from_mapping(
        {
            "entity": "reps",
            "source": "crm",
            "columns": {"external_id": "id", "name": "name", "territory": "region"},
        }
    )
    assert import_files(engine, [REPS], "generic", layout=layout).written


def territories(engine: sa.Engine) -> dict[str, str | None]:
    a, t = s.accounts.c, s.territories.c
    stmt = sa.select(a.name, t.name).select_from(
        s.accounts.outerjoin(s.territories, t.id == a.territory_id)
    )
    with engine.connect() as conn:
        return dict(tuple(row) for row in conn.execute(stmt))


def test_a_mapping_option_gives_accounts_their_deals_territory(engine):
    import_reps(engine)
    layout = deals_layout(territory_from_deals=True)
    outcome = import_files(engine, [CsvInput("deals.csv", DEALS)], "generic", layout=layout)
    assert outcome.written, outcome.message
    # Acme: North 2 deals, South 1; Beta: 1 each, so the lower territory id (North, made first)
    assert territories(engine) == {"Acme": "North", "Beta": "North"}
    assert "2 accounts without a territory took" in outcome.message


def test_without_the_option_accounts_keep_no_territory(engine):
    import_reps(engine)
    layout = deals_layout()
    outcome = import_files(engine, [CsvInput("deals.csv", DEALS)], "generic", layout=layout)
    assert outcome.written, outcome.message
    assert territories(engine) == {"Acme": None, "Beta": None}
    assert "territory" not in outcome.message
