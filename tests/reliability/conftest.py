"""The reliability battery prints its figures (tried / landed / lost, numbers, kill rounds …) at the end of the
run: each test records them with `record_property`, and this hook lists them in the terminal summary."""

_FIGURES: list[tuple[str, str, str]] = []


def pytest_runtest_logreport(report) -> None:
    if report.when == "call" and "tests/reliability/" in report.nodeid:
        for name, value in report.user_properties:
            _FIGURES.append((report.nodeid.split("::")[-1], name, str(value)))


def pytest_terminal_summary(terminalreporter) -> None:
    if not _FIGURES:
        return
    terminalreporter.section("reliability figures")
    for test, name, value in _FIGURES:
        terminalreporter.write_line(f"{name}: {value}  ({test})")


# The API test helpers (a client per user with a real token): shared with tests/api.
from tests.api.conftest import api  # noqa: E402, F401
