"""checkov's exceptions are inline, with a reason, and the baseline holds exactly the skipped blocks.

checkov 3.3.30 ignores `# checkov:skip=` on an Ansible `block:` (bridgecrewio/checkov#7501), so
`make lint` also reads .checkov.baseline. These tests keep the baseline and the inline comments
in step: no block is waived without a reason next to it, and no inline block skip goes unused.
"""

import json
import pathlib
import re

ROOT = pathlib.Path(__file__).resolve().parents[2]
SKIP = re.compile(r"#\s*checkov:skip=([A-Z0-9_]+)(?::(.*))?$")
SCANNED = ["roles", "molecule", "playbooks", "site.yml"]


def _yaml_files():
    for top in SCANNED:
        path = ROOT / top
        yield from ([path] if path.is_file() else sorted(path.rglob("*.yml")))


def _inline_block_skips():
    """{(file, block name, check id): reason} for skip comments between `- name:` and `block:`."""
    found = {}
    for path in _yaml_files():
        lines = path.read_text().splitlines()
        for i, line in enumerate(lines):
            head = re.match(r"^(\s*)- name: (.+?)\s*$", line)
            if not head:
                continue
            key_indent = " " * (len(head.group(1)) + 2)
            comments, j = [], i + 1
            # The task's own keys (deeper lines are their values) until `block:` or the next task.
            while j < len(lines) and lines[j].startswith(key_indent):
                if lines[j] == key_indent + "block:":
                    rel = "/" + str(path.relative_to(ROOT))
                    for cid, reason in comments:
                        found[(rel, head.group(2), cid)] = reason
                    break
                skip = SKIP.search(lines[j])
                if skip:
                    comments.append((skip.group(1), (skip.group(2) or "").strip()))
                j += 1
    return found


def _baseline():
    data = json.loads((ROOT / ".checkov.baseline").read_text())
    return {
        (entry["file"], re.sub(r"^(block\.)+", "", finding["resource"]), cid)
        for entry in data["failed_checks"]
        for finding in entry["findings"]
        for cid in finding["check_ids"]
    }


def test_every_baseline_entry_has_an_inline_skip_with_a_reason():
    inline = _inline_block_skips()
    missing = sorted(b for b in _baseline() if not inline.get(b))
    assert not missing, f"baseline entries without an inline `# checkov:skip=ID:reason` on the block: {missing}"


def test_every_inline_block_skip_is_in_the_baseline():
    unused = sorted(set(_inline_block_skips()) - _baseline())
    assert not unused, f"inline block skips checkov would ignore (add them to .checkov.baseline): {unused}"


def test_every_skip_comment_gives_a_reason():
    bare = [
        f"{path.relative_to(ROOT)}:{n}"
        for path in _yaml_files()
        for n, line in enumerate(path.read_text().splitlines(), 1)
        if (m := SKIP.search(line)) and not (m.group(2) or "").strip()
    ]
    assert not bare, f"checkov skips without a reason: {bare}"
