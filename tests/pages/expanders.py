"""Opening the "numbers behind" expanders of an AppTest run, as a user clicks them."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest


def open_numbers(at: AppTest) -> AppTest:
    """Open every "numbers behind" expander (their tables are drawn only while open, as
    when a user clicks them) and rerun."""
    for key in [k for k in at.session_state if str(k).startswith("numbers_")]:
        at.session_state[key] = True
    return at.run()
