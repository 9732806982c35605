"""`python -m cloudfiles`: the cloudfiles command line."""
from .entrypoints.cli import main

if __name__ == "__main__":
    main(prog_name="cloudfiles")
