"""Drives lambda-sandbox serve with boto3 and prints what it saw as one JSON object.

Usage: boto3_serve.py <endpoint>
"""
import io
import json
import sys
import zipfile

import boto3
from botocore.exceptions import ClientError

endpoint = sys.argv[1]
client = boto3.client(
    "lambda", endpoint_url=endpoint, region_name="us-east-1",
    aws_access_key_id="test", aws_secret_access_key="test",
)

code = io.BytesIO()
with zipfile.ZipFile(code, "w") as zf:
    # Lambda runs the code as a non-root user: the file must be readable by others, as with real Lambda.
    entry = zipfile.ZipInfo("app.js")
    entry.external_attr = 0o100644 << 16
    zf.writestr(entry, "exports.handler = async (event) => ({ echo: event, from: 'boto3' });\n")

results = {}
created = client.create_function(
    FunctionName="py-client", Runtime="nodejs22.x", Handler="app.handler",
    Role="arn:aws:iam::123456789012:role/x", Code={"ZipFile": code.getvalue()},
)
results["created_state"] = created["State"]
client.get_waiter("function_active_v2").wait(FunctionName="py-client", WaiterConfig={"Delay": 1, "MaxAttempts": 30})
results["active_state"] = client.get_function(FunctionName="py-client")["Configuration"]["State"]

answer = client.invoke(FunctionName="py-client", Payload=json.dumps({"n": 1}), LogType="Tail")
results["invoke"] = {
    "status": answer["StatusCode"],
    "payload": json.loads(answer["Payload"].read()),
    "executed_version": answer["ExecutedVersion"],
    "has_log": "REPORT RequestId" in __import__("base64").b64decode(answer["LogResult"]).decode(),
}

results["stream"] = None
if hasattr(client, "invoke_with_response_stream"):
    stream = client.invoke_with_response_stream(FunctionName="py-client", Payload=json.dumps({"n": 2}))
    chunks = []
    complete = None
    for event in stream["EventStream"]:
        if "PayloadChunk" in event:
            chunks.append(event["PayloadChunk"]["Payload"])
        if "InvokeComplete" in event:
            complete = event["InvokeComplete"]
    results["stream"] = {"payload": json.loads(b"".join(chunks)), "complete": complete is not None}

results["functions"] = sorted(f["FunctionName"] for f in client.list_functions()["Functions"])
page = client.list_functions(MaxItems=1)
results["page"] = {"count": len(page["Functions"]), "has_marker": "NextMarker" in page}

errors = {}
try:
    client.get_function(FunctionName="no-such-function")
except ClientError as error:
    errors["missing"] = {"code": error.response["Error"]["Code"], "message": error.response["Error"]["Message"],
                         "status": error.response["ResponseMetadata"]["HTTPStatusCode"]}
try:
    client.create_function(FunctionName="py-client", Runtime="nodejs22.x", Handler="app.handler",
                           Role="arn:aws:iam::123456789012:role/x", Code={"ZipFile": code.getvalue()})
except ClientError as error:
    errors["duplicate"] = {"code": error.response["Error"]["Code"], "status": error.response["ResponseMetadata"]["HTTPStatusCode"]}
try:
    client.update_function_configuration(FunctionName="py-client", Timeout=901)
except ClientError as error:
    errors["timeout"] = {"code": error.response["Error"]["Code"], "message": error.response["Error"]["Message"]}
results["errors"] = errors
results["boto3"] = boto3.__version__
print(json.dumps(results))
