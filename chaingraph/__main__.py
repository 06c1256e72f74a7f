"""Run the command-line interface: ``python -m chaingraph``."""
from chaingraph.cli import cli

if __name__ == "__main__":
    cli()
