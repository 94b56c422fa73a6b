#!/usr/bin/env python3
"""Memory of the monitor and the log writer as they run together: N daemons declared in
daemons.lua and started by `tend start --all` (tickers: one line a second on stdout and
stderr); the monitor supervises them and holds their FIFOs' write ends, the log writer
it started (`tend __logd`) holds the read side of the 2N FIFOs. Reads Pss and Rss from
/proc/PID/smaps_rollup after a settle time (the monitor's decision worker still runs: it
loaded daemons.lua), again after each daemon has flooded 20 MB through the log writer
(what the heap keeps after work), and once more after the decision worker has idled out
(it exits after 30 s without a request).

The total adds the monitor's helper processes of the same binary (its script workers;
the log writer is counted on its own).

Usage: bench/capture_footprint.py TEND_BIN [--n 8] [--settle 3]
"""
import argparse, json, os, shutil, signal, subprocess, sys, tempfile, time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import children, proc_kib, recorded_identity, signal_verified, wait_for

def rollup(pid):
    return {field: proc_kib(pid, field) / 1024 for field in ("Rss", "Pss", "Pss_Anon", "Pss_File")}


def helpers(pid, exe, besides=()):
    """The processes below `pid` that run the same binary (the monitor's script workers),
    but for `besides` (the log writer, the monitor's child when it started it)."""
    found, todo = [], [pid]
    while todo:
        for kid in children(todo.pop()):
            if kid in besides:
                continue
            try:
                if os.path.realpath(f"/proc/{kid}/exe") == exe:
                    found.append(kid)
                    todo.append(kid)
            except OSError:
                pass
    return found

def measure(monitor, logd, exe):
    workers = helpers(monitor, exe, besides=(logd,))
    m = {"monitor": rollup(monitor), "logd": rollup(logd), "workers": len(workers)}
    m["workers_pss"] = sum(rollup(w)["Pss"] for w in workers)
    return m

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("tend")
    ap.add_argument("--n", type=int, default=8)
    ap.add_argument("--settle", type=float, default=3)
    a = ap.parse_args()
    wd = tempfile.mkdtemp(prefix="tend-footprint-")
    home, config = f"{wd}/home", f"{wd}/config"
    os.makedirs(f"{home}/.fifo", mode=0o700)
    os.makedirs(config)
    env = dict(os.environ, TEND_HOME=home, TEND_CONFIG_DIR=config, TEND_LOG_MAX_BYTES="1g")
    script = ("import os, sys, time\nwhile True:\n"
              "    if os.path.exists(sys.argv[1]):\n"
              "        os.write(1, (('x' * 99 + '\\n') * 1000).encode())\n"
              "    else:\n"
              "        print('tick', flush=True); print('tock', file=sys.stderr, flush=True); time.sleep(1)\n")
    with open(f"{config}/daemons.lua", "w") as f:
        for i in range(a.n):
            f.write(f'daemon "t{i}" {{ command = {{ {json.dumps(sys.executable)}, "-c", {json.dumps(script)}, "{wd}/flood-{i}" }} }}\n')
    monitor = logd = None
    try:
        subprocess.run([a.tend, "start", "--all"], env=env, check=True, capture_output=True)
        monitor_identity = recorded_identity(home, "monitor")
        monitor = monitor_identity[0]
        wait_for(lambda: recorded_identity(home, "logd") is not None, 30, "the monitor's log writer")
        logd_identity = recorded_identity(home, "logd")
        logd = logd_identity[0]
        exe = os.path.realpath(a.tend)
        time.sleep(a.settle)
        rows = [("idle", measure(monitor, logd, exe))]
        for i in range(a.n):
            open(f"{wd}/flood-{i}", "w").close()
        logs = [f"{home}/logs/daemons/t{i}.log" for i in range(a.n)]
        wait_for(lambda: all(os.path.exists(p) and os.path.getsize(p) > 20e6 for p in logs), 300, "the floods")
        for i in range(a.n):
            os.remove(f"{wd}/flood-{i}")
        time.sleep(a.settle)
        rows.append(("after a 20 MB flood per daemon", measure(monitor, logd, exe)))
        wait_for(lambda: not helpers(monitor, exe, besides=(logd,)), 90, "the decision worker to idle out")
        time.sleep(a.settle)
        rows.append(("after the decision worker idled out", measure(monitor, logd, exe)))
        for label, m in rows:
            total = m["monitor"]["Pss"] + m["logd"]["Pss"] + m["workers_pss"]
            print(f"{label}, N={a.n}: monitor Pss {m['monitor']['Pss']:.1f} MiB (Rss {m['monitor']['Rss']:.1f}), "
                  f"logd Pss {m['logd']['Pss']:.1f} MiB (Rss {m['logd']['Rss']:.1f}; anon {m['logd']['Pss_Anon']:.1f}, "
                  f"file {m['logd']['Pss_File']:.1f}), {m['workers']} script workers Pss {m['workers_pss']:.1f} MiB, "
                  f"total Pss {total:.1f} MiB")
    finally:
        subprocess.run([a.tend, "stop", "--all"], env=env, capture_output=True)
        signal_verified(recorded_identity(home, "monitor"), signal.SIGTERM)
        signal_verified(recorded_identity(home, "logd"), signal.SIGTERM)   # it outlives the monitor
        time.sleep(0.5)
        shutil.rmtree(wd, ignore_errors=True)

if __name__ == "__main__":
    main()
