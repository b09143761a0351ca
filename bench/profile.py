"""`python -m bench.profile CASE [SETUP_CASE …]`: a fresh bench database, the setup cases, then CASE under
cProfile; prints the functions that take the time (own time and cumulative), top 30 of each."""

import cProfile
import io
import os
import pstats
import subprocess
import sys

from bench.run import ROOT, fresh_database


def main() -> int:
    if len(sys.argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    case, setup = sys.argv[1], sys.argv[2:]
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.django.bench"}
    fresh_database(env)
    for name in setup:
        subprocess.run([sys.executable, "-m", "bench.cases", name], env=env, cwd=ROOT, check=True)
    os.environ.update(env)
    from bench import cases

    profiler = cProfile.Profile()
    profiler.enable()
    result = cases.CASES[case]()
    profiler.disable()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out).strip_dirs()
    stats.sort_stats("tottime").print_stats(30)
    stats.sort_stats("cumulative").print_stats(40)
    print(out.getvalue())
    print(result)
    return 0


if __name__ == "__main__":
    sys.exit(main())
