"""Signs recorded requests again with botocore's SigV4 signer and compares signatures.

For the services the tests' moto cannot authenticate (Lambda, Secrets Manager, API Gateway): the same
method, URL, signed headers, body, time and key through botocore must give the signature
ballast sent. Reads JSON lines as check_requests.py does; argv: access key id, secret, and
the signing names to check. Prints one line per request ("ok" or the mismatch); exit 1 on
any mismatch.
"""
import base64, json, re, sys
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

key_id, secret, services = sys.argv[1], sys.argv[2], set(sys.argv[3].split(","))
mismatches = 0
for line in sys.stdin:
    request = json.loads(line)
    headers = request["headers"]
    match = re.match(r"AWS4-HMAC-SHA256 Credential=([^/]+)/(\d+)/([^/]+)/([^/]+)/aws4_request, "
                     r"SignedHeaders=([^,]+), Signature=([0-9a-f]+)", headers.get("authorization", ""))
    if not match or match.group(4) not in services:
        continue
    _, _, region, service, signed, signature = match.groups()
    names = signed.split(";")
    aws = AWSRequest(method=request["method"], url="http://" + headers["host"] + request["target"],
                     data=base64.b64decode(request["body"]), headers={n: headers[n] for n in names if n in headers})
    aws.context["timestamp"] = headers["x-amz-date"]
    auth = SigV4Auth(Credentials(key_id, secret), service, region)
    expected = auth.signature(auth.string_to_sign(aws, auth.canonical_request(aws)), aws)
    same = expected == signature
    mismatches += 0 if same else 1
    print(("ok " if same else "MISMATCH ") + f"{service} {request['method']} {request['target']}"
          + ("" if same else f": botocore {expected}, ballast {signature}"))
sys.exit(1 if mismatches else 0)
