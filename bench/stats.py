import resource
import statistics


def summary(values: list[float], *, digits: int = 2) -> dict:
    ordered = sorted(values)
    p95 = ordered[min(len(ordered) - 1, max(0, round(0.95 * len(ordered)) - 1))]
    return {"median": round(statistics.median(ordered), digits), "p95": round(p95, digits), "n": len(ordered)}


def peak_rss_mib() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
