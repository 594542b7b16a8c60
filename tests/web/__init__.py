"""Web tests with the Flask test client."""
