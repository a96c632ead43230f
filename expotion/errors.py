"""The one exception type users see: its message is printed as a single line by the CLI."""


class ExpotionError(Exception):
    """A problem with the input or the request, explained in one line for the user."""
