from tests.performance.test_scoring import october  # noqa: F401  (a month of events, shared by the view tests)
