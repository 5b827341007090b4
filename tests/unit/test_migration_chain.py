"""The schema migrations form one line: one head, each file's number its revision, no gaps.

Engineers add migrations on parallel branches; a branch landed after another's migration must
renumber its own to follow the new head. This catches the miss before a database sees it.
"""

from __future__ import annotations

import re

from alembic.script import ScriptDirectory

from salesops.db import migrate


def _scripts() -> ScriptDirectory:
    return ScriptDirectory(str(migrate.MIGRATIONS))


def test_migrations_have_one_head() -> None:
    heads = _scripts().get_heads()
    assert len(heads) == 1, f"migrations have {len(heads)} heads {heads}: renumber the newest"


def test_each_migration_follows_the_one_numbered_before_it() -> None:
    revisions = list(_scripts().walk_revisions())  # head first, down to the baseline
    numbers = sorted(int(r.revision) for r in revisions)
    assert numbers == list(range(1, len(numbers) + 1))
    for script in revisions:
        expected_down = None if script.revision == "0001" else f"{int(script.revision) - 1:04d}"
        assert script.down_revision == expected_down, script.path
        prefix = re.match(r"(\d{4})_", script.path.rsplit("/", 1)[-1])
        assert prefix and prefix.group(1) == script.revision, script.path
