"""An organisation's dashboard: the first page inside its books."""
