# Run by keepalived's systemd drop-in (the role renders its arguments there):
#   /usr/bin/python3 lvs-ha-rejoin-hold --hold-file F --hold S --advert-int A... --peer P...
"""Runs before keepalived starts (ExecStartPre of the role's drop-in).

A director that comes back (keepalived restarted, host rebooted) has an empty
IPVS table; preempting at once takes the VIPs to it and breaks the long-lived
flows its peer kept, which the peer's sync daemon re-sends only now and then
(every 5 s as the role sets it; every 50 packets by default). So: if a peer is MASTER now (only a master sends adverts), write -253
to the hold file, which every VRRP instance adds to its priority: this director
joins as BACKUP, and its backup sync daemon learns the peer's flows. A transient
timer writes 0 after the hold, and keepalived preempts then. A cold start of
the whole cluster hears no advert and holds nothing. Unlike preempt_delay, a
switchover (a master lowering its priority) does not wait.
"""

import argparse
import select
import socket
import subprocess
import sys
import time

VRRP_PROTOCOL = 112
HELD = -253   # added to every instance's priority: 254 at most, so a held director is never master
TIMER = "lvs-ha-rejoin-release"


def parse(argv):
    parser = argparse.ArgumentParser(prog="lvs-ha-rejoin-hold", description=__doc__.splitlines()[0])
    parser.add_argument("--hold-file", required=True, help="the vrrp_track_file every instance tracks")
    parser.add_argument("--hold", type=int, required=True, help="seconds the priority is held down")
    parser.add_argument("--advert-int", type=float, action="append", required=True,
                        help="advert interval of a VRRP instance (once per instance)")
    parser.add_argument("--peer", action="append", default=[], help="address of a peer director (repeatable)")
    return parser.parse_args(argv)


def listen_seconds(advert_ints):
    """Three adverts of the slowest instance, plus 1 s (a master's skew is under one advert)."""
    return 3 * max(advert_ints) + 1


def peer_master_heard(peers, seconds):
    """The peer whose VRRP advert arrived first within `seconds`, or None."""
    with socket.socket(socket.AF_INET, socket.SOCK_RAW, VRRP_PROTOCOL) as sock:
        deadline = time.monotonic() + seconds
        while (left := deadline - time.monotonic()) > 0:
            if select.select([sock], [], [], left)[0]:
                source = sock.recvfrom(65535)[1][0]
                if source in peers:
                    return source
    return None


def write_hold(path, value):
    with open(path, "w", encoding="ascii") as f:
        f.write(f"{value}\n")


def main(argv=None, run=subprocess.run, listen=peer_master_heard):
    args = parse(argv)
    seconds = listen_seconds(args.advert_int)
    # A timer left by a start a moment ago would end this hold early.
    run(["systemctl", "stop", f"{TIMER}.timer"], stderr=subprocess.DEVNULL, check=False)
    peer = listen(set(args.peer), seconds)
    if peer is None:
        write_hold(args.hold_file, 0)
        print(f"lvs-ha: no peer is MASTER (no advert in {seconds} s): no rejoin hold")
        return 0
    write_hold(args.hold_file, HELD)
    run(["systemd-run", "--quiet", "--collect", f"--unit={TIMER}", f"--on-active={args.hold}",
         # Timers fire up to a minute late by default (AccuracySec=1min): 33.9 s for 20.
         "--timer-property=AccuracySec=100ms", "--timer-property=RemainAfterElapse=no",
         "/bin/sh", "-c", f"echo 0 > {args.hold_file}"], check=True)
    print(f"lvs-ha: {peer} is MASTER: priority held down for {args.hold} s while its sync daemon teaches this one its flows")
    return 0


def guarded(argv=None, **kwargs):
    """main(), but a failure leaves the hold at 0: keepalived starts anyway (the
    drop-in ignores this script's exit status), unheld."""
    try:
        return main(argv, **kwargs)
    except (OSError, subprocess.CalledProcessError) as exc:
        print(f"lvs-ha: rejoin hold not set: {exc}", file=sys.stderr)
        try:
            write_hold(parse(argv).hold_file, 0)
        except OSError:
            pass
        return 1


if __name__ == "__main__":
    sys.exit(guarded())
