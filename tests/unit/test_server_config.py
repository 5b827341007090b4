"""Issue 20, the smaller cases: the server's shipped configuration."""

from __future__ import annotations

import tomllib
from pathlib import Path

CONFIG = Path(__file__).resolve().parents[2] / ".streamlit" / "config.toml"


def test_smaller_server_listens_on_127_0_0_1_by_default():
    server = tomllib.loads(CONFIG.read_text())["server"]
    assert server["address"] == "127.0.0.1"
    assert server.get("enableXsrfProtection", True)


def test_no_full_garbage_collection_after_every_script_run():
    """Issue 21: Streamlit's gc.collect() after each run cost 75-140 ms of a page view."""
    assert tomllib.loads(CONFIG.read_text())["runner"]["postScriptGC"] is False


def test_preloading_freezes_the_imported_modules(monkeypatch):
    """Full collections skip what serve.py preloaded (gc.freeze), not only what was frozen.

    The preload also does what the first page's first element would (Streamlit's one-off
    REPL check) and imports what app.py does.
    """
    import gc
    import sys

    from streamlit import delta_generator

    from salesops.ui.preload import preload

    monkeypatch.setattr(delta_generator, "_use_warning_has_been_displayed", False)
    try:
        preload()
        assert gc.get_freeze_count() > 10_000
        assert delta_generator._use_warning_has_been_displayed
        assert {"salesops.ui.bootstrap", "salesops.ui.theme"} <= set(sys.modules)
    finally:
        gc.unfreeze()
