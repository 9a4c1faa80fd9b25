"""The test suite (a package, so `tests.conftest` is this one: textstat 0.7.8 ships a stray top-level `tests`)."""
