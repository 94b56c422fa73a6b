#!/usr/bin/env python3
"""The CLI's floor and the startup sequence, in one run:
  --version   `tend --version` against a static Swift hello world built here
              (swiftc -O -static-stdlib), median of --runs each, interleaved
  startup     `tend startup` on a fresh home (cold: starts the monitor and the shipped
              daemons, waits until each is ready), then warm (everything already
              running), median of 11
The times are whole processes, started from Python (the same overhead for both sides of
a ratio).

Usage: bench/cli_floor.py TEND_BIN [--runs 200] [--json FILE]
"""
import argparse, json, os, shutil, statistics, subprocess, sys, tempfile, time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import stop_everything  # noqa: E402


def hello_world(workdir):
    source = os.path.join(workdir, "main.swift")
    with open(source, "w") as f:
        f.write('print("hello")\n')
    binary = os.path.join(workdir, "hello")
    subprocess.run(["swiftc", "-O", "-static-stdlib", source, "-o", binary], check=True, capture_output=True)
    return binary


def time_ms(argv, env=None):
    t0 = time.perf_counter()
    r = subprocess.run(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    took = (time.perf_counter() - t0) * 1000
    if r.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} exited {r.returncode}: {r.stderr.decode()[-2000:]}")
    return took


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("tend")
    ap.add_argument("--runs", type=int, default=200)
    ap.add_argument("--json")
    a = ap.parse_args()
    wd = tempfile.mkdtemp(prefix="tend-floor-")
    hello = hello_world(wd)
    version, reference = [], []
    for _ in range(a.runs):  # interleaved, so drift hits both alike
        version.append(time_ms([a.tend, "--version"]))
        reference.append(time_ms([hello]))
    env = dict(os.environ, TEND_HOME=f"{wd}/home")
    env.pop("TEND_CONFIG_DIR", None)  # the shipped daemons.lua (the seed's eight daemons)
    try:
        cold = time_ms([a.tend, "startup"], env)
        warm = [time_ms([a.tend, "startup"], env) for _ in range(11)]
    finally:
        subprocess.run([a.tend, "shutdown"], env=env, capture_output=True)
        stop_everything(env["TEND_HOME"])  # whatever a failed run left
        shutil.rmtree(wd, ignore_errors=True)
    result = {
        "version_ms": statistics.median(version), "hello_ms": statistics.median(reference),
        "startup_cold_ms": cold, "startup_warm_ms": statistics.median(warm),
    }
    result["version_ratio"] = result["version_ms"] / result["hello_ms"]
    print("| what | median ms |")
    print("|---|---|")
    print(f"| static Swift hello world | {result['hello_ms']:.2f} |")
    print(f"| tend --version | {result['version_ms']:.2f} ({result['version_ratio']:.2f}x) |")
    print(f"| tend startup, cold home (one run) | {cold:.0f} |")
    print(f"| tend startup, warm (everything running) | {result['startup_warm_ms']:.1f} |")
    if a.json:
        with open(a.json, "w") as f:
            json.dump(result, f, indent=2)


if __name__ == "__main__":
    main()
