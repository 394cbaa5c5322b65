"""mlquiz: practice, solve and check the hand-calculated problems of an ML exam."""

__version__ = "0.1.0"
