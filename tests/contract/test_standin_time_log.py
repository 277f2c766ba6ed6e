"""The stand-in's timing hook (KOPS_STANDIN_TIME_LOG), which benchmarks/bench_site_rerun.py uses to
split a playbook's time into kops's share and Ansible's. Test infrastructure: real kops has no such
switch."""

import json
import os
import subprocess
import sys
import time

from conftest import TESTBED

TICK = 0.02  # /proc's clock-tick granularity (10 ms), twice


def test_each_run_logs_its_wall_time_from_the_process_start(tmp_path):
    argv_log, time_log = tmp_path / "argv.jsonl", tmp_path / "seconds.jsonl"
    env = {k: v for k, v in os.environ.items() if not k.startswith("KOPS_")}
    env.update(PYTHONPATH=TESTBED, KOPS_STANDIN_VERSION="1.36.2",
               KOPS_STANDIN_ARGV_LOG=str(argv_log), KOPS_STANDIN_TIME_LOG=str(time_log))
    before = time.time()
    done = subprocess.run([sys.executable, "-m", "kops_standin", "version", "--short"], env=env,
                          capture_output=True, text=True, check=False, timeout=60)
    after = time.time()
    assert (done.returncode, done.stdout, done.stderr) == (0, "1.36.2\n", "")

    started, = [json.loads(line) for line in argv_log.read_text().splitlines()]
    ended, = [json.loads(line) for line in time_log.read_text().splitlines()]
    assert ended["argv"] == started["argv"] == ["version", "--short"]
    assert ended["pid"] == started["pid"] != os.getpid()
    # The process's whole life, read from /proc: it began no later than its first own line ran, and
    # lies within the caller's own measurement.
    assert after - ended["seconds"] <= started["time"] + TICK
    assert 0 < ended["seconds"] <= after - before + TICK
