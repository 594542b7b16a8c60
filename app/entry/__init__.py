"""Entering transactions the way people think of them, and correcting them afterwards."""
