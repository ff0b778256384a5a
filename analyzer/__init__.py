"""interview-redflags: hear coverage talk versus outcomes talk in residency interview notes."""

__version__ = "0.1.0"
