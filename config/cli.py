"""The `gendan` console script: Django's manage commands plus the project's own."""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.django.local")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["gendan", *sys.argv[1:]])


if __name__ == "__main__":
    main()
