"""The conformance suite: runs ORB's real CLI against moto under the policy `orb-scan policy` writes, and
judges orb-scan's model of ORB by what ORB does.

For every scenario (a config and templates a user would write, in scenarios/*.toml):
  sufficiency  under orb-scan's policy the request and the return complete, and nothing ORB created is
               left behind (fleets, spot fleet requests, groups, launch templates, instances)
  resolution   the template ORB provisions from is the one orb-scan resolved (handler, fleet type,
               fleet role, instance profile, image)
  call set     the IAM requests ORB's calls imply (what AWS checks and moto does not included) are
               exactly orb-scan's needs for that template: nothing missing, nothing extra
  drop one     each action ORB calls itself, removed from the policy in turn, gives the outcome
               orb-scan's severity claims: error, the request or return fails; warning, ORB logs a new
               warning, leaves something behind or leaves it untagged; note, nothing observable

Run it with conformance/run.sh, which builds the virtualenv; `--help` lists the options.
"""

import argparse
import datetime
import fnmatch
import json
import os
import queue
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import tomllib
from importlib import metadata
from pathlib import Path

import calls as callmap

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
# run.sh's default release: the one the committed report and the requirements table describe.
DEFAULT_ORB = tomllib.loads((REPO / "data/orb-requirements.toml").read_text())["conformance_release"]
ACCOUNT = "123456789012"
REGION = "us-east-1"
# moto checks every action except IAM's and STS's against the literal resource `*` (orb-execution.md §1):
# an Allow scoped to an ARN never matches there. Statements of these services keep orb-scan's scoping,
# which moto does check; the others are widened to `*` for the run, and the harness checks their scoping
# against the ARNs ORB's calls name instead.
SCOPED_BY_MOCK = ("iam:", "sts:")
SEVERITY_OUTCOME = {"error": "fails", "warning": "degrades", "note": "nothing"}
OUTCOME_RANK = {"nothing": 0, "degrades": 1, "fails": 2}


# ---------------------------------------------------------------- scenarios

class Scenario:
    def __init__(self, path, group):
        self.path = path
        self.group = group
        self.name = path.stem
        data = tomllib.loads(path.read_text())
        unknown = set(data) - {"summary", "template", "count", "expect", "setup", "files", "shipped"}
        if unknown:
            raise SystemExit(f"{path}: unknown keys {sorted(unknown)}")
        self.summary = data["summary"]
        self.template = data["template"]
        self.count = data.get("count", 1)
        self.expect = data.get("expect", {})
        self.setup = data.get("setup", {})
        self.files = {rel: self._text(rel, v) for rel, v in data.get("files", {}).items()}

    def _text(self, rel, value):
        if isinstance(value, str):
            return value
        if "base" in value:
            return (HERE / "scenarios" / "base" / value["base"]).read_text()
        if "shipped" in value:
            return _shipped_file(value["shipped"], value.get("replace", {}))
        raise SystemExit(f"{self.path}: files.{rel}: a string, {{base = ...}} or {{shipped = ...}}")

    def materialise(self, folder):
        for rel, text in self.files.items():
            path = folder / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text)


# ORB 1.8.5's own files, vendored from the shared corpus (testdata/corpus/README.md).
SHIPPED_ROOT = REPO / "testdata" / "corpus" / "orb"


def _shipped_file(rel, replace):
    """A file ORB ships (its own example templates and config), as vendored, with the values a real
    account would have put in for its placeholders."""
    text = (SHIPPED_ROOT / rel).read_text()
    for old, new in replace.items():
        text = text.replace(old, new)
    return text


def load_scenarios(groups, only):
    out = []
    for group in groups:
        folder = HERE / group
        if group == "shipped" and not SHIPPED_ROOT.is_dir():
            print(f"conformance: skipped ORB's shipped files: {SHIPPED_ROOT} is absent", file=sys.stderr)
            continue
        for path in sorted(folder.glob("*.toml")):
            if only and not any(fnmatch.fnmatch(path.stem, pattern) for pattern in only):
                continue
            out.append(Scenario(path, group))
    return out


# ---------------------------------------------------------------- orb-scan

def orb_scan(binary, folder, settings, *args):
    result = subprocess.run([binary, *args, "--config", str(settings), str(folder)],
                            capture_output=True, text=True)
    if result.returncode not in (0, 1):
        raise RuntimeError(f"orb-scan {' '.join(args)} failed ({result.returncode}): {result.stderr}")
    return result.stdout


def orb_scan_view(binary, scenario):
    """orb-scan's view of the scenario's files: the policy it writes, its needs for the template ORB is
    asked for, and the codes it reports."""
    work = Path(tempfile.mkdtemp(prefix="orb-conformance-scan-"))
    folder = work / "repo"
    # orb-scan reads the requirements of the orb-py release under test.
    settings = work / "orb-scan.toml"
    settings.write_text(f'orb_version = "{_version("orb-py")}"\n')
    try:
        scenario.materialise(folder)
        policy = json.loads(orb_scan(binary, folder, settings, "policy"))
        needs = json.loads(orb_scan(binary, folder, settings, "needs", "--format", "json"))
        scan = json.loads(orb_scan(binary, folder, settings, "--format", "json", "--fail-on", "error"))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    templates = [t for d in needs["deployments"] for t in d["templates"] if t["id"] == scenario.template]
    if len(templates) != 1:
        raise RuntimeError(f"{scenario.name}: orb-scan resolved {len(templates)} templates `{scenario.template}`")
    codes = sorted({d["code"] for d in scan["diagnostics"]})
    return {"policy": policy, "template": templates[0], "codes": codes,
            "diagnostics": [{k: d[k] for k in ("code", "severity", "message", "file")} | {"line": d["span"]["start"]["line"]}
                            for d in scan["diagnostics"]]}


def for_mock(policy):
    """The policy as moto can enforce it: statements of services moto checks against `*` get `*`."""
    doc = json.loads(json.dumps(policy))
    for statement in doc["Statement"]:
        actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
        if not all(a.startswith(SCOPED_BY_MOCK) for a in actions):
            statement["Resource"] = "*"
    return doc


def without(policy, action):
    doc = json.loads(json.dumps(policy))
    kept = []
    for statement in doc["Statement"]:
        actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
        actions = [a for a in actions if a != action]
        if actions:
            statement["Action"] = actions
            kept.append(statement)
    doc["Statement"] = kept
    return doc


# ---------------------------------------------------------------- workers

class Workers:
    """Up to `jobs` worker processes (worker.py), each importing ORB once and forking per run."""

    def __init__(self, jobs, warm_spec):
        self.jobs = queue.Queue()
        self.threads = []
        self.processes = []
        for _ in range(jobs):
            process = subprocess.Popen(
                [sys.executable, str(HERE / "worker.py")],
                stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=HERE,
            )
            self.processes.append(process)
            self._send(process, dict(warm_spec, warm_up=True, name="warm-up"))
            thread = threading.Thread(target=self._serve, args=(process,), daemon=True)
            thread.start()
            self.threads.append(thread)

    @staticmethod
    def _send(process, spec):
        process.stdin.write(json.dumps(spec) + "\n")
        process.stdin.flush()
        line = process.stdout.readline()
        if not line:
            raise RuntimeError("a conformance worker died")
        return json.loads(line)

    def _serve(self, process):
        while True:
            item = self.jobs.get()
            if item is None:
                return
            spec, done = item
            try:
                done(self._send(process, spec))
            except Exception as e:  # noqa: BLE001
                done({"name": spec["name"], "harness_error": f"{type(e).__name__}: {e}"})

    def run_all(self, specs, progress):
        results = [None] * len(specs)
        finished = threading.Semaphore(0)
        for i, spec in enumerate(specs):
            def done(result, i=i):
                results[i] = result
                progress(result)
                finished.release()
            self.jobs.put((spec, done))
        for _ in specs:
            finished.acquire()
        return results

    def close(self):
        for _ in self.threads:
            self.jobs.put(None)
        for process in self.processes:
            process.stdin.close()
            process.wait(timeout=60)


def spec_for(scenario, policy, name=None):
    return {
        "name": name or scenario.name,
        "template": scenario.template,
        "count": scenario.count,
        "files": scenario.files,
        "policy": policy,
        "setup": scenario.setup,
    }


# ---------------------------------------------------------------- verdicts

def created(result, kind):
    before = {r.get("id") or r.get("name") for r in result.get("before", {}).get(kind, [])}
    return [r for r in result.get("after", {}).get(kind, []) if (r.get("id") or r.get("name")) not in before]


def leaks(result):
    """What ORB created and left behind after its return."""
    left = []
    left += [f"fleet {f['id']} ({f['state']})" for f in created(result, "fleets") if not f["state"].startswith("deleted")]
    left += [f"spot fleet request {f['id']} ({f['state']})" for f in created(result, "spot_fleets")
             if not f["state"].startswith("cancelled")]
    left += [f"auto scaling group {g['name']}" for g in created(result, "groups")]
    left += [f"launch template {t['name']}" for t in created(result, "launch_templates")]
    left += [f"instance {i['id']} ({i['state']})" for i in created(result, "instances")
             if i["state"] not in ("terminated", "shutting-down")]
    return left


def untagged(result):
    """ORB's own resources that lack its `orb:managed-by` tag."""
    missing = []
    for kind in ("fleets", "spot_fleets", "groups", "launch_templates"):
        for r in created(result, kind):
            if "orb:managed-by" not in r.get("tags", {}):
                missing.append(f"{kind[:-1].replace('_', ' ')} {r.get('id') or r.get('name')}")
    return missing


def completed(result, count):
    """The request reached `complete` with machines (weighted capacity may need fewer than `count`) and
    their return reached `complete`."""
    request = result.get("request") or {}
    ret = result.get("return") or {}
    machines = request.get("machines", [])
    return (request.get("status") == "complete" and 0 < len(machines) <= count
            and ret.get("status") == "complete")


def failure_reason(result):
    if result.get("harness_error"):
        return "harness: " + result["harness_error"].strip().splitlines()[-1]
    request = result.get("request") or {}
    for command in result.get("commands", []):
        output = command.get("output")
        if isinstance(output, dict) and output.get("requests"):
            first = output["requests"][0]
            if first.get("status") in ("failed", "complete_with_error"):
                return f"{first.get('request_id')}: {first.get('status')}: {first.get('message', '')[:300]}"
        if command.get("exit"):
            return f"`orb {' '.join(command['argv'][:2])}` exited {command['exit']}"
    if request.get("status") != "complete":
        return f"request {request.get('status')}"
    return f"return {(result.get('return') or {}).get('status')}"


NOISE = [
    re.compile(r"(req|ret)-[0-9a-f-]{36}"), re.compile(r"\b(i|lt|fleet|sfr|subnet|sg|ami)-[0-9a-f-]+"),
    re.compile(r"\d+(\.\d+)?s\b"), re.compile(r"\d{4}-\d\d-\d\dT[\d:.+]+Z?"),
]


def normalised(message):
    for pattern in NOISE:
        message = pattern.sub("…", message)
    return message


def warnings_of(result):
    return {normalised(f"{log['level']} {log['logger']}: {log['message']}") for log in result.get("logs", [])}


def outcome(result, baseline, count):
    """fails | degrades | nothing, with the evidence."""
    if not completed(result, count):
        return "fails", failure_reason(result)
    evidence = []
    new_leaks = _new(leaks(result), leaks(baseline))
    if new_leaks:
        evidence.append("left behind: " + ", ".join(new_leaks))
    new_untagged = _new(untagged(result), untagged(baseline))
    if new_untagged:
        evidence.append("untagged: " + ", ".join(new_untagged))
    new_warnings = sorted(warnings_of(result) - warnings_of(baseline))
    if new_warnings:
        evidence.append(f"{len(new_warnings)} new warning(s): " + " | ".join(w[:200] for w in new_warnings[:3]))
    return ("degrades", "; ".join(evidence)) if evidence else ("nothing", "")


def _ids_free(items):
    return [normalised(i) for i in items]


def _new(now, before):
    """Items of `now` beyond those of `before`, compared without ids."""
    remaining = _ids_free(before)
    out = []
    for item in now:
        key = normalised(item)
        if key in remaining:
            remaining.remove(key)
        else:
            out.append(item)
    return out


def glob_match(pattern, value):
    regex = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.fullmatch(regex, value) is not None


def needed_actions(template):
    """action -> (strongest severity, [needs])"""
    out = {}
    for need in template["needs"]:
        entry = out.setdefault(need["action"], ["note", []])
        if OUTCOME_RANK[SEVERITY_OUTCOME[need["severity"]]] > OUTCOME_RANK[SEVERITY_OUTCOME[entry[0]]]:
            entry[0] = need["severity"]
        entry[1].append(need)
    return out


def profile_roles(setup):
    return {p["name"]: f"arn:aws:iam::{ACCOUNT}:role/{p['role']}" for p in setup.get("instance_profiles", [])}


# ORB resolves `/aws/service/` images when it loads templates, before it validates a request; a denial
# there is only logged (configuration_manager.py:384-395), so a template ORB refuses needs nothing.
LOAD_TIME = {"ssm:GetParameter"}


def call_set_verdict(scenario, view, result):
    requests = callmap.requests_of(result.get("calls", []), ACCOUNT, REGION, profile_roles(scenario.setup))
    needed = needed_actions(view["template"])
    if scenario.expect.get("outcome") == "refused":
        beyond = sorted(set(requests.direct()) - LOAD_TIME)
        details = {"called": requests.direct(), "implied": [], "missing": beyond,
                   "extra": sorted(needed), "resources": [], "implied_why": {},
                   "note": "ORB refuses the template: orb-scan must need nothing, and ORB call nothing but "
                           "the load-time image lookup"}
        return ("pass" if not (beyond or needed) else "fail"), details
    implied = requests.by_action()
    missing = sorted(set(implied) - set(needed))
    extra = sorted(set(needed) - set(implied))
    unscoped = []
    for action, reqs in implied.items():
        if action not in needed:
            continue
        patterns = [n["resource"] for n in needed[action][1]]
        for r in reqs:
            if r.resource and not any(glob_match(p, r.resource) for p in patterns):
                unscoped.append(f"{action} on {r.resource} (orb-scan grants {', '.join(patterns)})")
    details = {
        "called": requests.direct(),
        "implied": sorted({r.action for r in requests.requests if r.implied} - set(requests.direct())),
        "missing": missing,
        "extra": extra,
        "resources": unscoped,
        "implied_why": {r.action: {"why": r.why, "aws": r.aws} for r in requests.requests if r.implied},
    }
    ok = not (missing or extra or unscoped)
    return ("pass" if ok else "fail"), details


RESOLVED = ("provider_api", "fleet_type", "fleet_role", "machine_role", "launch_template_id")


def resolution_verdict(scenario, view, result):
    """orb-scan's resolved template against the one ORB provisioned from."""
    provisioned = [p.get("template") for p in result.get("provisioned", []) if p.get("template")]
    template = view["template"]
    if not provisioned:
        handler_ok = template["handler"] is None or scenario.expect.get("outcome") == "refused"
        return ("pass" if handler_ok else "fail"), {"note": "ORB provisioned nothing"}
    orb = dict(provisioned[0])
    # Before 1.8.4 ORB's template field for the image was `image_id`.
    orb.setdefault("machine_image", orb.get("image_id"))
    mine = {k: (template["settings"].get(k) or {}).get("value") for k in RESOLVED}
    # The handler ORB routes to, after HostFactory's aliases (AutoScalingGroup is ASG).
    mine["provider_api"] = template["handler"]
    theirs = {k: orb.get(k) for k in RESOLVED}
    # The fleet role ORB passes may come from the provider's config, past the template: compare the role
    # ORB passed (IamFleetRole) with the role orb-scan resolved, as ORB expands it.
    passed = [c["params"]["SpotFleetRequestConfig"].get("IamFleetRole") for c in result.get("calls", [])
              if c["operation"] == "RequestSpotFleet"]
    if passed:
        theirs["fleet_role"] = passed[0]
        mine["fleet_role"] = expanded_fleet_role(mine["fleet_role"])
    if template["handler"] not in ("EC2Fleet", "SpotFleet"):
        mine["fleet_type"] = theirs["fleet_type"] = None
    if template["handler"] != "SpotFleet":
        mine["fleet_role"] = theirs["fleet_role"] = None
    # Placeholders (${LT}) are substituted only in ORB's copy: a launch template is compared as pinned or not.
    mine["launch_template_id"] = bool(mine["launch_template_id"])
    theirs["launch_template_id"] = bool(theirs["launch_template_id"])
    differ = {k: {"orb-scan": mine[k], "ORB": theirs[k]} for k in RESOLVED if mine[k] != theirs[k]}
    image = _substituted((template["settings"].get("machine_image") or {}).get("value"), result)
    ssm_names = [c["params"]["Name"] for c in result.get("calls", []) if c["operation"] == "GetParameter"]
    image_ok = (image in ssm_names) if not image.startswith(("ami-", "arn:")) else (orb.get("machine_image") == image)
    if not image_ok:
        differ["machine_image"] = {"orb-scan": image, "ORB": orb.get("machine_image"), "ssm": ssm_names}
    # `expect.provisioned` is what ORB DEFAULT_ORB provisioned. Another release is judged by orb-scan's
    # agreement with it alone (`orb_version` selects its requirements); where it provisions otherwise
    # than DEFAULT_ORB, that is what the release changed, and the report lists it.
    expected = scenario.expect.get("provisioned", {})
    unexpected = {k: {"expected": v, "ORB": orb.get(k)} for k, v in expected.items() if orb.get(k) != v}
    details = {"differ": differ,
               "orb": {k: orb.get(k) for k in (*RESOLVED, "machine_image", "launch_template_id", "price_type")}}
    if _version("orb-py") == DEFAULT_ORB:
        details["unexpected"] = unexpected
    else:
        details["unlike_default"] = unexpected
        unexpected = {}
    return ("pass" if not (differ or unexpected) else "fail"), details


SPOT_FLEET_ALIASES = ("AWSServiceRoleForEC2SpotFleet", "AmazonEC2SpotFleetTaggingRole")


def expanded_fleet_role(value):
    """The IamFleetRole ORB sends for a fleet role setting (spot_fleet/handler.py: the aliases become the
    Spot Fleet service-linked role's ARN in the caller's account; anything else is sent as written)."""
    if value in SPOT_FLEET_ALIASES or (value or "").endswith("ec2fleet.amazonaws.com/AWSServiceRoleForEC2Fleet"):
        return f"arn:aws:iam::{ACCOUNT}:role/aws-service-role/spotfleet.amazonaws.com/AWSServiceRoleForEC2SpotFleet"
    return value


def _substituted(text, result):
    for key, value in (result.get("values") or {}).items():
        text = text.replace("${" + key + "}", value)
    return text


def sufficiency_verdict(scenario, view, result):
    want = scenario.expect.get("outcome", "complete")
    codes = view["codes"]
    expected_codes = scenario.expect.get("orb_scan", [])
    missing_codes = [c for c in expected_codes if c not in codes]
    details = {"orb_scan_codes": codes}
    if missing_codes:
        details["missing_codes"] = missing_codes
    if want == "refused":
        refused = not completed(result, scenario.count)
        details["orb"] = failure_reason(result) if refused else "completed"
        errors = [d for d in view["diagnostics"] if d["severity"] == "error"]
        details["orb_scan_errors"] = [f"{d['code']} {d['message']}" for d in errors]
        ok = refused and bool(errors) and not missing_codes
        return ("pass" if ok else "fail"), details
    if not completed(result, scenario.count):
        details["orb"] = failure_reason(result)
        return "fail", details
    allowed = set(scenario.expect.get("leaves", []))
    left = [item for item in leaks(result) if not any(item.startswith(kind) for kind in allowed)]
    details["left_behind"] = left
    details["left_by_design"] = [item for item in leaks(result) if item not in left]
    return ("pass" if not left and not missing_codes else "fail"), details


def load_mock_limits():
    return tomllib.loads((HERE / "mock_limits.toml").read_text())["limit"]


def drop_verdict(action, claimed, observed, evidence, limits):
    expected = SEVERITY_OUTCOME.get(claimed, "nothing")
    if observed == expected:
        return "pass", None
    for limit in limits:
        if limit["action"] == action and limit["observed"] == observed and limit["claimed"] == claimed:
            return "mock-limit", limit["id"]
    return "fail", None


# ---------------------------------------------------------------- the run

def run(args):
    groups = ["scenarios", "held-out", "shipped"]
    scenarios = load_scenarios(groups, args.scenario)
    if not scenarios:
        raise SystemExit("conformance: no scenario matches")
    limits = load_mock_limits()
    started = time.monotonic()
    print(f"conformance: {len(scenarios)} scenarios, matrix {args.matrix}, orb-py {_version('orb-py')}, "
          f"moto {_version('moto')}, {args.jobs} worker(s)", file=sys.stderr)
    views = {s.name: orb_scan_view(args.orb_scan, s) for s in scenarios}
    workers = Workers(args.jobs, spec_for(scenarios[0], for_mock(views[scenarios[0].name]["policy"])))
    progress = _progress(args.results)
    try:
        baselines = workers.run_all(
            [spec_for(s, for_mock(views[s.name]["policy"])) for s in scenarios], progress)
        report = []
        drops = []
        for s, result in zip(scenarios, baselines):
            entry = {"name": s.name, "group": s.group, "summary": s.summary, "template": s.template,
                     "handler": views[s.name]["template"]["handler"], "seconds": result.get("seconds"),
                     "outcome": s.expect.get("outcome", "complete")}
            entry["sufficiency"] = sufficiency_verdict(s, views[s.name], result)
            entry["resolution"] = resolution_verdict(s, views[s.name], result)
            entry["call_set"] = call_set_verdict(s, views[s.name], result)
            entry["needs"] = sorted({(n["action"], n["severity"], n["requirement"])
                                     for n in views[s.name]["template"]["needs"]})
            entry["calls"] = [f"{callmap.action_of(c)}" + (f" !{c['error']}" if "error" in c else "")
                              for c in result.get("calls", [])]
            report.append(entry)
            if args.matrix != "baseline" and s.group == "scenarios" and completed(result, s.count):
                needed = needed_actions(views[s.name]["template"])
                for action in entry["call_set"][1]["called"]:
                    claimed = needed.get(action, ["none"])[0]
                    policy = for_mock(without(views[s.name]["policy"], action))
                    drops.append((entry, s, result, action, claimed,
                                  spec_for(s, policy, name=f"{s.name} without {action}")))
        if drops:
            print(f"conformance: drop one: {len(drops)} runs", file=sys.stderr)
            results = workers.run_all([d[-1] for d in drops], progress)
            for (entry, s, baseline, action, claimed, _), result in zip(drops, results):
                observed, evidence = outcome(result, baseline, s.count)
                verdict, limit = drop_verdict(action, claimed, observed, evidence, limits)
                entry.setdefault("drop_one", []).append({
                    "action": action, "claimed": claimed, "observed": observed, "verdict": verdict,
                    "limit": limit, "evidence": evidence})
    finally:
        workers.close()
    meta = {
        "orb_py": _version("orb-py"), "moto": _version("moto"), "boto3": _version("boto3"),
        "matrix": args.matrix, "seconds": round(time.monotonic() - started),
        "date": datetime.date.today().isoformat(),
        "command": command_line(args),
    }
    return meta, report, limits


def command_line(args):
    """The run.sh command that repeats this run (output files left out)."""
    words = ["conformance/run.sh"]
    if _version("orb-py") != DEFAULT_ORB:
        words += ["--orb-version", _version("orb-py")]
    words += ["--matrix", args.matrix]
    for pattern in args.scenario:
        words += ["--scenario", pattern]
    if args.write_report:
        words.append("--write-report")
    return " ".join(words)


def _version(name):
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "absent"


def _progress(results_file):
    lock = threading.Lock()
    count = [0]
    sink = open(results_file, "w") if results_file else None

    def progress(result):
        with lock:
            if sink:
                sink.write(json.dumps(result) + "\n")
                sink.flush()
            count[0] += 1
            state = "error" if result.get("harness_error") else (result.get("request") or {}).get("status")
            print(f"  [{count[0]}] {result.get('name')}: {state} ({result.get('seconds')} s)", file=sys.stderr)

    return progress


def failed(entry):
    verdicts = [entry[k][0] for k in ("sufficiency", "resolution", "call_set")]
    verdicts += [d["verdict"] for d in entry.get("drop_one", [])]
    return "fail" in verdicts


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--orb-scan", required=True, help="the orb-scan binary to judge")
    parser.add_argument("--matrix", choices=["baseline", "drop-one", "all"], default="baseline",
                        help="baseline: one run per scenario (sufficiency, resolution, call set); drop-one: "
                        "also every directly called action removed in turn; all: the same as drop-one")
    parser.add_argument("--scenario", action="append", default=[], help="only scenarios matching this glob")
    parser.add_argument("-j", "--jobs", type=int, default=2, help="worker processes (at most 2)")
    parser.add_argument("--write-report", action="store_true",
                        help="write docs/conformance.md and docs/conformance.json from this run")
    parser.add_argument("--json", help="also write the verdicts with their evidence to this file")
    parser.add_argument("--results", help="also write every run's raw record (calls, logs, outputs) to "
                        "this file, one JSON line per run")
    args = parser.parse_args()
    args.jobs = max(1, min(args.jobs, 2))
    import report as reporting

    meta, entries, limits = run(args)
    if args.json:
        Path(args.json).write_text(json.dumps({"meta": meta, "scenarios": entries}, indent=1) + "\n")
    if args.write_report:
        reporting.write(REPO / "docs", meta, entries, limits, DEFAULT_ORB)
    print(reporting.summary(meta, entries))
    bad = [e["name"] for e in entries if failed(e)]
    if bad:
        print(f"conformance: {len(bad)} scenario(s) disagree: {', '.join(bad)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
