"""Every ballast command the example workflows run: [[subcommand, [--flags...]], ...].
Reads each workflow's steps (PyYAML), joins continued lines, and takes each
`ballast SUBCOMMAND ...` that starts a shell command (not inside an echo)."""
import json
import re
import sys

import yaml

COMMAND = re.compile(r"(?:^|&&|\|\||;|\bthen\b|\bdo\b)\s*ballast\s+([a-z][a-z-]*)([^\n;|&>]*)", re.M)
found = []
for path in sys.argv[1:]:
    workflow = yaml.safe_load(open(path))
    for job in workflow.get("jobs", {}).values():
        for step in job.get("steps", []):
            script = step.get("run", "").replace("\\\n", " ")
            for subcommand, rest in COMMAND.findall(script):
                found.append([subcommand, sorted(set(re.findall(r"(?<![\w-])--[a-z][a-z-]*", rest)))])
print(json.dumps(found))
