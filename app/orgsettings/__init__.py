"""Organisation settings: the owner's page for name, legal form, numbers, fiscal year, chart."""
