"""rusage.py - runs a command on the current terminal and writes its wall time and peak memory.

    python3 rusage.py OUT.json CMD [ARG...]

Used by the benchmarks to measure a full-screen program (tmail, neomutt) inside tmux."""

import json
import os
import sys
import time

out, argv = sys.argv[1], sys.argv[2:]
start = time.monotonic()
pid = os.fork()
if pid == 0:
    os.execvp(argv[0], argv)
_, status, usage = os.wait4(pid, 0)
with open(out, "w") as f:
    json.dump({"seconds": time.monotonic() - start, "maxrss_kib": usage.ru_maxrss,
               "status": os.waitstatus_to_exitcode(status)}, f)
