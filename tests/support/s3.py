"""A real S3-protocol server on loopback for the object-storage tests: moto's standalone server (its threaded
HTTP server, speaking the S3 wire protocol on a free port), buckets on it, and settings pointing at them."""
from __future__ import annotations

import dataclasses
import uuid
from contextlib import contextmanager
from typing import Iterator

import boto3
from moto.server import ThreadedMotoServer

from server.settings import Settings

REGION = "us-east-1"
KEY_ID, SECRET = "curbside-test", "curbside-test-secret"


@contextmanager
def s3_server() -> Iterator[str]:
    """The server's endpoint URL while the block runs."""
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    try:
        host, port = server.get_host_and_port()
        yield f"http://{host}:{port}"
    finally:
        server.stop()


def client(endpoint: str):
    return boto3.client("s3", endpoint_url=endpoint, region_name=REGION, aws_access_key_id=KEY_ID,
                        aws_secret_access_key=SECRET)


def new_bucket(endpoint: str) -> str:
    name = f"curbside-{uuid.uuid4().hex[:12]}"
    client(endpoint).create_bucket(Bucket=name)
    return name


def objects(endpoint: str, bucket: str, prefix: str = "") -> dict[str, bytes]:
    s3 = client(endpoint)
    listed = s3.list_objects_v2(Bucket=bucket, Prefix=prefix).get("Contents", [])
    return {item["Key"]: s3.get_object(Bucket=bucket, Key=item["Key"])["Body"].read() for item in listed}


def env(endpoint: str, bucket: str) -> dict[str, str]:
    """The CURBSIDE_* settings of a process storing in `bucket`."""
    return {"CURBSIDE_MEDIA_STORAGE": "s3", "CURBSIDE_S3_ENDPOINT": endpoint, "CURBSIDE_S3_BUCKET": bucket,
            "CURBSIDE_S3_REGION": REGION, "CURBSIDE_S3_ACCESS_KEY_ID": KEY_ID,
            "CURBSIDE_S3_SECRET_ACCESS_KEY": SECRET}


def with_bucket(settings: Settings, endpoint: str, bucket: str, public_url: str = "") -> Settings:
    return dataclasses.replace(settings, media_storage="s3", s3_endpoint=endpoint, s3_bucket=bucket,
                               s3_region=REGION, s3_access_key_id=KEY_ID, s3_secret_access_key=SECRET,
                               media_public_url=public_url)
