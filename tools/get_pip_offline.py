"""Offline stand-in for ansible-test's get-pip bootstrap script.

ansible-test seeds each sanity virtualenv by running a get-pip script it
downloads from Ansible's CI file server, which this network cannot reach. It
uses a cached copy first, so `make sanity` installs this file there. It runs
ensurepip in a subprocess (in-process ensurepip sets PIP_CONFIG_FILE=/dev/null
and pip loses the machine's index settings), then installs the requested
packages with the new pip.
"""
import subprocess
import sys

DROPPED = {"--no-setuptools", "--no-wheel"}


def main():
    subprocess.check_call([sys.executable, "-m", "ensurepip", "--upgrade", "--default-pip"])
    args = [a for a in sys.argv[1:] if a not in DROPPED]
    subprocess.check_call([sys.executable, "-m", "pip", "install", "--upgrade"] + args)


if __name__ == "__main__":
    main()
