#!/usr/bin/env python
import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    from django.core.management import execute_from_command_line

    from config.env import MissingSettingError

    try:
        execute_from_command_line(sys.argv)
    except MissingSettingError as error:
        sys.exit(f"resonanz: {error}")


if __name__ == "__main__":
    main()
