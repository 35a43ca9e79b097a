"""Parses Prometheus text exposition from stdin with the reference client's parser
(prometheus_client) and prints every sample as JSON: [[name, labels, value], ...].
A malformed exposition raises, and the test fails with its message."""
import json
import sys

from prometheus_client.parser import text_string_to_metric_families

samples = []
for family in text_string_to_metric_families(sys.stdin.read()):
    for sample in family.samples:
        samples.append([sample.name, sample.labels, sample.value])
print(json.dumps(samples))
