"""The registry of search spaces, by the name a user types."""

from vaenas.registry import Registry
from vaenas.spaces.base import SearchSpace

SPACES: Registry[type[SearchSpace]] = Registry("space")
