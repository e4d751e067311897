"""Runs ORB's real CLI in this process against moto, one run spec at a time.

Reads run specs as JSON lines on standard input and answers each with one JSON line on standard output:
every botocore call ORB made (with its parameters and outcome), the template ORB provisioned from, ORB's
warnings and errors, each command's exit status and output, and what the mock account holds before and
after. ORB and moto are imported once; each run gets a fresh mock account, a fresh ORB container and fresh
folders, so one process serves many runs (ORB's start-up is paid once).

This file judges nothing: suite.py does. It imports ORB, so it runs inside the suite's virtualenv.
"""

import asyncio
import contextlib
import io
import json
import logging
import os
import shutil
import sys
import tempfile
import time
import traceback

import boto3
import botocore.client
from moto import mock_aws
from moto.core.authorization import disable_iam_authentication, enable_iam_authentication

import fidelity

REGION = "us-east-1"
ACCOUNT = "123456789012"  # moto's default account
# ORB's packaged default image (aws_defaults.json), which moto ships among its public parameters.
DEFAULT_IMAGE_PARAMETER = "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-6.1-x86_64"

# Found once by the parent before any fork: an Amazon image the mock knows.
_warm = {}

# Filled while ORB runs; the harness's own set-up and inspection calls are not recorded.
_record = {"on": False, "calls": [], "provisioned": [], "logs": []}


def _json_safe(value):
    return json.loads(json.dumps(value, default=str))


def _install_recorders():
    """Wraps the one method every botocore call goes through, ORB's provisioning entry point and the
    logging call every ORB logger ends in."""
    make_api_call = botocore.client.BaseClient._make_api_call

    def recorded(self, operation, params):
        if not _record["on"]:
            return make_api_call(self, operation, params)
        entry = {
            "service": self.meta.service_model.service_name,
            "signing": self.meta.service_model.signing_name,
            "operation": operation,
            "params": _json_safe(params),
            "region": self.meta.region_name,
        }
        _record["calls"].append(entry)
        try:
            response = make_api_call(self, operation, params)
        except botocore.exceptions.ClientError as e:
            entry["error"] = e.response.get("Error", {}).get("Code", "ClientError")
            raise
        except Exception as e:  # noqa: BLE001 - recorded, then re-raised unchanged
            entry["error"] = type(e).__name__
            raise
        entry["response"] = _summarise(operation, response)
        return response

    botocore.client.BaseClient._make_api_call = recorded

    from orb.providers.aws.infrastructure.adapters.aws_provisioning_adapter import (
        AWSProvisioningAdapter,
    )
    from orb.providers.aws.domain.template.aws_template_aggregate import AWSTemplate

    provision = AWSProvisioningAdapter._provision_via_handlers

    def provisioned(self, request, template, *args, **kwargs):
        # What the handlers get: ORB converts the scheduler's template the same way (model_dump, then
        # AWSTemplate.model_validate), so fields the scheduler dropped are gone here too.
        try:
            given = template.model_dump(mode="json")
            aws = template if isinstance(template, AWSTemplate) else AWSTemplate.model_validate(given)
            _record["provisioned"].append(
                {"given_type": type(template).__name__, "template": aws.model_dump(mode="json")}
            )
        except Exception as e:  # noqa: BLE001 - a failed dump is recorded, ORB still runs
            _record["provisioned"].append({"error": f"{type(e).__name__}: {e}"})
        return provision(self, request, template, *args, **kwargs)

    AWSProvisioningAdapter._provision_via_handlers = provisioned

    handle = logging.Logger.handle

    def handled(self, record):
        if _record["on"] and record.levelno >= logging.WARNING and not self.name.startswith(
            ("botocore", "boto3", "urllib3", "moto")
        ):
            _record["logs"].append(
                {"level": record.levelname, "logger": record.name, "message": record.getMessage()[:2000]}
            )
        return handle(self, record)

    logging.Logger.handle = handled


def _summarise(operation, response):
    """The parts of a response the suite reads (ids), not the whole document."""
    keep = {
        "CreateFleet": ("FleetId", "Errors"),
        "RequestSpotFleet": ("SpotFleetRequestId",),
        "CreateLaunchTemplate": ("LaunchTemplate",),
        "CreateLaunchTemplateVersion": ("LaunchTemplateVersion",),
        "RunInstances": ("ReservationId",),
    }.get(operation, ())
    return _json_safe({k: response.get(k) for k in keep if k in response})


def _run_cli(argv):
    """One ORB command, as `orb ARGV` would run it, with a fresh DI container."""
    from orb.cli.main import main as orb_main
    from orb.infrastructure.di.container import reset_container

    reset_container()
    sys.argv = ["orb", *argv]
    out, err = io.StringIO(), io.StringIO()
    code = 0
    started = time.monotonic()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            asyncio.run(orb_main())
        except SystemExit as e:
            code = e.code if isinstance(e.code, int) else (0 if e.code is None else 1)
        except BaseException:  # noqa: BLE001 - ORB crashing is a result, not the harness's failure
            code = 99
            traceback.print_exc(file=err)
    text = out.getvalue()
    try:
        parsed = json.loads(text)
    except ValueError:
        parsed = None
    return {
        "argv": argv,
        "exit": code,
        "seconds": round(time.monotonic() - started, 2),
        "output": parsed if parsed is not None else text[-4000:],
        "stderr": err.getvalue()[-4000:],
    }


def _request_id(output, prefix):
    if not isinstance(output, dict):
        return None
    for key in ("request_id", "requestId"):
        value = output.get(key)
        if isinstance(value, str) and value.startswith(prefix):
            return value
    return None


def _status_of(output):
    """(status, machine ids) of the first request in a `requests status` answer."""
    if not isinstance(output, dict):
        return None, []
    requests = output.get("requests") or []
    if not requests:
        return None, []
    first = requests[0]
    machines = first.get("machines") or []
    ids = [m.get("machine_id") or m.get("machineId") for m in machines]
    return first.get("status"), [i for i in ids if i]


FINAL = {"complete", "complete_with_error", "failed", "cancelled", "timeout", "partial"}


def _wait(request_id, polls, commands):
    status, machines = None, []
    for _ in range(polls):
        result = _run_cli(["requests", "status", request_id])
        commands.append(result)
        status, machines = _status_of(result["output"])
        if status in FINAL:
            break
    return status, machines


def _setup(setup):
    """Creates, as an administrator, what the scenario's files refer to; returns the placeholder values."""
    ec2 = boto3.client("ec2", region_name=REGION)
    iam = boto3.client("iam", region_name=REGION)
    ssm = boto3.client("ssm", region_name=REGION)
    subnet = ec2.describe_subnets()["Subnets"][0]
    sg = ec2.describe_security_groups(Filters=[{"Name": "group-name", "Values": ["default"]}])
    ami = _warm["ami"]
    values = {
        "SUBNET": subnet["SubnetId"],
        "SG": sg["SecurityGroups"][0]["GroupId"],
        # Files write an image as `ami-${AMI_ID}`, so orb-scan reads an AMI id where ORB gets the mock's.
        "AMI_ID": ami.removeprefix("ami-"),
        "ACCOUNT": ACCOUNT,
    }
    for role in setup.get("roles", []):
        iam.create_role(RoleName=role["name"], Path=role.get("path", "/"),
                        AssumeRolePolicyDocument=json.dumps(_trust(role.get("service", "ec2.amazonaws.com"))))
    for profile in setup.get("instance_profiles", []):
        iam.create_role(RoleName=profile["role"], AssumeRolePolicyDocument=json.dumps(_trust("ec2.amazonaws.com")))
        iam.create_instance_profile(InstanceProfileName=profile["name"])
        iam.add_role_to_instance_profile(InstanceProfileName=profile["name"], RoleName=profile["role"])
    for name in setup.get("ssm_parameters", []):
        ssm.put_parameter(Name=name, Value=ami, Type="String", DataType="aws:ec2:image")
    for lt in setup.get("launch_templates", []):
        created = ec2.create_launch_template(
            LaunchTemplateName=lt["name"],
            LaunchTemplateData={"ImageId": ami, "InstanceType": lt.get("instance_type", "t3.micro")},
        )
        values[lt.get("placeholder", "LT")] = created["LaunchTemplate"]["LaunchTemplateId"]
    return values


def _trust(service):
    return {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"}]}


def _principal(policy):
    iam = boto3.client("iam", region_name=REGION)
    iam.create_user(UserName="orb")
    iam.put_user_policy(UserName="orb", PolicyName="orb-scan", PolicyDocument=json.dumps(policy))
    key = iam.create_access_key(UserName="orb")["AccessKey"]
    return key["AccessKeyId"], key["SecretAccessKey"]


def _snapshot():
    """What ORB could leave behind: fleets, spot fleet requests, groups, launch templates, instances."""
    ec2 = boto3.client("ec2", region_name=REGION)
    asg = boto3.client("autoscaling", region_name=REGION)
    tags = lambda ts: {t["Key"]: t["Value"] for t in ts or []}  # noqa: E731
    return {
        "fleets": [
            {"id": f["FleetId"], "state": f["FleetState"], "type": f.get("Type"), "tags": tags(f.get("Tags"))}
            for f in ec2.describe_fleets()["Fleets"]
        ],
        "spot_fleets": [
            {"id": s["SpotFleetRequestId"], "state": s["SpotFleetRequestState"],
             "type": s["SpotFleetRequestConfig"].get("Type"), "tags": tags(s.get("Tags"))}
            for s in ec2.describe_spot_fleet_requests()["SpotFleetRequestConfigs"]
        ],
        "groups": [
            {"name": g["AutoScalingGroupName"], "tags": {t["Key"]: t["Value"] for t in g.get("Tags", [])},
             "instances": len(g.get("Instances", []))}
            for g in asg.describe_auto_scaling_groups()["AutoScalingGroups"]
        ],
        "launch_templates": [
            {"id": t["LaunchTemplateId"], "name": t["LaunchTemplateName"], "tags": tags(t.get("Tags")),
             "versions": t.get("LatestVersionNumber")}
            for t in ec2.describe_launch_templates()["LaunchTemplates"]
        ],
        "instances": [
            {"id": i["InstanceId"], "state": i["State"]["Name"], "tags": tags(i.get("Tags")),
             "profile": (i.get("IamInstanceProfile") or {}).get("Arn")}
            for r in ec2.describe_instances()["Reservations"] for i in r["Instances"]
        ],
    }


def _substitute(text, values):
    for key, value in values.items():
        text = text.replace("${" + key + "}", value)
    return text


@contextlib.contextmanager
def _environment(changes):
    saved = {k: os.environ.get(k) for k in changes}
    os.environ.update(changes)
    try:
        yield
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def _instant_sleeps():
    """ORB backs off between retries (up to 7 s a failed call); every retry is bounded by a count, not a
    clock, so in the forked run sleeping is skipped and only counted: the same calls, in less time."""
    slept = [0.0]

    def sleep(seconds):
        slept[0] += max(0.0, seconds)

    real_async_sleep = asyncio.sleep

    async def async_sleep(seconds, result=None):
        slept[0] += max(0.0, seconds)
        return await real_async_sleep(0, result)

    time.sleep = sleep
    asyncio.sleep = async_sleep
    return slept


def run(spec):
    slept = _instant_sleeps()
    work = tempfile.mkdtemp(prefix="orb-conformance-")
    _record.update(on=False, calls=[], provisioned=[], logs=[])
    commands = []
    result = {"name": spec["name"], "commands": commands}
    phases = result["phases"] = {}
    mark = time.monotonic()

    def phase(name):
        nonlocal mark
        now = time.monotonic()
        phases[name] = round(now - mark, 2)
        mark = now

    try:
        with disable_iam_authentication():
            phase("mock")
            values = result["values"] = _setup(spec.get("setup", {}))
            phase("setup")
            key_id, secret = _principal(spec["policy"])
            for rel, text in spec["files"].items():
                path = os.path.join(work, rel)
                os.makedirs(os.path.dirname(path), exist_ok=True)
                with open(path, "w") as f:
                    f.write(_substitute(text, values))
            result["before"] = _snapshot()
            phase("snapshot")
        with open(os.path.join(work, "credentials"), "w") as f:
            f.write(f"[default]\naws_access_key_id = {key_id}\naws_secret_access_key = {secret}\n")
        with open(os.path.join(work, "aws-config"), "w") as f:
            f.write(f"[default]\nregion = {REGION}\n")
        env = {
            "ORB_ROOT_DIR": work,
            "ORB_CONFIG_DIR": os.path.join(work, "config"),
            "ORB_WORK_DIR": os.path.join(work, "work"),
            "ORB_LOG_DIR": os.path.join(work, "logs"),
            "ORB_SCRIPTS_DIR": os.path.join(work, "scripts"),
            "ORB_CACHE_DIR": os.path.join(work, "cache"),
            "ORB_HEALTH_DIR": os.path.join(work, "health"),
            "AWS_ACCESS_KEY_ID": key_id,
            "AWS_SECRET_ACCESS_KEY": secret,
            "AWS_SHARED_CREDENTIALS_FILE": os.path.join(work, "credentials"),
            "AWS_CONFIG_FILE": os.path.join(work, "aws-config"),
            "AWS_DEFAULT_REGION": REGION,
        }
        os.environ.pop("AWS_PROFILE", None)
        os.environ.pop("AWS_SESSION_TOKEN", None)
        with _environment(env), enable_iam_authentication():
            _record["on"] = True
            polls = spec.get("polls", 3)
            req = _run_cli(["machines", "request", spec["template"], str(spec.get("count", 1))])
            commands.append(req)
            request_id = _request_id(req["output"], "req-")
            status, machines = _wait(request_id, polls, commands) if request_id else (None, [])
            result["request"] = {"id": request_id, "status": status, "machines": machines}
            if machines:
                ret = _run_cli(["machines", "return", *machines, "--force"])
                commands.append(ret)
                return_id = _request_id(ret["output"], "ret-")
                rstatus, _ = _wait(return_id, polls, commands) if return_id else (None, [])
                result["return"] = {"id": return_id, "status": rstatus, "exit": ret["exit"]}
            _record["on"] = False
            phase("orb")
        with disable_iam_authentication():
            result["after"] = _snapshot()
            phase("snapshot-after")
    except Exception:  # noqa: BLE001 - reported as the run's error
        result["harness_error"] = traceback.format_exc()
    finally:
        _record["on"] = False
        shutil.rmtree(work, ignore_errors=True)
    result.update(calls=_record["calls"], provisioned=_record["provisioned"], logs=_record["logs"])
    result["backoff_seconds"] = round(slept[0], 2)
    return result


def _in_child(spec, timeout):
    """Runs one spec in a forked child, so every run starts from the same pristine ORB: ORB keeps
    module-level registries (providers, schedulers, circuit breakers, boto3 sessions) that outlive its DI
    container, and fork gives each run a clean copy of the warmed-up process for free."""
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(read_end)
        try:
            payload = json.dumps(run(spec)).encode()
        except BaseException:  # noqa: BLE001
            payload = json.dumps({"name": spec.get("name"), "harness_error": traceback.format_exc()}).encode()
        with os.fdopen(write_end, "wb") as pipe:
            pipe.write(payload)
        os._exit(0)
    os.close(write_end)
    chunks = []
    deadline = time.monotonic() + timeout
    with os.fdopen(read_end, "rb") as pipe:
        import select

        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not select.select([pipe], [], [], remaining)[0]:
                os.kill(pid, 9)
                os.waitpid(pid, 0)
                return {"name": spec.get("name"), "harness_error": f"run exceeded {timeout} s and was killed"}
            chunk = os.read(pipe.fileno(), 1 << 16)
            if not chunk:
                break
            chunks.append(chunk)
    os.waitpid(pid, 0)
    data = b"".join(chunks)
    if not data:
        return {"name": spec.get("name"), "harness_error": "the run's process died without a result"}
    return json.loads(data)


def _warm_mock():
    """Starts the mock and makes it build what it builds lazily (the default VPC, Amazon's images, the
    public SSM parameters), once, before any fork: each run then begins from this pristine account."""
    mock = mock_aws()
    mock.start(reset=True)
    fidelity.apply()
    with disable_iam_authentication():
        ec2 = boto3.client("ec2", region_name=REGION)
        ec2.describe_subnets()
        ec2.describe_images(Owners=["amazon"])
        ssm = boto3.client("ssm", region_name=REGION)
        ssm.get_parameters_by_path(Path="/aws/service/ami-amazon-linux-latest")
        _warm["ami"] = ssm.get_parameter(Name=DEFAULT_IMAGE_PARAMETER)["Parameter"]["Value"]
        boto3.client("autoscaling", region_name=REGION).describe_auto_scaling_groups()
        boto3.client("iam", region_name=REGION).list_roles()
    return mock


def _warm_imports(spec):
    """Imports, in this process, the modules ORB imports lazily during a run (found by running `spec`
    once in a child), so that each forked run does not import them again."""
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(read_end)
        before = set(sys.modules)
        try:
            run(spec)
        finally:
            names = sorted(n for n in set(sys.modules) - before if n.startswith(("orb", "botocore", "boto3")))
            with os.fdopen(write_end, "w") as pipe:
                pipe.write(json.dumps(names))
            os._exit(0)
    os.close(write_end)
    with os.fdopen(read_end) as pipe:
        names = json.loads(pipe.read() or "[]")
    os.waitpid(pid, 0)
    for name in names:
        try:
            __import__(name)
        except Exception:  # noqa: BLE001 - a module that only imports in context is simply left lazy
            pass
    return len(names)


def main():
    os.chdir(tempfile.mkdtemp(prefix="orb-conformance-cwd-"))
    import orb.bootstrap  # noqa: F401 - registers ORB's container factory, as `orb` does
    import orb.cli.main  # noqa: F401

    _install_recorders()
    _warm_mock()
    real_stdout = sys.stdout
    for line in sys.stdin:
        if not line.strip():
            continue
        spec = json.loads(line)
        if spec.get("warm_up"):
            started = time.monotonic()
            count = _warm_imports(spec)
            real_stdout.write(json.dumps({"name": spec["name"], "warmed_modules": count,
                                          "seconds": round(time.monotonic() - started, 2)}) + "\n")
            real_stdout.flush()
            continue
        started = time.monotonic()
        result = _in_child(spec, spec.get("timeout", 300))
        result["seconds"] = round(time.monotonic() - started, 2)
        real_stdout.write(json.dumps(result) + "\n")
        real_stdout.flush()


if __name__ == "__main__":
    main()
