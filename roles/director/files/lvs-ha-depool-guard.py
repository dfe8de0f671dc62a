"""The depool guard of lvs.ha.director (policy keep): keepalived's checks may not
empty a virtual service below its threshold.

keepalived runs it as every real server's notify_up and notify_down of a
service whose depool_policy is keep (its real servers inhibit_on_failure: a
failed one stays in IPVS at weight 0):

  /usr/bin/python3 lvs-ha-depool-guard up|down RS_IP RS_PORT|- SERVICE_KEY...
  /usr/bin/python3 lvs-ha-depool-guard apply     (after a keepalived reload: put held weights back)

It keeps the real servers keepalived reports down per service (STATE, reset
when keepalived's PID changes: a new keepalived starts with every server up).
While the live weight (configured weight of the servers not down) is below the
service's min_weight, every down server gets its configured weight back (the
checker is presumed wrong: PyBal's depool-threshold); when the live weight is
back, the down servers go to weight 0 as keepalived left them, the others to
their weight (each event sets every server of the service). The change of
state is logged (syslog, daemon) and kept in STATE for status and the exporter.
The services and their weights are the role's SERVICES file, rewritten with
keepalived.conf.
"""

import fcntl
import json
import os
import subprocess
import sys
import syslog
import time

SERVICES = '/etc/keepalived/lvs-ha-services.json'
STATE = '/run/lvs-ha/depool-guard.json'
KEEPALIVED_PID = '/run/keepalived.pid'
METHOD = {'DR': '-g', 'TUN': '-i', 'NAT': '-m'}
# Seconds after a reload at which apply puts held weights back (keepalived reloads asynchronously, in well
# under a second on a lab director; the later rounds cost an ipvsadm per held server only while one is held).
APPLY_ROUNDS = (0.3, 1.0, 2.0, 3.0)


def server_key(ip, port):
    return '%s %s' % (ip, '-' if port is None else port)


def decide(vs, down):
    """(holding, live weight, [(real server, weight to set)]) for a service given the keys of its down servers.

    Every server is set, not only the down ones: keepalived notifies after it acts, and the notifies of several
    servers (a reload enabling them all) arrive here one after the other. A release seen before a server's own up
    event sets that server to 0; its up event, later, must set its weight back."""
    guard = vs['depool_guard']
    live = sum(rs['weight'] for rs in vs['real_servers'] if server_key(rs['ip'], rs['port']) not in down)
    holding = live < guard['min_weight']
    edits = [(rs, rs['weight'] if holding or server_key(rs['ip'], rs['port']) not in down else 0)
             for rs in vs['real_servers']]
    return holding, live, edits


def bracket(address):
    return '[%s]' % address if ':' in address else address


def ipvsadm_edits(vs, rs, weight):
    """The ipvsadm -e commands that set rs's weight in every live service of vs (a group has several)."""
    commands = []
    for service in vs['live']:
        if 'fwmark' in service:
            target = ['-f', str(service['fwmark'])] + (['-6'] if vs['family'] == 6 else [])
            server = rs['ip']
        else:
            flag = {'tcp': '-t', 'udp': '-u', 'sctp': '--sctp-service'}[service['protocol']]
            target = [flag, '%s:%s' % (bracket(service['address']), service['port'])]
            # A group member's real server listens on the member's port unless NAT maps it.
            port = service['port'] if rs['port'] is None or (vs['group'] and rs['forwarding'] != 'NAT') else rs['port']
            server = '%s:%s' % (bracket(rs['ip']), port)
        commands.append(['ipvsadm', '-e'] + target + ['-r', server, METHOD[rs['forwarding']], '-w', str(weight)])
    return commands


def keepalived_pid():
    try:
        with open(KEEPALIVED_PID, encoding='utf-8') as handle:
            return int(handle.read().strip() or 0)
    except (OSError, ValueError):
        return 0


def load_json(path, empty):
    try:
        with open(path, encoding='utf-8') as handle:
            return json.load(handle)
    except (OSError, ValueError):
        return empty


def update(state, services, event, now):
    """Apply an event ({'kind': up|down|apply, 'service', 'server'}) to state; returns (commands, log lines)."""
    commands, logs = [], []
    for vs in services:
        if vs.get('depool_guard', {}).get('policy') != 'keep':
            continue
        entry = state['services'].setdefault(vs['key'], {'down': [], 'holding': False, 'since': None})
        touched = event['kind'] == 'apply' or event.get('service') == vs['key']
        if not touched:
            continue
        down = set(entry['down'])
        if event['kind'] == 'down':
            down.add(event['server'])
        elif event['kind'] == 'up':
            down.discard(event['server'])
        holding, live, edits = decide(vs, down)
        if holding != entry['holding']:
            entry['since'] = now if holding else None
            logs.append(('depool guard: %s (%s) holds its failed real servers in: live weight %d of %d is below %d '
                         '(checks failing: %s)' if holding else
                         'depool guard: %s (%s) released: live weight %d of %d reaches %d (checks failing: %s)')
                        % (vs['key'], vs['name'], live, vs['depool_guard']['weight'], vs['depool_guard']['min_weight'],
                           ', '.join(sorted(down)) or 'none'))
        entry.update({'down': sorted(down), 'holding': holding, 'live_weight': live, 'name': vs['name'],
                      'weight': vs['depool_guard']['weight'], 'min_weight': vs['depool_guard']['min_weight']})
        if event['kind'] != 'apply' or holding:
            commands += [c for rs, weight in edits for c in ipvsadm_edits(vs, rs, weight)]
    return commands, logs


def parse(argv):
    if argv[1:2] == ['apply']:
        return {'kind': 'apply'}
    if len(argv) < 6 or argv[1] not in ('up', 'down'):
        raise SystemExit('usage: lvs-ha-depool-guard up|down RS_IP RS_PORT|- SERVICE_KEY... | apply')
    port = None if argv[3] == '-' else argv[3]
    return {'kind': argv[1], 'server': server_key(argv[2], port), 'service': ' '.join(argv[4:])}


def handle(event):
    """One event under the lock: state read, updated, written; ipvsadm run. Returns (log lines, failed commands,
    whether any service is held)."""
    os.makedirs(os.path.dirname(STATE), exist_ok=True)
    with open(STATE + '.lock', 'w', encoding='utf-8') as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        pid = keepalived_pid()
        state = load_json(STATE, {})
        if state.get('keepalived_pid') != pid:
            state = {'keepalived_pid': pid, 'services': {}}
        if event['kind'] == 'apply' and not any(s.get('holding') for s in state['services'].values()):
            return [], 0, False
        services = load_json(SERVICES, {}).get('virtual_servers', [])
        commands, logs = update(state, services, event, time.time())
        failed = 0
        for command in commands:
            done = subprocess.run(command, capture_output=True, text=True, check=False)
            if done.returncode != 0:
                failed += 1
                logs.append('depool guard: %s failed: %s' % (' '.join(command), done.stderr.strip()))
        with open(STATE + '.tmp', 'w', encoding='utf-8') as handle:
            json.dump(state, handle)
        os.replace(STATE + '.tmp', STATE)
    return logs, failed, any(s.get('holding') for s in state['services'].values())


def main(argv):
    event = parse(argv)
    # keepalived applies a reload when it gets to it: apply puts held weights back over the next seconds,
    # reading the state again each time (a check mended meanwhile releases the service).
    rounds = APPLY_ROUNDS if event['kind'] == 'apply' else [0]
    logs, failed, waited = [], 0, 0.0
    for at in rounds:
        time.sleep(max(0.0, at - waited))
        waited = at
        more, bad, holding = handle(event)
        logs, failed = logs + more, failed + bad
        if not holding:   # nothing (or nothing more) to put back: no more rounds
            break
    syslog.openlog('lvs-ha-depool-guard', 0, syslog.LOG_DAEMON)
    for line in logs:
        syslog.syslog(syslog.LOG_WARNING, line)
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
