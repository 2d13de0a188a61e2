"""``python -m adcli`` and the ``adcli`` script: one command, then the process ends."""

from . import collector

# Said before the command line loads, so that what loads is frozen, never
# scanned by the collector again (adcli/collector.py).
collector.one_command_process()

from .cli.main import main  # noqa: E402

if __name__ == "__main__":
    main()
