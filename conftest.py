"""Collection settings for the whole tree (pytest reads this before tests/conftest.py)."""

import importlib.util

# simulation/app.py builds the dashboard page at import and needs the dashboard extra
collect_ignore = [] if importlib.util.find_spec("solara") else ["simulation/app.py"]
