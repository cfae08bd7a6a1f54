"""`make bench`: a large dataset, the obligations sweep and the busiest pages, timed."""
