#!/usr/bin/env python3
"""Benchmark the blue/green switch against a private local emulator (not part of make test).

Starts its own emulator on a free 127.0.0.1 port, creates two AVAILABLE MWAA environments
(`{project_name}-blue-local`, `{project_name}-green-local` of inventories/local) and the
active-color parameter holding `blue`, then runs playbooks/switch.yml -i inventories/local
N times, alternating green/blue. For each run it records:

  flip      the module's duration_ms (the PutParameter round trip)
  module    the module's total_duration_ms (preflight reads + flip)
  playbook  wall time of the whole ansible-playbook process

and prints median/min/max of each. Every run must report switched: True.

    .venv/bin/python scripts/bench-switch.py [--switches 10]
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from conftest import start_local_aws  # noqa: E402  (the tests' emulator launcher: free port, bounded start)

BIN = Path(sys.executable).parent
PROJECT, ENV = "lineage", "local"  # inventories/local
PARAMETER = f"/mwaa/{PROJECT}/{ENV}/blue-green/active-environment"
FLIP_RE = re.compile(r"flip \(PutParameter\) duration: ([0-9.]+) ms")
MODULE_RE = re.compile(r"module duration: ([0-9.]+) ms")


def summary(name, values, unit):
    return (f"{name:<32} median {statistics.median(values):9.1f} {unit}   "
            f"min {min(values):9.1f} {unit}   max {max(values):9.1f} {unit}")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--switches", type=int, default=10, help="number of switches (at least 10)")
    args = parser.parse_args()
    if args.switches < 10:
        parser.error("--switches must be at least 10")

    with tempfile.TemporaryDirectory(prefix="bench-switch-") as tmp:
        local_aws = start_local_aws(Path(tmp) / "local-aws.log", extra_args=["--quiet"])
        try:
            prereq = local_aws.mwaa_prerequisites(prefix="bench", cidr="10.90.0.0/16")
            mwaa = local_aws.client("mwaa")
            names = [f"{PROJECT}-{color}-{ENV}" for color in ("blue", "green")]
            for name in names:
                mwaa.create_environment(Name=name, **prereq)
            deadline = time.monotonic() + 30
            while any(mwaa.get_environment(Name=n)["Environment"]["Status"] != "AVAILABLE" for n in names):
                if time.monotonic() > deadline:
                    raise SystemExit("bench: emulated environments did not become AVAILABLE in 30 s")
                time.sleep(0.3)
            local_aws.client("ssm").put_parameter(Name=PARAMETER, Value="blue", Type="String")

            env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_ENDPOINT_URL")}
            env.update(LOCAL_AWS_PORT=str(local_aws.port), ANSIBLE_CONFIG=str(ROOT / "ansible.cfg"),
                       ANSIBLE_NOCOLOR="1", AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing",
                       PATH=f"{BIN}{os.pathsep}{env.get('PATH', '')}")
            flips, modules, walls = [], [], []
            for i in range(args.switches):
                target = "green" if i % 2 == 0 else "blue"
                t0 = time.monotonic()
                proc = subprocess.run(
                    [str(BIN / "ansible-playbook"), "playbooks/switch.yml", "-i", "inventories/local",
                     "-e", f"target={target}", "-e", "blue_green_enabled=true"],
                    cwd=ROOT, env=env, capture_output=True, text=True, timeout=300, check=False,
                )
                wall = time.monotonic() - t0
                out = proc.stdout + proc.stderr
                if proc.returncode != 0 or "switched: True" not in out:
                    raise SystemExit(f"bench: switch {i + 1} to {target} failed (rc {proc.returncode}):\n{out[-4000:]}")
                flips.append(float(FLIP_RE.search(out).group(1)))
                modules.append(float(MODULE_RE.search(out).group(1)))
                walls.append(wall * 1000.0)
                print(f"switch {i + 1:2d} -> {target:<5}  flip {flips[-1]:7.1f} ms  module {modules[-1]:7.1f} ms  "
                      f"playbook {walls[-1]:8.1f} ms", flush=True)
            history = local_aws.client("ssm").get_parameter_history(Name=PARAMETER)["Parameters"]
            assert len(history) == args.switches + 1, "every switch must be exactly one PutParameter"
        finally:
            local_aws.stop()

    print()
    print(f"{args.switches} switches against the local emulator (inventories/local, {PARAMETER})")
    print(summary("module flip (PutParameter)", flips, "ms"))
    print(summary("module total (preflight + flip)", modules, "ms"))
    print(summary("playbooks/switch.yml wall time", walls, "ms"))


if __name__ == "__main__":
    main()
