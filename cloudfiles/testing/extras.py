"""The suites run on pytest and hypothesis (cloudfiles' `test` extra), which the library
itself does not need: each suite module checks for them first, to say what to install."""
from __future__ import annotations

import importlib.util

#: The packages the suites run on.
TEST_EXTRAS = ("pytest", "hypothesis")


def require_test_extras() -> None:
    """Raise ImportError naming what to install when pytest or hypothesis is missing."""
    missing = [name for name in TEST_EXTRAS if importlib.util.find_spec(name) is None]
    if missing:
        raise ImportError(
            f"The cloudfiles.testing suites need {' and '.join(missing)}: "
            "pip install 'cloudfiles[test]' (or pip install pytest hypothesis).")
