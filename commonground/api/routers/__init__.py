"""One router per area of the API. Each endpoint reads through selectors and writes through services."""
