#!/usr/bin/env python3
"""Capture throughput: how fast daemon output reaches logs/daemons/NAME.log, and what
the reading process spends on it.

Two set-ups, one method:
  --reader monitor   as Tend runs: the daemons declared in daemons.lua and started by
                     `tend start --all`; the monitor holds their FIFOs' write ends and
                     starts the log writer (`tend __logd`), which reads them. The
                     reader's CPU is the log writer's; the monitor's is given beside it.
                     (Before the log writer, this mode measured the monitor's own
                     reading of .fifo/NAME, drainOutput: run it on such a binary for that.)
  --reader logd      the log writer alone: `tend __logd` started here, the daemons
                     started here with their stdout on .fifo/NAME.stdout; no monitor.

Each daemon writes LINES numbered lines of BYTES bytes, as fast as it can (the whole
output built before the start, then written in 64 KiB chunks, so the writers cost only
their system calls). All wait for one start signal. The clock runs from that signal
until every log holds its last line; the reader's CPU time (utime + stime from
/proc/PID/stat) over the same span is divided by the bytes carried.

Usage: bench/capture_throughput.py TEND_BIN --reader logd|monitor [--daemons 8]
       [--lines 100000] [--bytes 100] [--runs 3]
"""
import argparse, json, os, shutil, signal, stat, statistics, subprocess, sys, tempfile, time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import recorded_identity, signal_verified, wait_for

WRITER = r"""
import os, sys, time
name, lines, size, go = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
pad = "x" * max(0, size - len(name) - 10)
blob = "".join("%s %07d %s\n" % (name, i, pad) for i in range(1, lines + 1)).encode()
while not os.path.exists(go):
    time.sleep(0.005)
view = memoryview(blob)
while view:
    view = view[os.write(1, view[:65536]):]
time.sleep(3600)
"""

def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

def last_line(path):
    try:
        with open(path, "rb") as f:
            f.seek(0, 2)
            size = f.tell()
            f.seek(max(0, size - 4096))
            tail = f.read().rstrip(b"\n").rsplit(b"\n", 1)[-1]
        return json.loads(tail).get("msg", "")
    except (OSError, ValueError):
        return ""


def run_once(a, wd):
    home, config = f"{wd}/home", f"{wd}/config"
    os.makedirs(f"{home}/.fifo", mode=0o700)
    os.makedirs(config)
    go = f"{wd}/go"
    with open(f"{wd}/writer.py", "w") as f:
        f.write(WRITER)
    env = dict(os.environ, TEND_HOME=home, TEND_CONFIG_DIR=config, TEND_LOG_MAX_BYTES="4g")
    names = [f"d{i}" for i in range(1, a.daemons + 1)]
    argv = lambda n: [sys.executable, f"{wd}/writer.py", n, str(a.lines), str(a.bytes), go]
    writers, held = [], []
    if a.reader == "monitor":
        with open(f"{config}/daemons.lua", "w") as f:
            for n in names:
                cmd = ", ".join(json.dumps(x) for x in argv(n))
                f.write(f'daemon "{n}" {{ command = {{ {cmd} }} }}\n')
        subprocess.run([a.tend, "start", "--all"], env=env, check=True, capture_output=True)
        identity = recorded_identity(home, "monitor")
        monitor = identity[0]
        # The monitor's own log writer reads the FIFOs (an older binary: the monitor).
        wait_for(lambda: recorded_identity(home, "logd") or not os.path.exists(f"{home}/.fifo/{names[0]}.stdout"), 30,
                 "the monitor's log writer")
        logd_identity = recorded_identity(home, "logd")
        reader = logd_identity[0] if logd_identity else monitor
    else:
        log = open(f"{wd}/logd.log", "w")
        logd = subprocess.Popen([a.tend, "__logd", "--home", home], env=env, stdout=log, stderr=log,
                                start_new_session=True)
        reader = logd.pid
        wait_for(lambda: os.path.exists(f"{home}/logd.pid"), 30, "the log writer")
        for n in names:
            fifo = f"{home}/.fifo/{n}.stdout"
            os.mkfifo(fifo, 0o600)
            fd = os.open(fifo, os.O_RDWR)
            held.append(fd)
            writers.append(subprocess.Popen(argv(n), stdout=fd, stderr=fd, start_new_session=True))
    time.sleep(1.0)   # the writers have built their output and wait for the signal
    logs = [f"{home}/logs/daemons/{n}.log" for n in names]
    want = {log: f"{n} {a.lines:07d}" for log, n in zip(logs, names)}
    cpu0 = cpu_seconds(reader)
    monitor_cpu0 = cpu_seconds(monitor) if a.reader == "monitor" else 0
    open(go, "w").close()
    t0 = time.monotonic()
    done = {}
    while len(done) < len(logs):
        for log in logs:
            if log not in done and last_line(log).startswith(want[log]):
                done[log] = time.monotonic() - t0
        if time.monotonic() - t0 > 600:
            raise SystemExit("timed out waiting for the logs")
        time.sleep(0.001)
    elapsed = time.monotonic() - t0
    cpu = cpu_seconds(reader) - cpu0
    monitor_cpu = cpu_seconds(monitor) - monitor_cpu0 if a.reader == "monitor" else 0
    if a.reader == "monitor":
        subprocess.run([a.tend, "stop", "--all"], env=env, capture_output=True)
        signal_verified(identity, signal.SIGTERM)
        if logd_identity:
            signal_verified(logd_identity, signal.SIGTERM)   # it outlives the monitor
    else:
        for w in writers:
            os.killpg(w.pid, signal.SIGKILL)   # our own children, not reaped yet: still theirs
            w.wait()
        logd.terminate()
        logd.wait()
        for fd in held:
            os.close(fd)
    mb = a.daemons * a.lines * a.bytes / 1e6
    per_daemon = statistics.median(done.values())
    return {"elapsed_s": elapsed, "lines_per_s_per_daemon": a.lines / per_daemon,
            "mb_per_s_per_daemon": a.lines * a.bytes / 1e6 / per_daemon,
            "lines_per_s_total": a.daemons * a.lines / elapsed, "mb_per_s_total": mb / elapsed,
            "reader_cpu_s": cpu, "reader_cpu_s_per_mb": cpu / mb, "monitor_cpu_s": monitor_cpu}

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("tend")
    ap.add_argument("--reader", choices=["logd", "monitor"], required=True)
    ap.add_argument("--daemons", type=int, default=8)
    ap.add_argument("--lines", type=int, default=100000)
    ap.add_argument("--bytes", type=int, default=100)
    ap.add_argument("--runs", type=int, default=3)
    a = ap.parse_args()
    results = []
    for _ in range(a.runs):
        wd = tempfile.mkdtemp(prefix="tend-capture-bench-")
        try:
            results.append(run_once(a, wd))
        finally:
            shutil.rmtree(wd, ignore_errors=True)
    summary = {k: statistics.median(r[k] for r in results) for k in results[0]}
    print(json.dumps({"reader": a.reader, "daemons": a.daemons, "lines": a.lines, "bytes": a.bytes,
                      "runs": a.runs, "median": summary}, indent=2))

if __name__ == "__main__":
    main()
