#!/usr/bin/env python3
"""Restart latency of Tend after kill -9, measured the way the shared harness measures
the per-service supervisors (s6, runit), where the killed process's parent has one child.

Tend's monitor is the parent of all N daemons, so the shared harness re-reads the
cmdline of all N children on every 0.5 ms poll (200 file reads at N=200), and that
cost lands in Tend's figure. Here each poll reads the children list and looks only at
PIDs that were not there before: the same work per poll as for s6 and runit.

Usage: bench/restart_latency.py TEND_BIN [--n 200] [--kills 30]
"""
import argparse, os, signal, statistics, subprocess, sys, tempfile, time

def children(pid):
    out = []
    for t in os.listdir(f"/proc/{pid}/task"):
        try:
            with open(f"/proc/{pid}/task/{t}/children") as f:
                out.extend(int(x) for x in f.read().split())
        except OSError:
            pass
    return out

def cmdline(pid):
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            return f.read()
    except OSError:
        return None

def tagged(home):
    """PIDs whose environment holds TEND_HOME=home: everything started for that home (the
    monitor, its log writer and script workers, the daemons)."""
    want = f"TEND_HOME={home}".encode()
    found = []
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/environ", "rb") as f:
                if want in f.read().split(b"\0"):
                    found.append(int(name))
        except OSError:
            pass
    return found

def stop_everything(home):
    """Kills, by PID, every process started for `home` (the log writer outlives the monitor)."""
    for pid in tagged(home):
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("tend")
    ap.add_argument("--n", type=int, default=200)
    ap.add_argument("--kills", type=int, default=30)
    a = ap.parse_args()
    wd = tempfile.mkdtemp(prefix="tend-lat-")
    env = dict(os.environ, TEND_HOME=f"{wd}/state", TEND_CONFIG_DIR=f"{wd}/config")
    os.makedirs(f"{wd}/config")
    os.symlink("/bin/sleep", f"{wd}/svc")
    with open(f"{wd}/config/daemons.lua", "w") as f:
        for i in range(a.n):
            f.write(f'daemon "s{i}" {{ command = {{ "{wd}/svc", "{2000000 + i}" }}, '
                    f'restart = {{ max_per_hour = 1000000, cooldown = 0 }} }}\n')
    subprocess.run([a.tend, "start", "--all"], env=env, check=True, capture_output=True)
    monitor = int(open(f"{wd}/state/monitor.pid").read().split()[0])
    # The daemons only: the monitor's children include its script workers and log writer.
    svc = f"{wd}/svc".encode()
    daemons = lambda: [c for c in children(monitor) if (cmdline(c) or b"").startswith(svc)]
    try:
        deadline = time.monotonic() + 30
        while len(daemons()) < a.n and time.monotonic() < deadline:
            time.sleep(0.01)
        time.sleep(2)  # every victim up > 1.5 s, as in the shared harness
        lat = []
        for k in range(a.kills):
            kids = daemons()
            victim = kids[k % len(kids)]
            want = cmdline(victim)
            before = set(kids)
            t0 = time.monotonic()
            os.kill(victim, signal.SIGKILL)
            while time.monotonic() - t0 < 5:
                new = [c for c in children(monitor) if c not in before]
                hit = [c for c in new if cmdline(c) == want]
                if hit:
                    lat.append((time.monotonic() - t0) * 1000)
                    break
                time.sleep(0.0005)
            time.sleep(0.05)
        lat.sort()
        print(f"N={a.n} kills={len(lat)} median={statistics.median(lat):.2f} ms "
              f"p95={lat[int(0.95 * (len(lat) - 1))]:.2f} ms")
    finally:
        subprocess.run([a.tend, "stop", "--all"], env=env, capture_output=True)
        stop_everything(f"{wd}/state")
        subprocess.run(["rm", "-rf", wd])

if __name__ == "__main__":
    main()
