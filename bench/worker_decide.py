#!/usr/bin/env python3
"""What a restart decision costs through the script worker (docs/design/script-worker.md):
the round trip of a `decide` through the worker's pipes (write the request, the worker
decodes it, runs policies/restart.lua, encodes the reply, read it), with a short and a
full (100 events) history, and the worker's memory after a load and those decisions.
The monitor's own JSON work is not in it (the request is encoded once, the reply only
checked): it is the worker's time plus two pipe hops.

Usage: bench/worker_decide.py TEND_BIN [--decisions 400]
"""
import argparse, json, os, statistics, subprocess, sys, tempfile, time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import proc_kib  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("tend")
    ap.add_argument("--decisions", type=int, default=400)
    a = ap.parse_args()
    with tempfile.TemporaryDirectory() as root:
        os.makedirs(f"{root}/config")
        with open(f"{root}/config/daemons.lua", "w") as f:
            f.write('daemon "d" { command = {"/bin/true"}, health = "process_alive" }\n')
        env = dict(os.environ, TEND_HOME=f"{root}/home", TEND_CONFIG_DIR=f"{root}/config")
        w = subprocess.Popen([a.tend, "__script-worker", "--location-file", f"{root}/where"],
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env)
        def ask(msg):
            w.stdin.write((json.dumps(msg) + "\n").encode()); w.stdin.flush()
            return json.loads(w.stdout.readline())
        assert ask({"id": 1, "op": "load"})["ok"]
        spec = {"name": "d", "run": {"command": {"_0": ["/bin/true"]}}, "environment": {}, "stopTimeout": 10,
                "restart": {"maxPerHour": 1000, "cooldown": 0}, "policy": "restart", "declaredAt": ""}
        now = time.time()
        event = lambda i: {"timestamp": time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime(now - 30 * i)),
                           "reason": "killed by SIGKILL", "old_pid": 1, "new_pid": 2, "success": True, "manual": False}
        results = {}
        for n in (3, 100):
            history = [event(i) for i in range(n, 0, -1)]
            # Encoded once, and the reply only checked, so Python's JSON is not timed.
            line = (json.dumps({"id": 10, "op": "decide", "daemon": spec, "now": now, "history": history,
                                "exit": {"cause": "killed", "signal": 9, "at": now, "uptime": 100, "pid": 4242}}) + "\n").encode()
            times = []
            for i in range(a.decisions):
                t = time.perf_counter()
                w.stdin.write(line); w.stdin.flush()
                reply = w.stdout.readline()
                times.append(time.perf_counter() - t)
                assert b'"version":"current"' in reply, reply
            results[n] = (statistics.median(times) * 1e6, sorted(times)[int(len(times) * 0.95)] * 1e6)
        pss, hwm = proc_kib(w.pid, "Pss"), proc_kib(w.pid, "VmHWM", "status")
        w.stdin.close(); w.wait()
        for n, (med, p95) in results.items():
            print(f"decide round trip, {n} history events: median {med:.0f} µs, p95 {p95:.0f} µs")
        print(f"worker after load + {2 * a.decisions} decisions: PSS {pss / 1024:.1f} MiB, VmHWM {hwm / 1024:.1f} MiB")

if __name__ == "__main__":
    main()
