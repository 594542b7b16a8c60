"""Online payments on the web: Stripe's webhook endpoint, and the provider the app is given."""
