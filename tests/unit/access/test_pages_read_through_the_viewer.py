"""Pages cannot get around the viewer: the only repository and engines in the UI are known.

Every page reads through salesops.ui.cache (repository() / cached_call), which builds a
Repository limited to the signed-in viewer. A page or UI module that built its own
Repository or engine would read unlimited; this test names the few places allowed to.
"""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
ALLOWED = {
    "salesops/ui/cache.py": "the viewer-limited Repository",
    "salesops/ui/auth.py": "the read-only engine (users look-up, shared with cache.py)",
    "salesops/ui/data.py": "the import writer (admins only, checked server-side)",
    "salesops/ui/users.py": "the users writer (admins only, checked server-side)",
    "salesops/ui/bootstrap.py": "the first-run demo database (no data exists yet)",
}
BUILDS = re.compile(r"\b(Repository|RepositoryBase|make_engine|create_engine)\(")


def test_only_known_modules_build_a_repository_or_an_engine():
    files = [ROOT / "app.py", *ROOT.glob("pages/*.py"), *ROOT.glob("salesops/ui/*.py")]
    offenders = []
    for path in files:
        relative = str(path.relative_to(ROOT))
        if relative in ALLOWED:
            continue
        if BUILDS.search(path.read_text(encoding="utf-8")):
            offenders.append(relative)
    assert not offenders, f"read through salesops.ui.cache instead: {offenders}"
