"""lienthong: an event-driven integration bus for a province's shared databases."""

__all__ = ["__version__"]

__version__ = "0.1.0"
