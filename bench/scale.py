#!/usr/bin/env python3
"""Tend at scale, under a common open-file soft limit: N daemons (default 1000) and a
small set (default 8) in the same run, each in a fresh home, with the soft limit set
to 1024 for every Tend process (the monitor raises its own; daemons get 1024 back).

For each size it measures:
  start-all  launching `tend monitor` until every daemon has exec'd (as the shared harness)
  status     `tend status` and `tend status --format json`, median of 11 after a warm-up
  restart    kill -9 a daemon up > 1.5 s, until its new process has exec'd (median, p95)
  stop-all   `tend stop --all`: its time, exit code, and daemons left
  PSS        the monitor and its helper processes (log writer, script workers)
and checks that every daemon reached RUNNING and none is left after stop-all.

Usage: bench/scale.py TEND_BIN [--n 1000] [--base 8] [--kills 30] [--soft 1024] [--json FILE]
"""
import argparse, json, os, resource, shutil, signal, statistics, subprocess, sys, tempfile, time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import children, cmdline, pss_kib, recorded_identity, signal_verified, start_time, stop_everything, wait_for  # noqa: E402


def median_ms(argv, env, runs=11):
    subprocess.run(argv, env=env, capture_output=True)  # warm-up
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        r = subprocess.run(argv, env=env, capture_output=True)
        times.append((time.perf_counter() - t0) * 1000)
        if r.returncode != 0:
            raise SystemExit(f"{' '.join(argv)} exited {r.returncode}: {r.stderr.decode()}")
    return statistics.median(times)


class Home:
    def __init__(self, tend, n, soft):
        self.tend, self.n = tend, n
        self.wd = tempfile.mkdtemp(prefix=f"tend-scale-{n}-")
        self.env = dict(os.environ, TEND_HOME=f"{self.wd}/state", TEND_CONFIG_DIR=f"{self.wd}/config")
        self.soft = soft
        self.svc = f"{self.wd}/svc"
        os.makedirs(f"{self.wd}/config")
        os.symlink("/bin/sleep", self.svc)
        with open(f"{self.wd}/config/daemons.lua", "w") as f:
            for i in range(n):
                f.write(f'daemon "s{i}" {{ command = {{ "{self.svc}", "{3000000 + i}" }}, '
                        f'restart = {{ max_per_hour = 1000000, cooldown = 0 }} }}\n')
        self.monitor = None

    def limit(self):
        hard = resource.getrlimit(resource.RLIMIT_NOFILE)[1]
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(self.soft, hard), hard))

    def run(self, *args):
        return subprocess.run([self.tend, *args], env=self.env, capture_output=True, preexec_fn=self.limit)

    def daemons(self):
        return [c for c in children(self.monitor[0]) if (cmdline(c) or b"").startswith(self.svc.encode())]

    def start_all(self):
        t0 = time.perf_counter()
        subprocess.Popen([self.tend, "monitor"], env=self.env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                         preexec_fn=self.limit, start_new_session=True)
        wait_for(lambda: recorded_identity(self.env["TEND_HOME"], "monitor") is not None, 30, "the monitor")
        self.monitor = recorded_identity(self.env["TEND_HOME"], "monitor")
        r = self.run("start", "--all")
        if r.returncode != 0:
            raise SystemExit(f"start --all exited {r.returncode}: {r.stderr.decode()[-2000:]}")
        wait_for(lambda: len(self.daemons()) >= self.n, 120, f"{self.n} daemons")
        return (time.perf_counter() - t0) * 1000

    def all_running(self):
        r = self.run("status", "--format", "json")
        states = [d["state"] for d in json.loads(r.stdout)["daemons"]]
        return len(states) == self.n and all(s == "RUNNING" for s in states)

    def restarts(self, kills):
        time.sleep(2)  # every victim up > 1.5 s, as in the shared harness
        lat = []
        for k in range(kills):
            kids = self.daemons()
            victim = kids[(k * 7919) % len(kids)]
            identity = (victim, start_time(victim))  # read with the PID, checked at the kill
            want = cmdline(victim)
            before = set(children(self.monitor[0]))
            t0 = time.monotonic()
            if not signal_verified(identity, signal.SIGKILL):
                continue
            while time.monotonic() - t0 < 5:
                new = [c for c in children(self.monitor[0]) if c not in before]
                if any(cmdline(c) == want for c in new):
                    lat.append((time.monotonic() - t0) * 1000)
                    break
                time.sleep(0.0005)
            time.sleep(0.05)
        lat.sort()
        return statistics.median(lat), lat[int(0.95 * (len(lat) - 1))], kills - len(lat)

    def footprint(self):
        daemons = set(self.daemons())
        helpers = [c for c in children(self.monitor[0]) if c not in daemons]
        procs = [self.monitor[0]] + helpers
        return sum(pss_kib(p) for p in procs) / 1024, len(procs)

    def stop_all(self):
        t0 = time.perf_counter()
        r = self.run("stop", "--all")
        took = (time.perf_counter() - t0) * 1000
        return took, r.returncode, len(self.daemons())

    def close(self):
        self.run("shutdown")  # stops the daemons, then the monitor and the log writer
        stop_everything(self.env["TEND_HOME"])  # whatever a failed run left
        shutil.rmtree(self.wd, ignore_errors=True)


def measure(tend, n, soft, kills):
    home = Home(tend, n, soft)
    try:
        result = {"n": n, "start_all_ms": home.start_all()}
        wait_for(home.all_running, 60, "every daemon RUNNING")
        result["all_running"] = True
        result["status_ms"] = median_ms([tend, "status"], home.env)
        result["status_json_ms"] = median_ms([tend, "status", "--format", "json"], home.env)
        med, p95, timeouts = home.restarts(kills)
        result.update(restart_median_ms=med, restart_p95_ms=p95, restart_timeouts=timeouts)
        result["pss_mib"], result["processes"] = home.footprint()
        result["stop_all_ms"], result["stop_all_exit"], result["left_after_stop"] = home.stop_all()
        return result
    finally:
        home.close()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("tend")
    ap.add_argument("--n", type=int, default=1000)
    ap.add_argument("--base", type=int, default=8)
    ap.add_argument("--kills", type=int, default=30)
    ap.add_argument("--soft", type=int, default=1024)
    ap.add_argument("--json")
    a = ap.parse_args()
    rows = [measure(a.tend, n, a.soft, a.kills) for n in (a.base, a.n)]
    print(f"open-file soft limit {a.soft} (hard {resource.getrlimit(resource.RLIMIT_NOFILE)[1]}), {os.cpu_count()} cores")
    print("| N | start-all ms | status ms (json) | restart median / p95 ms | stop --all ms (exit, left) | PSS MiB (procs) | all RUNNING |")
    print("|---|---|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['n']} | {r['start_all_ms']:.0f} | {r['status_ms']:.1f} ({r['status_json_ms']:.1f}) | "
              f"{r['restart_median_ms']:.2f} / {r['restart_p95_ms']:.2f} | {r['stop_all_ms']:.0f} ({r['stop_all_exit']}, "
              f"{r['left_after_stop']}) | {r['pss_mib']:.1f} ({r['processes']}) | {r['all_running']} |")
    base, big = rows
    print(f"restart at N={big['n']} / N={base['n']}: {big['restart_median_ms'] / base['restart_median_ms']:.2f}x")
    if a.json:
        with open(a.json, "w") as f:
            json.dump(rows, f, indent=2)


if __name__ == "__main__":
    main()
