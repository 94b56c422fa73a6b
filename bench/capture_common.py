"""What the capture benchmarks share: waiting on a condition, and signalling a Tend
process only once its identity (PID + start time, field 22 of /proc/PID/stat) matches
the record Tend wrote for it."""
import json, os, time

def wait_for(condition, timeout, what):
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise SystemExit(f"timed out waiting for {what}")
        time.sleep(0.002)

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
    if identity and start_time(identity[0]) == identity[1]:
        os.kill(identity[0], sig)
        return True
    return False
