#!/usr/bin/env python
"""Django's usual entry point; `commonground` (the installed console script) does the same."""

from commonground.cli import main

if __name__ == "__main__":
    main()
