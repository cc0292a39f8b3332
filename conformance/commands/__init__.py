"""The command line: argparse and handlers, nothing else."""
