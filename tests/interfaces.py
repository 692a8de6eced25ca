"""The activities' interfaces in contracts/: every class declaring activities, and its activities
by name (what the worker registers implementations of, and test doubles stand in for)."""

import importlib
from pkgutil import iter_modules
from typing import Any

from temporalio import activity

import contracts


def activity_name(function: Any) -> str | None:
    definition = activity._Definition.from_callable(function)
    return definition.name if definition else None


def declared(interface: type) -> dict[str, Any]:
    """The interface's activities by name."""
    return {
        name: function
        for function in vars(interface).values()
        if (name := activity_name(function)) is not None
    }


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
