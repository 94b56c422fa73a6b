#!/usr/bin/env python3
"""Restart latency beside a slow health check (issue 7): the median time from kill -9 of
one daemon until its replacement has exec'd (a new child of the monitor with the
daemon's exact command line, found by polling /proc every 0.5 ms), N kills, while
another daemon's 0.9 s check (`command_ok` running `sleep 0.9`, every second) runs,
against the same run without checks. With the check, each kill waits until the check's
`sleep 0.9` is running, so every kill lands while a check is under way. Also: how long
`tend status` takes (it is answered by the monitor) in both runs, likewise timed while
the check runs.

Each run has a temporary TEND_HOME and TEND_CONFIG_DIR; every process started for it
(the monitor, the log writer, the script workers, the daemons: whatever carries that
TEND_HOME) is stopped by PID at the end.

Usage: bench/slow_check_latency.py TEND_BIN [--kills 10] [--check 0.9] [--repeat 1]
(a release build: swift build -c release --static-swift-stdlib; .build/release/tend)
"""
import argparse, os, signal, statistics, subprocess, sys, tempfile, time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import children, cmdline, recorded_identity, signal_verified, start_time, stop_everything, tagged, wait_for  # noqa: E402


def check_running(home, argv):
    """Whether the check's command (argv, exact) runs for this home."""
    want = b"\0".join(a.encode() for a in argv) + b"\0"
    return any(cmdline(p) == want for p in tagged(home))


def run(tend, kills, check_seconds, with_check):
    root = tempfile.mkdtemp(prefix="tend-slowcheck-")
    home, config = f"{root}/home", f"{root}/config"
    os.makedirs(config)
    env = dict(os.environ, TEND_HOME=home, TEND_CONFIG_DIR=config)
    check_argv = ["/bin/sleep", f"{check_seconds:g}"]
    health = (f', health = {{ check = "command_ok", command = {{ "/bin/sleep", "{check_seconds:g}" }}, '
              f'timeout = {check_seconds + 1:g}, interval = 1 }}') if with_check else ""
    with open(f"{config}/daemons.lua", "w") as f:
        f.write('daemon "victim" { command = { "/bin/sleep", "3500001" }, '
                'restart = { max_per_hour = 1000000, cooldown = 0 } }\n')
        f.write(f'daemon "slow" {{ command = {{ "/bin/sleep", "3500002" }}{health} }}\n')
    latencies, statuses = [], []
    try:
        subprocess.run([tend, "start", "--all"], env=env, check=True, capture_output=True)
        monitor = recorded_identity(home, "monitor")[0]
        want = b"/bin/sleep\x003500001\x00"
        victim = lambda: [c for c in children(monitor) if cmdline(c) == want]
        wait_for(lambda: victim(), 30, "the victim to run", poll=0.0005)
        time.sleep(1.5)
        in_check = lambda: check_running(home, check_argv)
        for _ in range(kills):
            if with_check:
                wait_for(in_check, 30, "the slow check to run", poll=0.0005)
            before = set(children(monitor))
            old = victim()[0]
            identity = (old, start_time(old))  # read with the PID, checked at the kill
            t0 = time.monotonic()
            if not signal_verified(identity, signal.SIGKILL):
                continue
            wait_for(lambda: any(c not in before for c in victim()), 5, "a restart (5 s)", poll=0.0005)
            latencies.append((time.monotonic() - t0) * 1000)
            # tend status, while the check still runs (the same check: it lasts 0.9 s)
            t1 = time.monotonic()
            subprocess.run([tend, "status"], env=env, check=True, capture_output=True)
            statuses.append((time.monotonic() - t1) * 1000)
            if with_check and not in_check():
                statuses.pop()   # the check ended meanwhile: not a measurement beside it
            time.sleep(0.3)
    finally:
        subprocess.run([tend, "stop", "--all"], env=env, capture_output=True)
        stop_everything(home)
        subprocess.run(["rm", "-rf", root])
    return latencies, statuses


def summary(xs):
    xs = sorted(xs)
    return f"median {statistics.median(xs):.2f} ms, p95 {xs[int(0.95 * (len(xs) - 1))]:.2f} ms, max {xs[-1]:.2f} ms (n={len(xs)})"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("tend")
    ap.add_argument("--kills", type=int, default=10)
    ap.add_argument("--check", type=float, default=0.9, help="seconds the slow check takes")
    ap.add_argument("--repeat", type=int, default=1,
                    help="alternate the two runs this many times and pool their kills (a noisy machine)")
    a = ap.parse_args()
    plain, plain_status, slow, slow_status = [], [], [], []
    for _ in range(a.repeat):
        lat, st = run(a.tend, a.kills, a.check, with_check=False)
        plain += lat
        plain_status += st
        lat, st = run(a.tend, a.kills, a.check, with_check=True)
        slow += lat
        slow_status += st
    print(f"restart after kill -9, no checks:                 {summary(plain)}")
    print(f"restart after kill -9, beside a {a.check:g} s check:     {summary(slow)}")
    print(f"ratio of the medians (with / without):            {statistics.median(slow) / statistics.median(plain):.2f}x")
    print(f"tend status, no checks:                           {summary(plain_status)}")
    if slow_status:
        print(f"tend status, while the {a.check:g} s check runs:         {summary(slow_status)}")


if __name__ == "__main__":
    main()
