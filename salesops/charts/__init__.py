"""Altair chart builders over aggregated frames, one module per feature (no Streamlit).

Pages draw them with st.altair_chart; the meeting pack renders them to static images.
"""
