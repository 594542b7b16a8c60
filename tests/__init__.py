"""The test suite: unit, service, web, browser, isolation and reliability tests."""
