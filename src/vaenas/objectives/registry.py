"""The registry of objectives, by the name a user types."""

from vaenas.objectives.base import Objective
from vaenas.registry import Registry

OBJECTIVES: Registry[type[Objective]] = Registry("objective")
