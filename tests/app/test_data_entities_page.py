"""AppTest: the Data page offers the templates and the editable activity types to admins."""

from __future__ import annotations

from pathlib import Path

PAGE = str(Path(__file__).resolve().parents[2] / "pages" / "data.py")


def test_templates_and_activity_types_are_on_the_data_page(run_page, demo_url):
    at = run_page(PAGE, demo_url)
    assert not at.exception
    assert "Activity types" in [t.label for t in at.tabs]
    labels = [e.proto.label for e in at.get("download_button")]
    assert not any(label.endswith(" template") for label in labels)  # drawn when opened
    at.session_state["data.templates"] = True
    at.run()
    assert not at.exception
    labels = [e.proto.label for e in at.get("download_button")]
    for name in ("Orders", "Spend", "Quotas", "Reps", "Timesheet"):
        assert f"{name} template" in labels
    at.session_state["data.tabs"] = "Activity types"  # its tab: drawn when open
    at.run()
    assert not at.exception
    assert "Activity types" in [h.value for h in at.subheader]
    assert any(b.key == "data.save_activity_types" for b in at.button)
