"""What the benchmarks share: waiting on a condition, reading /proc (children, command
lines, PSS, the processes of a home), and signalling a Tend process only once its
identity (PID + start time, field 22 of /proc/PID/stat) matches the record Tend wrote
for it."""
import json, os, signal, time

def wait_for(condition, timeout, what, poll=0.002):
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise SystemExit(f"timed out waiting for {what}")
        time.sleep(poll)

def start_time(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            return int(f.read().rsplit(")", 1)[1].split()[19])
    except (OSError, ValueError, IndexError):
        return None

def recorded_identity(home, role):
    """(pid, start_time) of the monitor or the log writer (role "monitor" or "logd"),
    from .run/ROLE.json; the monitor of an older build kept "PID START" in monitor.pid."""
    try:
        with open(f"{home}/.run/{role}.json") as f:
            record = json.load(f)
        return record["pid"], record["start_time"]
    except (OSError, ValueError, KeyError):
        pass
    try:
        with open(f"{home}/{role}.pid") as f:
            words = f.read().split()
        return (int(words[0]), int(words[1])) if len(words) >= 2 else None
    except (OSError, ValueError):
        return None

def signal_verified(identity, sig):
    """Sends `sig` only if the process is still the one recorded; False otherwise."""
    if identity and identity[1] is not None and start_time(identity[0]) == identity[1]:
        try:
            os.kill(identity[0], sig)
            return True
        except ProcessLookupError:
            pass
    return False


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


def proc_kib(pid, field, path="smaps_rollup"):
    """A `FIELD:  N kB` line of /proc/PID/PATH (smaps_rollup, status), in KiB; 0 if absent."""
    try:
        with open(f"/proc/{pid}/{path}") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def pss_kib(pid):
    return proc_kib(pid, "Pss")


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
    """Kills every process started for `home` (the log writer outlives the monitor), each
    by the PID and start time read together."""
    for pid in tagged(home):
        signal_verified((pid, start_time(pid)), signal.SIGKILL)
