"""``dynode doctor --host ID``: is this environment and this checkout ready for a host?

The command is generic: what to check for a host lives with its adapter, registered through
the ``dynode_register_doctors`` hook (see :mod:`dynode_plugin.hookspecs`). A doctor is a class
with ``id``, ``summary``, ``root_env`` (the environment variable that names the checkout, read
when ``--root`` is not given) and ``checks(root)``, which yields :class:`Check` rows. Every row
that is not fine names its fix; the command prints the rows and exits 1 when any row failed,
0 otherwise (warnings included), so a user can run it, follow the ``fix:`` lines and run it
again until it passes.
"""
from __future__ import annotations

import dataclasses
import json
import os
from pathlib import Path
from typing import Iterable, Iterator, List, Optional

import click

from .plugins import hookimpl

OK, WARN, FAIL = "ok", "warn", "fail"


@dataclasses.dataclass(frozen=True)
class Check:
    """One finding: what was checked, its status (``ok``/``warn``/``fail``), what was found,
    and for anything not ``ok`` the one thing to do about it."""

    name: str
    status: str
    detail: str
    fix: str = ""

    def __post_init__(self):
        if self.status not in (OK, WARN, FAIL):
            raise ValueError(f"status must be ok, warn or fail, got {self.status!r}")
        if self.status != OK and not self.fix:
            raise ValueError(f"check '{self.name}' is {self.status} and names no fix")


class Doctor:
    """Base class of host doctors (register subclasses through ``dynode_register_doctors``)."""

    id: str = ""
    summary: str = ""
    root_env: str = ""  # e.g. DYNODE_STIT_ROOT
    root_option: str = "--root"

    def checks(self, root: Optional[Path]) -> Iterator[Check]:
        """Yield the checks for the checkout at ``root`` (None: none was given)."""
        raise NotImplementedError


def run_checks(doctor: Doctor, root: Optional[Path]) -> List[Check]:
    """All of a doctor's checks; a check that raises is reported as a failure, not a traceback."""
    out: List[Check] = []
    it = iter(doctor.checks(root))
    while True:
        try:
            out.append(next(it))
        except StopIteration:
            return out
        except Exception as exc:  # a doctor must always finish and say something useful
            out.append(Check("doctor", FAIL, f"the {doctor.id} checks stopped: {type(exc).__name__}: {exc}",
                             "report this (DYNODE_DEBUG=1 shows the traceback)"))
            if os.environ.get("DYNODE_DEBUG"):
                raise
            return out


def format_checks(checks: Iterable[Check]) -> str:
    lines = []
    for c in checks:
        lines.append(f"  {c.status.upper() if c.status != OK else 'ok':<5} {c.name}: {c.detail}")
        if c.fix:
            lines.append(f"        fix: {c.fix}")
    return "\n".join(lines)


@click.command("doctor")
@click.option("--host", "host_id", required=True, help="Which host to check: stit, lt, tcsve (see `dynode plugins`).")
@click.option("--root", type=click.Path(file_okay=False), default=None,
              help="Your checkout of the host (default: the host's $DYNODE_<HOST>_ROOT).")
@click.option("--json", "as_json", is_flag=True, help="Print the checks as JSON instead of text.")
def doctor_cmd(host_id, root, as_json):
    """Check the Python environment and a host checkout; say what to fix.

    \b
    Checks what the host's scripts import (and whether it imports here), torch/torchvision,
    the checkout's files and weights, and the CUDA or CPU path. Exit code 0: ready
    (warnings are things that work but you may want to know); 1: some check failed,
    each failure with a `fix:` line. Example: dynode doctor --host stit --root ~/STIT
    """
    from .plugins import get_registry

    doctor = get_registry().get("doctors", host_id)()
    given = root or (os.environ.get(doctor.root_env) if doctor.root_env else None) or None
    path = Path(given).expanduser().resolve() if given else None
    checks = run_checks(doctor, path)
    failed = [c for c in checks if c.status == FAIL]
    warned = [c for c in checks if c.status == WARN]
    if as_json:
        click.echo(json.dumps({"host": doctor.id, "root": str(path) if path else None, "ok": not failed,
                               "checks": [dataclasses.asdict(c) for c in checks]}, indent=2))
    else:
        where = str(path) if path else f"no checkout given ({doctor.root_option} or ${doctor.root_env})"
        click.echo(f"dynode doctor --host {doctor.id}: {where}")
        click.echo(format_checks(checks))
        if failed:
            click.echo(f"{len(failed)} problem(s), {len(warned)} warning(s): do what the fix: lines say, "
                       f"then run `dynode doctor --host {doctor.id}` again.")
        else:
            click.echo(f"ready ({len(warned)} warning(s)).")
    if failed:
        click.get_current_context().exit(1)


@hookimpl
def dynode_register_commands(cli):
    cli.add_command(doctor_cmd)
