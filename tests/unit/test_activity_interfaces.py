"""Workflows run activities through their interfaces in contracts/ (so no workflow imports the
database or the mail code); the worker registers the implementations in activities/. Each
implementation answers to its interface's activity names with the interface's signature, or a
workflow's call would reach no activity, or the wrong payload."""

import inspect
from typing import Any

from core.db import Database
from core.settings import Settings
from tests.interfaces import activity_name, declared, every_interface
from workers.registry import activity_instances


def interface_of(group: object) -> type:
    (interface,) = [
        base for base in type(group).__mro__[1:] if base.__module__.startswith("contracts.")
    ]
    return interface


def test_every_registered_activity_implements_its_interface_by_name_and_signature(
    tmp_path: Any,
) -> None:
    db = Database(f"sqlite:///{tmp_path / 'unused.db'}")
    groups = activity_instances(db, Settings())
    implemented = set()
    for group in groups:
        interface = interface_of(group)
        stubs = declared(interface)
        names = {activity_name(bound) for bound in group.activities()}
        assert names == set(stubs), f"{type(group).__name__} registers {names}, not {set(stubs)}"
        for name, stub in stubs.items():
            implementation = getattr(type(group), stub.__name__)
            assert inspect.signature(implementation) == inspect.signature(stub), name
        implemented.add(interface)
    assert implemented == every_interface()
