"""Calls the sandbox's Invoke API with boto3 and prints what boto3 returned, as JSON, for the mocha suite to check.

Usage: boto3_invoke.py ENDPOINT FUNCTION_NAME [STREAMING_ENDPOINT]
"""
import base64
import json
import sys

import boto3
from botocore.config import Config


def client(endpoint):
    return boto3.client(
        "lambda",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id="AKIDEXAMPLE",
        aws_secret_access_key="not-a-real-secret",
        config=Config(retries={"max_attempts": 1}),
    )


def invoke(lam, **kwargs):
    out = lam.invoke(**kwargs)
    payload = out.pop("Payload").read().decode("utf-8")
    out.pop("ResponseMetadata", None)
    out["Payload"] = payload
    return out


def main():
    endpoint, name = sys.argv[1], sys.argv[2]
    lam = client(endpoint)
    results = {"boto3": boto3.__version__}
    results["request_response"] = invoke(lam, FunctionName=name, Payload=json.dumps({"n": 1}))
    results["event"] = invoke(lam, FunctionName=name, InvocationType="Event", Payload=b"{}")
    results["dry_run"] = invoke(lam, FunctionName=name, InvocationType="DryRun", Payload=b"{}")
    tail = invoke(lam, FunctionName=name, LogType="Tail", Payload=json.dumps({"action": "log"}))
    tail["LogResult"] = base64.b64decode(tail.get("LogResult", "")).decode("utf-8")
    results["tail"] = tail
    context = base64.b64encode(json.dumps({"custom": {"tenant": "acme"}}).encode()).decode()
    results["client_context"] = invoke(lam, FunctionName=name, ClientContext=context, Payload=json.dumps({"action": "context"}))
    results["function_error"] = invoke(lam, FunctionName=name, Payload=json.dumps({"action": "fail", "message": "boto3 sees this"}))
    try:
        lam.invoke(FunctionName="no-such-function", Payload=b"{}")
        results["not_found"] = {"raised": None}
    except lam.exceptions.ResourceNotFoundException as error:
        results["not_found"] = {
            "raised": type(error).__name__,
            "code": error.response["Error"]["Code"],
            "message": error.response["Error"].get("Message", ""),
            "status": error.response["ResponseMetadata"]["HTTPStatusCode"],
        }

    if len(sys.argv) > 3:
        streaming = client(sys.argv[3])
        if hasattr(streaming, "invoke_with_response_stream"):
            out = streaming.invoke_with_response_stream(FunctionName=name, Payload=b"{}")
            chunks, complete = [], None
            for event in out["EventStream"]:
                if "PayloadChunk" in event:
                    chunks.append(event["PayloadChunk"]["Payload"].decode("utf-8"))
                if "InvokeComplete" in event:
                    complete = event["InvokeComplete"]
            results["stream"] = {"StatusCode": out["StatusCode"], "chunks": chunks, "complete": complete}
        else:
            results["stream"] = {"unsupported": "this botocore has no invoke_with_response_stream"}

    json.dump(results, sys.stdout)


if __name__ == "__main__":
    main()
