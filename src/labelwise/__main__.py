"""``python -m labelwise``: the ``labelwise`` command (:func:`labelwise.cli.main`)."""

from labelwise.cli import main

if __name__ == "__main__":
    main(prog_name="labelwise")
