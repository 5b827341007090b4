"""The quarter call: a time-aware forecast of where this quarter lands, and its track record."""
