"""Operations: what keeps `talos forge`, `talos validate` and `talos clean` safe on a shared studio home.

Plain Python, no Dagster at import time: exclusive file locks in the studio home (the instance's first
start, one forge per film), sweeping temp files a killed process left, failing runs a killed process
left STARTED, a disk-space check before a render, the retention policy for working frames, and the
one-sentence explanation of environment failures (disk full, permissions, corrupt stores).
"""
