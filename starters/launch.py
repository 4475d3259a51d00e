"""Start a product launch: python -m starters.launch --help"""

from __future__ import annotations

from starters.common import parser, start
from valuechain.models.parallel import LaunchInput, LaunchRequest
from valuechain.process import run_command
from workflows.launch import ProductLaunch

FIELDS = ["product", "owner", "launch_at"]


def main(argv: list[str] | None = None) -> int:
    p = parser(
        "Launch a product: marketing, sales and support prepare at once (other branches:"
        ' "branches" in --input), then it launches at --launch-at.'
    )
    p.add_argument("--product")
    p.add_argument("--owner", help="a roster name")
    p.add_argument("--launch-at", dest="launch_at", help="ISO 8601 with zone")
    args = p.parse_args(argv)
    return start(args, ProductLaunch.run, LaunchRequest, LaunchInput, FIELDS, "launch")


if __name__ == "__main__":
    run_command(main)
