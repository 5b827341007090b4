"""The Rep time page's own filter: team (manager), kept in st.query_params like the others."""

from __future__ import annotations

import pandas as pd
import streamlit as st

KEY = "time.team"


def requested_teams() -> list[str]:
    """Returns the teams named in the URL; read it before the shared filters rewrite the URL."""
    return list(st.query_params.get_all("team"))


def team_filter(reps: pd.DataFrame, requested: list[str], container=st) -> list[str]:
    """Draws the team multiselect (first run seeded from the URL) and writes it back to the URL.

    Unknown team names in the link are ignored with a warning; they never reach SQL.
    """
    managers = sorted(reps["manager"].dropna().unique())
    if KEY not in st.session_state:
        unknown = [t for t in requested if t not in managers]
        if unknown:
            st.warning(
                "Ignored unknown team " + ", ".join(repr(t) for t in unknown) + " in the link."
            )
        st.session_state[KEY] = [t for t in requested if t in managers]
    teams = container.multiselect("Team (manager)", managers, key=KEY)
    st.query_params["team"] = teams
    return teams
