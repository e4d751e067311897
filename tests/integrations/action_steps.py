#!/usr/bin/env python3
"""Runs the steps of action.yml as the GitHub runner does, in a simulated job, and checks the result.

For each job the harness sets up what a hosted runner provides (GITHUB_WORKSPACE with a copy of a
fixture repository, RUNNER_TEMP, RUNNER_TOOL_CACHE, GITHUB_OUTPUT per step, GITHUB_ACTIONS=true, ...),
evaluates the `${{ }}` expressions of each step's `env:`, `with:` and `if:`, runs every `run:` step
with `bash -e -o pipefail` and the step's environment, and reads workflow commands (annotations) from
its output the way the runner does. `uses: actions/cache` is simulated with a cache store shared by
the jobs of one run (restore before, save after a job), so the second job takes the cached binary.
`cargo` is a stand-in that records its arguments and copies the orb-scan binary under test: the real
`cargo install --path` is exercised by the pre-commit test, once, to keep CI within its budget.

Usage: action_steps.py ORB_SCAN_BINARY    (needs PyYAML; pre-commit's virtualenv has it)
"""

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[2]
ACTION = yaml.safe_load((REPO / "action.yml").read_text())

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


class Job:
    """One workflow job that runs the action with some inputs."""

    def __init__(self, run, fixture, inputs):
        self.run = run
        self.root = Path(tempfile.mkdtemp(dir=run.tmp))
        self.workspace = self.root / "workspace"
        shutil.copytree(REPO / fixture, self.workspace)
        (self.root / "temp").mkdir()
        self.inputs = {name: str(spec.get("default", "")) for name, spec in ACTION["inputs"].items()}
        unknown = set(inputs) - set(self.inputs)
        assert not unknown, f"not inputs of action.yml: {unknown}"
        self.inputs.update(inputs)
        self.steps = {}
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
        raise AssertionError(f"expression the harness does not know: {dotted}")

    def evaluate(self, text):
        return re.sub(r"\$\{\{\s*([\w.-]+)\s*\}\}", lambda m: self.context(m.group(1)), str(text))

    def condition(self, text):
        m = re.fullmatch(r"\s*([\w.-]+)\s*(==|!=)\s*'([^']*)'\s*", text)
        assert m, f"condition the harness does not know: {text}"
        equal = self.context(m.group(1)) == m.group(3)
        return equal if m.group(2) == "==" else not equal

    def environment(self, step_env):
        env = {
            "PATH": f"{self.run.bin}:{os.environ['PATH']}",
            "HOME": str(self.root),
            "LANG": "C.UTF-8",
            "CI": "true",
            "GITHUB_ACTIONS": "true",
            "GITHUB_WORKSPACE": str(self.workspace),
            "GITHUB_ACTION_PATH": str(REPO),
            "RUNNER_TEMP": str(self.root / "temp"),
            "RUNNER_TOOL_CACHE": str(self.root / "toolcache"),
            "RUNNER_OS": "Linux",
            "RUNNER_ARCH": "X64",
            "CARGO_LOG": str(self.run.cargo_log),
            "ORB_SCAN_BUILT": str(self.run.binary),
        }
        env.update({k: self.evaluate(v) for k, v in (step_env or {}).items()})
        return env

    def cache(self, step):
        """actions/cache/restore and actions/cache/save against the run's cache store."""
        with_ = {k: self.evaluate(v) for k, v in step["with"].items()}
        path, key = Path(with_["path"]), with_["key"]
        action = step["uses"].split("@")[0]
        saved = self.run.cache_store.get(key)
        if action == "actions/cache/restore":
            if saved:
                shutil.copytree(saved, path)
            return {"cache-hit": "true" if saved else "false", "cache-primary-key": key}
        assert action == "actions/cache/save", step["uses"]
        assert path.is_dir(), f"nothing to save at {path}"
        if not saved:
            self.run.cache_store[key] = shutil.copytree(path, self.run.tmp / f"cache-{len(self.run.cache_store)}")
        return {}

    def execute(self):
        for step in ACTION["runs"]["steps"]:
            if "if" in step and not self.condition(step["if"]):
                continue
            ok = True
            if "uses" in step:
                outputs = self.cache(step)
            else:
                outputs, ok = self.run_step(step)
            if "id" in step:
                self.steps[step["id"]] = outputs
            if not ok:
                return self
        return self

    def run_step(self, step):
        assert step.get("shell") == "bash", step["name"]
        output_file = self.root / f"output-{len(self.steps)}"
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
        self.status = done.returncode
        # The runner reads a step's outputs whether or not it succeeded.
        outputs = {}
        for line in output_file.read_text().splitlines():
            name, _, value = line.partition("=")
            outputs[name] = value
        return outputs, done.returncode == 0


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
        self.results = []

    def cargo_calls(self):
        calls = self.cargo_log.read_text().splitlines() if self.cargo_log.exists() else []
        self.cargo_log.unlink(missing_ok=True)
        return calls

    def job(self, fixture, files=None, **inputs):
        """A job on a copy of `fixture` with `files` (path: text) added to its workspace."""
        job = Job(self, fixture, inputs)
        for path, text in (files or {}).items():
            (job.workspace / path).parent.mkdir(parents=True, exist_ok=True)
            (job.workspace / path).write_text(text)
        return job.execute()

    def check(self, name, test):
        try:
            test()
            self.results.append((name, None))
            print(f"ok    {name}")
        except Exception as e:  # a KeyError is as much a failure as an assertion
            self.results.append((name, e))
            print(f"FAIL  {name}: {e}")


FINDING = "testdata/rules/ORB105/trigger"
CLEAN = "testdata/rules/ORB105/clean"


def scripts_never_expand_expressions():
    for step in ACTION["runs"]["steps"]:
        assert "${{" not in step.get("run", ""), f"{step['name']}: inputs must reach the script through env"
    used = json.dumps(ACTION["runs"]) + json.dumps(ACTION["outputs"])
    for name in ACTION["inputs"]:
        assert f"inputs.{name} " in used or f"inputs.{name}}}" in used, f"input {name} is never used"


def main():
    run = Run(sys.argv[1])
    run.check("scripts get inputs only through env", scripts_never_expand_expressions)

    def first_job_installs_and_annotates():
        job = run.job(FINDING)
        assert job.status == 1, (job.status, job.output)
        calls = run.cargo_calls()
        assert calls == [f"install --locked --root {job.steps['plan']['dir']} --path {REPO}"], calls
        assert len(job.annotations) == 1, job.annotations
        note = job.annotations[0]
        assert note["command"] == "error"
        assert note["properties"]["title"] == "ORB105 missing-ssm-permission"
        assert note["properties"]["file"] == "config/aws_templates.json"
        assert note["properties"]["line"] == "5"
        assert "iam/orb-policy.json:3:3" in note["data"], note["data"]
        assert "::stop-commands::" not in job.output

    def second_job_uses_the_cache_and_writes_sarif():
        job = run.job(FINDING, **{"sarif-file": "orb-scan.sarif", "fail-on": "warning"})
        assert job.status == 1, (job.status, job.output)
        assert run.cargo_calls() == [], "a cache hit skips the install"
        assert job.steps["scan"]["sarif-file"] == "orb-scan.sarif"
        log = json.loads((job.workspace / "orb-scan.sarif").read_text())
        result = log["runs"][0]["results"][0]
        assert result["ruleId"] == "ORB105"
        uri = result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        assert uri == "config/aws_templates.json", uri

    def clean_repository_passes():
        job = run.job(CLEAN, **{"fail-on": "note"})
        assert job.status == 0, (job.status, job.output)
        assert job.annotations == [], job.annotations

    def several_paths_and_extra_args():
        job = run.job(FINDING, paths="config\n  \niam\n", args="--select ORB1\n--ignore ORB110")
        assert job.status == 1, job.output
        assert [a["properties"]["file"] for a in job.annotations] == ["config/aws_templates.json"]
        job = run.job(FINDING, paths="config", args="--select ORB2")
        assert job.status == 0 and job.annotations == [], job.output

    def settings_file_input():
        job = run.job(FINDING, files={"ci/orb-scan.toml": 'ignore = ["ORB105"]\n'}, config="ci/orb-scan.toml")
        assert job.status == 0 and job.annotations == [], job.output
        job = run.job(FINDING, config="missing.toml")
        assert job.status == 2 and "cannot read missing.toml" in job.output, job.output

    def broken_settings_are_annotated():
        job = run.job(FINDING, files={"orb-scan.toml": 'selct = ["ORB1"]\n'})
        assert job.status == 2, job.output
        assert [a["properties"]["file"] for a in job.annotations] == ["orb-scan.toml"], job.annotations
        assert "unknown key `selct`: did you mean `select`?" in job.annotations[0]["data"]

    def hostile_inputs_stay_data():
        job = run.job(
            FINDING,
            paths="$(touch pwned1)\n`touch pwned2`; touch pwned3",
            args="--select ORB1 $(touch pwned4) ;touch pwned5 *",
        )
        assert job.status == 2, (job.status, job.output)
        created = sorted(p.name for p in job.workspace.iterdir() if p.name.startswith("pwned"))
        assert created == [], created
        job = run.job(FINDING, **{"sarif-file": "x.sarif\npwned=1"})
        assert job.status == 2 and "sarif-file must be one path" in job.output, job.output
        assert job.steps["scan"] == {}, job.steps["scan"]

    def version_input():
        job = run.job(FINDING, version="0.1.0; touch pwned")
        assert job.status == 2 and "version must be" in job.output, job.output
        assert not (job.workspace / "pwned").exists()
        job = run.job(FINDING, version="0.1.0")
        assert job.status == 1, job.output
        calls = run.cargo_calls()
        assert calls == [f"install --locked --root {job.steps['plan']['dir']} --version =0.1.0 orb-scan"], calls

    for test in [
        first_job_installs_and_annotates,
        second_job_uses_the_cache_and_writes_sarif,
        clean_repository_passes,
        several_paths_and_extra_args,
        settings_file_input,
        broken_settings_are_annotated,
        hostile_inputs_stay_data,
        version_input,
    ]:
        run.check(test.__name__.replace("_", " "), test)
    failed = sum(1 for _, e in run.results if e)
    print(f"action steps: {len(run.results) - failed} passed, {failed} failed")
    shutil.rmtree(run.tmp, ignore_errors=True)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
