"""Makes an installed package look missing, as on a machine without an optional extra."""

import builtins
import sys


def hide_package(monkeypatch, package):
    real_import = builtins.__import__

    def without_package(name, *args, **kwargs):
        if name == package or name.startswith(package + "."):
            raise ImportError(name)
        return real_import(name, *args, **kwargs)

    monkeypatch.delitem(sys.modules, package, raising=False)
    monkeypatch.setattr(builtins, "__import__", without_package)
