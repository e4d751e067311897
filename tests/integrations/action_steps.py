#!/usr/bin/env python3
"""Runs the steps of action.yml as the GitHub runner does, in a simulated job, and checks the result.

For each job the harness sets up what a hosted runner provides (GITHUB_WORKSPACE with a copy of a
fixture repository, RUNNER_TEMP, RUNNER_TOOL_CACHE, GITHUB_OUTPUT per step, GITHUB_STEP_SUMMARY,
GITHUB_ACTIONS=true, ...), evaluates the `${{ }}` expressions of each step's `env:`, `with:` and
`if:` (status functions included: after a failed step only `!cancelled()`/`always()` steps run),
runs every `run:` step with `bash -e -o pipefail` and the step's environment, and reads workflow
commands (annotations) from its output the way the runner does. `uses:` steps are simulated:
actions/cache with a cache store shared by the jobs of one run (restore before, save after), so a
second job takes the cached build; codeql-action/upload-sarif records what it would upload.

Releases are served by a real HTTP server on 127.0.0.1 (python's http.server in a thread): a
release of the binary under test packed by scripts/release-archive.sh --prebuilt, with SHA256SUMS
and SOURCE-DIGEST as the release workflow publishes them, and variants (a tampered archive, an
older source, a missing binary). `cargo` is a stand-in that records its arguments and copies the
binary under test: the real `cargo install --path` is exercised by the pre-commit test, once, to
keep CI within its budget.

Usage: action_steps.py ORB_SCAN_BINARY    (needs PyYAML; pre-commit's virtualenv has it)
"""

import hashlib
import http.server
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[2]
ACTION = yaml.safe_load((REPO / "action.yml").read_text())
VERSION = re.search(r'^version = "(.*)"$', (REPO / "Cargo.toml").read_text(), re.M).group(1)
LINUX_X64 = "x86_64-unknown-linux-musl"

CARGO_STAND_IN = """#!/usr/bin/env bash
# Records its arguments; `cargo install ... --root DIR ...` puts the binary under test in DIR/bin.
printf '%s\\n' "$*" >> "$CARGO_LOG"
root=""
while (( $# )); do
  if [[ $1 == --root ]]; then root=$2; shift; fi
  shift
done
mkdir -p "$root/bin" && cp "$ORB_SCAN_BUILT" "$root/bin/orb-scan"
"""


def unescape(text, property_value=False):
    if property_value:
        text = text.replace("%3A", ":").replace("%2C", ",")
    return text.replace("%0D", "\r").replace("%0A", "\n").replace("%25", "%")


def workflow_commands(output):
    """The commands the runner takes from a step's output (actions/runner ActionCommand.TryParseV2)."""
    found = []
    for line in output.splitlines():
        line = line.lstrip()
        if not line.startswith("::"):
            continue
        end = line.find("::", 2)
        if end < 0:
            continue
        info, data = line[2:end], line[end + 2:]
        name, _, props = info.partition(" ")
        properties = {}
        for prop in filter(None, props.split(",")):
            key, _, value = prop.partition("=")
            properties[key] = unescape(value, property_value=True)
        found.append({"command": name, "properties": properties, "data": unescape(data)})
    return found


def sha256(path):
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


class Releases:
    """Release folders served over HTTP on loopback: `<url>/<name>/v<version>/<asset>`."""

    def __init__(self, root, binary):
        self.root = root
        self.requests = []
        packed = root / "packed"
        subprocess.run(
            [REPO / "scripts/release-archive.sh", LINUX_X64, packed, "--prebuilt", binary],
            check=True, capture_output=True,
        )
        self.archive = packed / f"orb-scan-{VERSION}-{LINUX_X64}.tar.gz"
        self.digest = subprocess.run(
            ["bash", REPO / "scripts/source-digest.sh"], check=True, capture_output=True, text=True,
        ).stdout.strip()
        handler = self.handler()
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    def handler(self):
        releases = self

        class Handler(http.server.SimpleHTTPRequestHandler):
            def __init__(self, *args, **kwargs):
                super().__init__(*args, directory=str(releases.root / "served"), **kwargs)

            def do_GET(self):
                releases.requests.append(self.path)
                super().do_GET()

            def log_message(self, *args):
                pass

        return Handler

    def publish(self, name, version=VERSION, archive=None, digest=None, with_binary=True, tamper=False):
        """A release as the workflow publishes it; returns its `release-url`."""
        folder = self.root / "served" / name / f"v{version}"
        folder.mkdir(parents=True)
        sums = []
        if with_binary:
            asset = folder / f"orb-scan-{version}-{LINUX_X64}.tar.gz"
            shutil.copy(archive or self.archive, asset)
            sums.append(f"{sha256(asset)}  {asset.name}")
            if tamper:  # the bytes served are not the bytes checksummed
                with open(asset, "ab") as f:
                    f.write(b"\0")
        (folder / "SOURCE-DIGEST").write_text(f"{digest or self.digest}\n")
        sums.append(f"{sha256(folder / 'SOURCE-DIGEST')}  SOURCE-DIGEST")
        (folder / "SHA256SUMS").write_text("\n".join(sums) + "\n")
        return f"{self.url}/{name}"

    def taken(self):
        taken, self.requests = self.requests, []
        return taken


class Job:
    """One workflow job that runs the action with some inputs."""

    def __init__(self, run, fixture, inputs, event, runner_arch):
        self.run = run
        self.root = Path(tempfile.mkdtemp(dir=run.tmp))
        self.workspace = self.root / "workspace"
        if isinstance(fixture, Path):
            shutil.copytree(fixture, self.workspace, symlinks=True)
        else:
            shutil.copytree(REPO / fixture, self.workspace)
        (self.root / "temp").mkdir()
        self.inputs = {name: str(spec.get("default", "")) for name, spec in ACTION["inputs"].items()}
        unknown = set(inputs) - set(self.inputs)
        assert not unknown, f"not inputs of action.yml: {unknown}"
        # Unless a test says otherwise, releases come from the test server, never from the network.
        self.inputs["release-url"] = run.missing_release
        self.inputs.update(inputs)
        self.event = event or {}
        self.runner_arch = runner_arch
        self.summary = self.root / "step-summary.md"
        self.summary.write_text("")
        self.steps = {}
        self.ran = []
        self.annotations = []
        self.output = ""
        self.status = 0

    def context(self, dotted):
        parts = dotted.split(".")
        if parts[0] == "inputs":
            return self.inputs.get(parts[1], "")
        if parts[0] == "steps" and parts[2] == "outputs":
            return self.steps.get(parts[1], {}).get(parts[3], "")
        if dotted == "github.action_path":
            return str(REPO)
        if dotted.startswith("github.event."):
            value = self.event
            for part in parts[2:]:
                value = value.get(part, {}) if isinstance(value, dict) else {}
            return value if isinstance(value, str) else ""
        raise AssertionError(f"expression the harness does not know: {dotted}")

    def evaluate(self, text):
        return re.sub(r"\$\{\{\s*([\w.-]+)\s*\}\}", lambda m: self.context(m.group(1)), str(text))

    def condition(self, text, failed):
        """`if:`: `&&` of comparisons with a string and the status functions."""
        text = text.strip()
        if text.startswith("${{"):
            text = text[3:].removesuffix("}}")
        terms = [t.strip() for t in text.split("&&")]
        status = [t for t in terms if t in ("always()", "!cancelled()", "success()", "failure()")]
        result = (not failed) if not status else all(
            {"always()": True, "!cancelled()": True, "success()": not failed, "failure()": failed}[t]
            for t in status
        )
        for term in terms:
            if term in status:
                continue
            m = re.fullmatch(r"([\w.-]+)\s*(==|!=)\s*'([^']*)'", term)
            assert m, f"condition the harness does not know: {term}"
            equal = self.context(m.group(1)) == m.group(3)
            result = result and (equal if m.group(2) == "==" else not equal)
        return result

    def environment(self, step_env):
        env = {
            "PATH": f"{self.run.bin}:{os.environ['PATH']}",
            "HOME": str(self.root),
            "LANG": "C.UTF-8",
            "CI": "true",
            "GITHUB_ACTIONS": "true",
            "GITHUB_WORKSPACE": str(self.workspace),
            "GITHUB_ACTION_PATH": str(REPO),
            "GITHUB_STEP_SUMMARY": str(self.summary),
            "RUNNER_TEMP": str(self.root / "temp"),
            "RUNNER_TOOL_CACHE": str(self.root / "toolcache"),
            "RUNNER_OS": "Linux",
            "RUNNER_ARCH": self.runner_arch,
            "CARGO_LOG": str(self.run.cargo_log),
            "ORB_SCAN_BUILT": str(self.run.binary),
            "GIT_CONFIG_NOSYSTEM": "1",
        }
        env.update({k: self.evaluate(v) for k, v in (step_env or {}).items()})
        return env

    def uses(self, step):
        """actions/cache/restore and save against the run's cache store; upload-sarif recorded."""
        with_ = {k: self.evaluate(v) for k, v in step["with"].items()}
        action = step["uses"].split("@")[0]
        if action == "github/codeql-action/upload-sarif":
            sarif = Path(self.workspace, with_["sarif_file"])
            json.loads(sarif.read_text())  # what it uploads must be JSON
            self.run.uploads.append(with_)
            return {}
        path, key = Path(with_["path"]), with_["key"]
        saved = self.run.cache_store.get(key)
        if action == "actions/cache/restore":
            if saved:
                shutil.copytree(saved, path)
            return {"cache-hit": "true" if saved else "false", "cache-primary-key": key}
        assert action == "actions/cache/save", step["uses"]
        assert path.is_dir(), f"nothing to save at {path}"
        if not saved:
            self.run.cache_store[key] = shutil.copytree(path, Path(tempfile.mkdtemp(dir=self.run.tmp)) / "cache")
        return {}

    def execute(self):
        failed = False
        for step in ACTION["runs"]["steps"]:
            if not self.condition(step.get("if", "success()"), failed):
                continue
            self.ran.append(step.get("id") or step["name"])
            ok = True
            if "uses" in step:
                outputs = self.uses(step)
            else:
                outputs, ok = self.run_step(step)
            if "id" in step:
                self.steps[step["id"]] = outputs
            failed = failed or not ok
        return self

    def run_step(self, step):
        assert step.get("shell") == "bash", step["name"]
        output_file = self.root / f"output-{len(self.ran)}"
        output_file.write_text("")
        env = self.environment(step.get("env"))
        env["GITHUB_OUTPUT"] = str(output_file)
        script = self.root / "step.sh"
        script.write_text(step["run"])
        done = subprocess.run(
            ["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)],
            cwd=self.workspace, env=env, capture_output=True, text=True, timeout=300,
        )
        self.output += done.stdout + done.stderr
        self.annotations += [c for c in workflow_commands(done.stdout) if c["command"] in ("error", "warning", "notice")]
        if done.returncode != 0:
            self.status = done.returncode
        # The runner reads a step's outputs whether or not it succeeded.
        outputs = {}
        for line in output_file.read_text().splitlines():
            name, _, value = line.partition("=")
            outputs[name] = value
        return outputs, done.returncode == 0

    def findings(self):
        return [a for a in self.annotations if a["properties"].get("title", "").startswith("ORB")]

    def notices(self):
        return [a["data"] for a in self.annotations if a["properties"].get("title") == "orb-scan action"]


class Run:
    def __init__(self, binary):
        self.binary = Path(binary).resolve()
        self.tmp = Path(tempfile.mkdtemp())
        self.bin = self.tmp / "bin"
        self.bin.mkdir()
        (self.bin / "cargo").write_text(CARGO_STAND_IN)
        (self.bin / "cargo").chmod(0o755)
        self.cargo_log = self.tmp / "cargo.log"
        self.cache_store = {}
        self.uploads = []
        self.results = []
        self.releases = Releases(self.tmp / "releases", self.binary)
        self.missing_release = f"{self.releases.url}/none"

    def cargo_calls(self):
        calls = self.cargo_log.read_text().splitlines() if self.cargo_log.exists() else []
        self.cargo_log.unlink(missing_ok=True)
        return calls

    def job(self, fixture, files=None, event=None, runner_arch="X64", **inputs):
        """A job on a copy of `fixture` with `files` (path: text) added to its workspace."""
        job = Job(self, fixture, inputs, event, runner_arch)
        for path, text in (files or {}).items():
            (job.workspace / path).parent.mkdir(parents=True, exist_ok=True)
            (job.workspace / path).write_text(text)
        return job.execute()

    def check(self, name, test):
        self.cache_store = {}  # each test starts with an empty cache
        try:
            test()
            self.results.append((name, None))
            print(f"ok    {name}")
        except Exception as e:  # a KeyError is as much a failure as an assertion
            self.results.append((name, e))
            print(f"FAIL  {name}: {e}")
        finally:
            self.cargo_calls()
            self.releases.taken()
            self.uploads.clear()


FINDING = "testdata/rules/ORB105/trigger"
CLEAN = "testdata/rules/ORB105/clean"
POLICY = "iam/orb-policy.json"


def git(cwd, *args):
    return subprocess.run(
        ["git", "-c", "user.name=orb-scan-ci", "-c", "user.email=ci@orb-scan.invalid", *args],
        cwd=cwd, check=True, capture_output=True, text=True,
    ).stdout.strip()


def pull_request_repository(tmp):
    """A repository the way a pull request reaches a job: a base commit (the ORB105 trigger), a pull
    request that changes only the policy, and the merge commit actions/checkout makes. Returns the
    bare `origin` (which serves any commit, as GitHub does) and the event's base and head."""
    work = tmp / "pr-work"
    shutil.copytree(REPO / FINDING, work)
    git(work, "init", "-q", "-b", "main")
    git(work, "add", "-A")
    git(work, "commit", "-qm", "base")
    base = git(work, "rev-parse", "HEAD")
    git(work, "checkout", "-qb", "change")
    policy = work / POLICY
    policy.write_text(policy.read_text() + "\n")
    git(work, "commit", "-qam", "the policy only")
    head = git(work, "rev-parse", "HEAD")
    git(work, "checkout", "-q", "main")
    (work / "README.md").write_text("the base moved on\n")
    git(work, "add", "README.md")
    git(work, "commit", "-qm", "elsewhere on main")
    git(work, "checkout", "-qb", "merge")
    git(work, "merge", "-q", "--no-ff", "-m", "merge", "change")
    origin = tmp / "origin.git"
    git(tmp, "clone", "-q", "--bare", str(work), str(origin))
    git(origin, "config", "uploadpack.allowAnySHA1InWant", "true")
    base_now = git(work, "rev-parse", "main")
    return origin, {"pull_request": {"base": {"sha": base_now}, "head": {"sha": head}}}, base


def scripts_never_expand_expressions():
    for step in ACTION["runs"]["steps"]:
        assert "${{" not in step.get("run", ""), f"{step['name']}: inputs must reach the script through env"
    used = json.dumps(ACTION["runs"]) + json.dumps(ACTION["outputs"])
    for name in ACTION["inputs"]:
        assert f"inputs.{name} " in used or f"inputs.{name}}}" in used, f"input {name} is never used"


def binstall_finds_the_archive(archive):
    """Cargo.toml's [package.metadata.binstall] templates name the archive release-archive.sh packs."""
    import tarfile
    import tomllib

    meta = tomllib.loads((REPO / "Cargo.toml").read_text())["package"]["metadata"]["binstall"]
    values = {"repo": "https://github.com/orb-scan/orb-scan", "name": "orb-scan", "version": VERSION,
              "target": LINUX_X64, "bin": "orb-scan", "binary-ext": ""}

    def expand(template):
        return re.sub(r"\{ *([\w-]+) *\}", lambda m: values[m.group(1)], template)

    assert meta["pkg-fmt"] == "tgz" and archive.name.endswith(".tar.gz")
    assert expand(meta["pkg-url"]).endswith(f"/releases/download/v{VERSION}/{archive.name}"), meta["pkg-url"]
    with tarfile.open(archive) as packed:
        member = packed.getmember(expand(meta["bin-dir"]))
        assert member.isfile() and member.mode & 0o111, member


def main():
    run = Run(sys.argv[1])
    releases = run.releases
    run.check("scripts get inputs only through env", scripts_never_expand_expressions)
    run.check("cargo binstall finds the release archive", lambda: binstall_finds_the_archive(releases.archive))
    this_release = releases.publish("this")

    def released_action_downloads_and_verifies_the_binary():
        job = run.job(FINDING, **{"release-url": this_release})
        assert job.status == 1, (job.status, job.output)
        assert run.cargo_calls() == [], "a released action builds nothing"
        archive = f"orb-scan-{VERSION}-{LINUX_X64}.tar.gz"
        assert releases.taken() == [f"/this/v{VERSION}/{name}" for name in ("SHA256SUMS", "SOURCE-DIGEST", archive)]
        assert job.steps["scan"]["installed"] == "release", job.steps["scan"]
        assert Path(job.steps["download"]["dir"], "bin/orb-scan").is_file()
        [note] = job.findings()
        assert note["command"] == "error"
        assert note["properties"]["title"] == "ORB105 missing-ssm-permission"
        assert note["properties"]["file"] == "config/aws_templates.json"
        assert note["properties"]["line"] == "5"
        assert "iam/orb-policy.json:3:3" in note["data"], note["data"]
        assert "::stop-commands::" not in job.output

    def a_tampered_binary_fails_closed():
        url = releases.publish("tampered", tamper=True)
        for inputs in ({"release-url": url}, {"release-url": url, "version": VERSION}):
            job = run.job(FINDING, **inputs)
            assert job.status == 1, (job.status, job.output)
            [error] = job.notices()
            assert "does not match its SHA-256 checksum" in error, error
            assert job.findings() == [], "nothing unverified runs"
            assert "scan" not in job.ran and "cache" not in job.ran, job.ran
            assert run.cargo_calls() == [], "a checksum mismatch is no reason to build instead"
            assert not list((job.root / "toolcache").rglob("orb-scan")), "nothing was installed"

    def an_unreleased_commit_is_built_from_source():
        url = releases.publish("older", digest="0" * 64)
        job = run.job(FINDING, **{"release-url": url})
        assert job.status == 1 and len(job.findings()) == 1, job.output
        assert any("an unreleased commit" in n for n in job.notices()), job.notices()
        assert run.cargo_calls() == [f"install --locked --root {job.steps['plan']['source-dir']} --path {REPO}"]
        assert job.steps["scan"]["installed"] == "source"
        assert all("tar.gz" not in r for r in releases.taken()), "no binary of another source is downloaded"

    def a_missing_release_or_platform_builds_from_source():
        job = run.job(FINDING)  # the default here: a release-url with nothing under it
        assert job.status == 1 and len(job.findings()) == 1, job.output
        assert any("has no release" in n for n in job.notices()), job.notices()
        assert len(run.cargo_calls()) == 1 and job.steps["scan"]["installed"] == "source"
        url = releases.publish("linux-x64-only")
        job = run.job(FINDING, runner_arch="ARM64", **{"release-url": url})
        assert any("no binary for aarch64-unknown-linux-musl" in n for n in job.notices()), job.notices()
        assert len(run.cargo_calls()) == 1 and job.steps["scan"]["installed"] == "source"

    def a_cached_source_build_and_sarif():
        job = run.job(FINDING, version="source", **{"sarif-file": "orb-scan.sarif", "fail-on": "warning"})
        assert job.status == 1, (job.status, job.output)
        assert len(run.cargo_calls()) == 1 and releases.taken() == [], "version: source downloads nothing"
        job = run.job(FINDING, version="source", **{"sarif-file": "orb-scan.sarif", "fail-on": "warning"})
        assert job.status == 1, (job.status, job.output)
        assert run.cargo_calls() == [], "a cache hit skips the build"
        assert job.steps["scan"]["sarif-file"] == "orb-scan.sarif"
        log = json.loads((job.workspace / "orb-scan.sarif").read_text())
        result = log["runs"][0]["results"][0]
        assert result["ruleId"] == "ORB105"
        uri = result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        assert uri == "config/aws_templates.json", uri
        assert run.uploads == [], "upload-sarif is off by default"

    def upload_sarif_even_when_the_scan_fails():
        job = run.job(FINDING, **{"release-url": this_release, "upload-sarif": "true", "sarif-category": "orb"})
        assert job.status == 1, job.output
        sarif = job.steps["scan"]["sarif-file"]
        assert sarif == str(job.root / "temp/orb-scan.sarif"), sarif
        assert run.uploads == [{"sarif_file": sarif, "category": "orb"}], run.uploads
        job = run.job(CLEAN, **{"release-url": this_release, "upload-sarif": "true", "sarif-file": "out.sarif"})
        assert job.status == 0 and run.uploads[-1]["sarif_file"] == "out.sarif", (job.output, run.uploads)

    def requested_versions():
        job = run.job(FINDING, version=VERSION, **{"release-url": releases.publish("pinned", digest="1" * 64)})
        assert job.status == 1 and job.steps["scan"]["installed"] == "release", job.output
        assert run.cargo_calls() == [], "a requested release is downloaded whatever the action's source"
        job = run.job(FINDING, version="9.9.9", **{"release-url": this_release})
        assert job.status == 1 and "has no release" in " ".join(job.notices()), job.output
        assert run.cargo_calls() == [] and "scan" not in job.ran, "a missing requested release is an error"
        job = run.job(FINDING, version="0.1.0; touch pwned")
        assert job.status == 2 and "version must be" in job.output, job.output
        assert not (job.workspace / "pwned").exists()
        for url in ("http://example.com/releases", "https://x/ y", "file:///etc"):
            job = run.job(FINDING, **{"release-url": url})
            assert job.status == 2 and "release-url must be an https URL" in job.output, (url, job.output)

    def counts_and_job_summary():
        files = {"iam/<img src=x>&.json": '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", '
                 '"Action": "s3:GetObjekt", "Resource": "*"}]}'}
        job = run.job(FINDING, files=files, **{"release-url": this_release})
        scan = job.steps["scan"]
        assert (scan["errors"], scan["warnings"], scan["notes"], scan["suppressed"]) == ("2", "0", "0", "0"), scan
        summary = job.summary.read_text()
        assert summary.startswith("### orb-scan: 2 errors, 0 warnings, 0 notes\n"), summary
        assert "| 2 | 0 | 0 | 0 | 4 |" in summary, summary
        assert "config/aws_templates.json:5:7: error[ORB105]" in summary, summary
        assert re.search(r"\niam/&lt;img src=x&gt;&amp;\.json:1:\d+: error\[ORB301\]", summary), summary
        assert "<img" not in summary, "file names stay text"
        job = run.job(CLEAN, **{"release-url": this_release, "fail-on": "note"})
        assert job.status == 0 and job.findings() == [], job.output
        assert job.steps["scan"]["errors"] == "0"
        assert "<pre>" not in job.summary.read_text()

    def many_findings_are_summarised_errors_first():
        job = run.job("testdata/rules", **{"release-url": this_release})
        scan = job.steps["scan"]
        errors, warnings = int(scan["errors"]), int(scan["warnings"])
        assert errors > 30 and warnings > 10, scan
        summary = job.summary.read_text()
        listed = summary.split("<pre>\n")[1].split("</pre>")[0].splitlines()
        assert len(listed) == 30 and all(": error[" in line for line in listed), listed
        assert f"The first 30 of {errors + warnings + int(scan['notes'])} findings" in summary
        assert f"GitHub shows 10 of the {errors} error annotations" in summary, summary
        assert f"GitHub shows 10 of the {warnings} warning annotations" in summary, summary

    origin, event, old_base = pull_request_repository(run.tmp)

    def checkout(depth=None, ref="merge"):
        path = Path(tempfile.mkdtemp(dir=run.tmp)) / "checkout"
        args = ["clone", "-q", "--branch", ref] + (["--depth", str(depth)] if depth else [])
        git(run.tmp, *args, origin.as_uri(), str(path))
        return path

    def pull_requests_annotate_where_they_changed():
        for workspace in (checkout(), checkout(depth=1)):
            job = run.job(workspace, event=event, **{"release-url": this_release})
            assert job.status == 1, job.output
            assert [a["properties"]["file"] for a in job.findings()] == [POLICY], (job.findings(), job.output)
            assert "config/aws_templates.json:5:7" in job.findings()[0]["data"]
            # What the summary counts and lists does not move.
            assert "config/aws_templates.json:5:7: error[ORB105]" in job.summary.read_text()
        # The pull request's head, checked out with its history: changes since the merge base.
        head = event["pull_request"]["head"]["sha"]
        workspace = checkout(ref="change")
        job = run.job(workspace, event=event, **{"release-url": this_release})
        assert git(workspace, "rev-parse", "HEAD") == head
        assert [a["properties"]["file"] for a in job.findings()] == [POLICY], job.output

    def without_a_pull_request_annotations_stay_put():
        workspace = checkout()
        for event_, inputs in (({}, {}), (event, {"annotate-changes": "false"})):
            job = run.job(workspace, event=event_, **{"release-url": this_release}, **inputs)
            assert [a["properties"]["file"] for a in job.findings()] == ["config/aws_templates.json"], job.output
            assert "changes" not in job.steps or job.steps["changes"] == {}, job.steps
        # A shallow head checkout has no merge base: a notice, and annotations where the findings are.
        job = run.job(checkout(depth=1, ref="change"), event=event, **{"release-url": this_release})
        assert any("no merge base" in n for n in job.notices()), job.output
        assert [a["properties"]["file"] for a in job.findings()] == ["config/aws_templates.json"]
        hostile = {"pull_request": {"base": {"sha": "$(touch pwned)"}, "head": {"sha": old_base}}}
        job = run.job(checkout(), event=hostile, **{"release-url": this_release})
        assert any("names no commits" in n for n in job.notices()), job.output
        assert not (job.workspace / "pwned").exists()

    def clean_repository_passes():
        job = run.job(CLEAN, **{"fail-on": "note", "release-url": this_release})
        assert job.status == 0, (job.status, job.output)
        assert job.findings() == [], job.annotations

    def several_paths_and_extra_args():
        job = run.job(FINDING, paths="config\n  \niam\n", args="--select ORB1\n--ignore ORB110",
                      **{"release-url": this_release})
        assert job.status == 1, job.output
        assert [a["properties"]["file"] for a in job.findings()] == ["config/aws_templates.json"]
        job = run.job(FINDING, paths="config", args="--select ORB2", **{"release-url": this_release})
        assert job.status == 0 and job.findings() == [], job.output

    def settings_file_input():
        job = run.job(FINDING, files={"ci/orb-scan.toml": 'ignore = ["ORB105"]\n'}, config="ci/orb-scan.toml",
                      **{"release-url": this_release})
        assert job.status == 0 and job.findings() == [], job.output
        job = run.job(FINDING, config="missing.toml", **{"release-url": this_release})
        assert job.status == 2 and "cannot read missing.toml" in job.output, job.output

    def broken_settings_are_annotated():
        job = run.job(FINDING, files={"orb-scan.toml": 'selct = ["ORB1"]\n'}, **{"release-url": this_release})
        assert job.status == 2, job.output
        configuration = [a for a in job.annotations if a["properties"].get("title") == "orb-scan configuration"]
        assert [a["properties"]["file"] for a in configuration] == ["orb-scan.toml"], job.annotations
        assert "unknown key `selct`: did you mean `select`?" in configuration[0]["data"]

    def hostile_inputs_stay_data():
        job = run.job(
            FINDING,
            paths="$(touch pwned1)\n`touch pwned2`; touch pwned3",
            args="--select ORB1 $(touch pwned4) ;touch pwned5 *",
            **{"release-url": this_release},
        )
        assert job.status == 2, (job.status, job.output)
        created = sorted(p.name for p in job.workspace.iterdir() if p.name.startswith("pwned"))
        assert created == [], created
        job = run.job(FINDING, **{"sarif-file": "x.sarif\npwned=1", "release-url": this_release})
        assert job.status == 2 and "sarif-file must be one path" in job.output, job.output
        assert job.steps["scan"] == {}, job.steps["scan"]

    for test in [
        released_action_downloads_and_verifies_the_binary,
        a_tampered_binary_fails_closed,
        an_unreleased_commit_is_built_from_source,
        a_missing_release_or_platform_builds_from_source,
        a_cached_source_build_and_sarif,
        upload_sarif_even_when_the_scan_fails,
        requested_versions,
        counts_and_job_summary,
        many_findings_are_summarised_errors_first,
        pull_requests_annotate_where_they_changed,
        without_a_pull_request_annotations_stay_put,
        clean_repository_passes,
        several_paths_and_extra_args,
        settings_file_input,
        broken_settings_are_annotated,
        hostile_inputs_stay_data,
    ]:
        run.check(test.__name__.replace("_", " "), test)
    run.releases.server.shutdown()
    failed = sum(1 for _, e in run.results if e)
    print(f"action steps: {len(run.results) - failed} passed, {failed} failed")
    shutil.rmtree(run.tmp, ignore_errors=True)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
