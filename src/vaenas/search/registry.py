"""The registry of search strategies, by the name a user types."""

from vaenas.registry import Registry
from vaenas.search.base import Strategy

STRATEGIES: Registry[type[Strategy]] = Registry("strategy")
