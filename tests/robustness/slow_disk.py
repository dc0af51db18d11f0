"""Run `kcc-text` on a disk that pauses before forcing a temporary output file to disk.

Used by the crash tests as `python slow_disk.py <kcc-text arguments>`: the program is the
real one, unchanged, but its temporary `.part` file stays in place (written, not yet
renamed) long enough for the test to kill the process at exactly that moment. Only
fsync of a `.part` file is slowed; everything else runs at full speed.
"""

import os
import runpy
import sys
import time

_fsync = os.fsync


def _slow_fsync(fd):
    try:
        target = os.readlink(f"/proc/self/fd/{fd}")
    except OSError:
        target = ""
    if target.endswith(".part"):
        time.sleep(float(os.environ.get("KCC_TEST_FSYNC_PAUSE", "60")))
    _fsync(fd)


os.fsync = _slow_fsync
sys.argv = ["kcc-text", *sys.argv[1:]]
runpy.run_module("kcc_text", run_name="__main__", alter_sys=True)
