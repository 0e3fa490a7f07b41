"""``python -m matching candidates|solve FILE.json`` (``-`` reads stdin)."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence

from matching.instance import InstanceError, parse_instance
from matching.results import candidates_to_json, solution_to_json
from matching.solver import candidates, solve

EXIT_BAD_INSTANCE = 2


def _read(path: str) -> object:
    try:
        if path == "-":
            text = sys.stdin.read()
        else:
            with open(path, encoding="utf-8") as handle:
                text = handle.read()
    except OSError as error:
        raise InstanceError(path, f"cannot read: {error.strerror or error}") from None
    except UnicodeDecodeError:
        raise InstanceError(path, "is not UTF-8 text") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise InstanceError(
            "instance", f"invalid JSON at line {error.lineno} column {error.colno}: {error.msg}"
        ) from None
    except RecursionError:
        raise InstanceError("instance", "invalid JSON: nested too deeply") from None


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status (0 ok, 2 bad instance)."""
    parser = argparse.ArgumentParser(prog="python -m matching", description=__doc__)
    parser.add_argument("command", choices=("candidates", "solve"))
    parser.add_argument("instance", help="instance JSON file, or - for stdin")
    parser.add_argument("--no-prune", action="store_true", help="never prune (solve only)")
    parser.add_argument(
        "--timings", action="store_true", help="add wall-clock timings to stats (solve only)"
    )
    args = parser.parse_args(argv)
    try:
        instance = parse_instance(_read(args.instance))
    except InstanceError as error:
        print(str(error).replace("\n", " "), file=sys.stderr)
        return EXIT_BAD_INSTANCE
    if args.command == "candidates":
        document = candidates_to_json(candidates(instance))
    else:
        solution = solve(instance, prune=False if args.no_prune else None)
        document = solution_to_json(solution, timings=args.timings)
    try:
        json.dump(document, sys.stdout, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
        sys.stdout.write("\n")
        sys.stdout.flush()
    except BrokenPipeError:  # the reader went away (e.g. `| head`): not an error of ours
        sys.stderr.close()
    return 0
