import cProfile
import os
import signal
import sys

sys.path.insert(0, os.environ["PYTHONPATH"])
prof = cProfile.Profile()
def dump(*a):
    prof.disable()
    prof.dump_stats(os.environ["BENCH_PROFILE"])
    os._exit(0)
signal.signal(signal.SIGUSR1, dump)
from server.cli.main import main  # noqa: E402 (after sys.path is set)

sys.argv = ["curbside", *sys.argv[1:]]
prof.enable()
main()
