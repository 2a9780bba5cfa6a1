"""`python -m storeshift`: the same as the storeshift command."""

from storeshift.cli import main

if __name__ == "__main__":
    main(prog_name="storeshift")
