"""Workflows run activities through their interfaces in contracts/ (so no workflow imports the
database or the mail code); the worker registers the implementations in activities/. Each
implementation answers to its interface's activity names with the interface's signature, or a
workflow's call would reach no activity, or the wrong payload."""

import importlib
import inspect
from pkgutil import iter_modules
from typing import Any

from temporalio import activity

import contracts
from core.db import Database
from core.settings import Settings
from workers.registry import activity_instances


def activity_name(function: Any) -> str | None:
    definition = activity._Definition.from_callable(function)
    return definition.name if definition else None


def interface_of(group: object) -> type:
    (interface,) = [
        base for base in type(group).__mro__[1:] if base.__module__.startswith("contracts.")
    ]
    return interface


def declared(interface: type) -> dict[str, Any]:
    """The interface's activities by name."""
    return {
        name: function
        for function in vars(interface).values()
        if (name := activity_name(function)) is not None
    }


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


def every_interface() -> set[type]:
    """Every class of contracts/ that declares activities."""
    modules = [
        importlib.import_module(f"contracts.{m.name}") for m in iter_modules(contracts.__path__)
    ]
    return {
        value
        for module in modules
        for value in vars(module).values()
        if isinstance(value, type) and value.__module__ == module.__name__ and declared(value)
    }
