"""Start a blog post through publishing: python -m starters.blog --help"""

from __future__ import annotations

from starters.common import parser, start
from valuechain.models.blog import BlogInput, BlogRequest
from valuechain.process import run_command
from workflows.blog import BlogPublishing

FIELDS = ["title", "slug", "writer", "draft_location", "max_send_backs"]


def main(argv: list[str] | None = None) -> int:
    p = parser("Submit a blog draft for review, images, scheduling and publication.")
    p.add_argument("--title")
    p.add_argument("--slug", help="URL name, lowercase words joined by '-'")
    p.add_argument("--writer", help="who wrote it (a roster name)")
    p.add_argument("--draft", dest="draft_location", help="where the draft is")
    p.add_argument("--max-send-backs", dest="max_send_backs", type=int)
    args = p.parse_args(argv)
    return start(args, BlogPublishing.run, BlogRequest, BlogInput, FIELDS, "blog")


if __name__ == "__main__":
    run_command(main)
