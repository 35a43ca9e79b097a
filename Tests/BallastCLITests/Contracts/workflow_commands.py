"""Every ballast command that YAML files run (GitHub Actions workflows' `run:` steps,
Kubernetes manifests' container args): [[subcommand, [--flags...]], ...]. Reads every
document (PyYAML), takes the scripts' strings, joins continued lines, and keeps each
`ballast SUBCOMMAND ...` that starts a shell command (not inside an echo)."""
import json
import re
import sys

import yaml

COMMAND = re.compile(r"(?:^|&&|\|\||;|\bthen\b|\bdo\b)\s*ballast\s+((?:report\s+)?[a-z][a-z-]*)([^\n;|&>]*)", re.M)


SCRIPTS = {"run", "args", "command"}  # a workflow step's script; a container's command line


def strings(node, wanted=False):
    if isinstance(node, str):
        if wanted:
            yield node
    elif isinstance(node, dict):
        for key, value in node.items():
            yield from strings(value, wanted or key in SCRIPTS)
    elif isinstance(node, list):
        for value in node:
            yield from strings(value, wanted)


found = []
for path in sys.argv[1:]:
    for document in yaml.safe_load_all(open(path)):
        for text in strings(document):
            for subcommand, rest in COMMAND.findall(text.replace("\\\n", " ")):
                found.append([" ".join(subcommand.split()), sorted(set(re.findall(r"(?<![\w-])--[a-z][a-z-]*", rest)))])
print(json.dumps(found))
