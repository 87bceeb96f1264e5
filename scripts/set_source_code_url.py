"""Add SourceCodeUrl to a packaged template's AWS::ServerlessRepo::Application metadata.

`make publish` runs it between `sam package` and `sam publish`: the repository's public address
is known only to whoever publishes, SAR takes no intrinsic functions in this metadata, and
`sam publish` has no option for it. `sam package` writes every intrinsic in its long form
({"Ref": ...}), so the packaged template reads and writes back as plain YAML.

    python scripts/set_source_code_url.py .aws-sam/packaged.yaml https://github.com/OWNER/REPO
"""

from __future__ import annotations

import sys
from pathlib import Path
from urllib.parse import urlsplit

import yaml

APPLICATION = "AWS::ServerlessRepo::Application"


def set_source_code_url(template: dict, url: str) -> dict:
    parts = urlsplit(url)
    if parts.scheme != "https" or not parts.netloc:
        raise ValueError(f"SOURCE_CODE_URL={url!r}: give the public repository's https:// address")
    try:
        metadata = template["Metadata"][APPLICATION]
    except (KeyError, TypeError):
        raise ValueError(f"the template has no Metadata.{APPLICATION}") from None
    metadata["SourceCodeUrl"] = url
    return template


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    path, url = Path(argv[0]), argv[1]
    try:
        template = set_source_code_url(yaml.safe_load(path.read_text()), url)
    except ValueError as exc:
        print(f"{path}: {exc}", file=sys.stderr)
        return 2
    path.write_text(yaml.safe_dump(template, sort_keys=False, width=120))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
