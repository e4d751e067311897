"""What the AWS calls ORB made ask of IAM: each call's own action, and the requests AWS authorizes
behind it that moto never checks (iam:PassRole for a fleet role or an instance profile, ec2:CreateTags
for TagSpecifications, the instance launch behind a fleet or a group, the service-linked role created on
first use). Every implied request names the AWS page that says so."""

from dataclasses import dataclass, field

AWS = {
    "tagging": "https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/supported-iam-actions-tagging.html",
    "pass_role": "https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/permission-to-pass-iam-roles.html",
    "ec2_fleet": "https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/ec2-fleet-prerequisites.html",
    "spot_fleet": "https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/spot-fleet-prerequisites.html",
    "asg": "https://docs.aws.amazon.com/autoscaling/ec2/userguide/ec2-auto-scaling-launch-template-permissions.html",
    "asg_slr": "https://docs.aws.amazon.com/autoscaling/ec2/userguide/autoscaling-service-linked-role.html",
}

# Actions AWS never denies: they need no permission, so no policy needs them.
NO_PERMISSION = {
    "sts:GetCallerIdentity": "https://docs.aws.amazon.com/STS/latest/APIReference/API_GetCallerIdentity.html",
}

# Calls that launch instances from a launch template, and the parameter naming it.
LAUNCHES = {"CreateFleet", "RequestSpotFleet", "CreateAutoScalingGroup", "RunInstances"}


@dataclass(frozen=True)
class Request:
    """One IAM request: the action, and the resource ARN when the harness knows it."""

    action: str
    resource: str | None = None
    implied: bool = False
    why: str = ""
    aws: str = ""


@dataclass
class CallSet:
    requests: list[Request] = field(default_factory=list)

    def add(self, request):
        if request not in self.requests:
            self.requests.append(request)

    def direct(self):
        return sorted({r.action for r in self.requests if not r.implied})

    def actions(self):
        return sorted({r.action for r in self.requests})

    def by_action(self):
        out = {}
        for r in self.requests:
            out.setdefault(r.action, []).append(r)
        return out


def action_of(call):
    """The IAM action a botocore call is authorized as: for the services ORB uses, the signing name and
    the operation name (ec2:CreateFleet, autoscaling:CreateAutoScalingGroup, ssm:GetParameter, ...)."""
    return f"{call['signing']}:{call['operation']}"


def resource_of(call, account, region):
    """The ARN a call acts on, where IAM scopes it and the table scopes it too."""
    params = call["params"]
    op = call["operation"]
    if op == "GetParameter":
        name = params["Name"].lstrip("/")
        owner = "" if params["Name"].startswith("/aws/service/") else account
        return f"arn:aws:ssm:{region}:{owner}:parameter/{name}"
    if op == "GetRole":
        return f"arn:aws:iam::{account}:role/{params['RoleName']}"
    return None


def _service_linked_role(service, role, aws, why):
    """iam:CreateServiceLinkedRole on `role` of `service`: AWS creates it on first use, as the caller."""
    arn = f"arn:aws:iam::*:role/aws-service-role/{service}/{role}"
    return Request("iam:CreateServiceLinkedRole", arn, implied=True, aws=aws, why=why)


def _has_tags(params):
    return bool(params.get("TagSpecifications")) or bool(
        (params.get("LaunchTemplateData") or {}).get("TagSpecifications")
    )


def _launch_template_ids(op, params):
    """The launch template ids or names a launching call names."""
    specs = []
    if op == "CreateFleet":
        specs = [c.get("LaunchTemplateSpecification", {}) for c in params.get("LaunchTemplateConfigs", [])]
    elif op == "RequestSpotFleet":
        configs = params.get("SpotFleetRequestConfig", {}).get("LaunchTemplateConfigs", [])
        specs = [c.get("LaunchTemplateSpecification", {}) for c in configs]
    elif op == "CreateAutoScalingGroup":
        specs = [params.get("LaunchTemplate") or {}]
        mixed = params.get("MixedInstancesPolicy", {}).get("LaunchTemplate", {})
        specs.append(mixed.get("LaunchTemplateSpecification", {}))
    elif op == "RunInstances":
        specs = [params.get("LaunchTemplate") or {}]
    return {v for s in specs for v in (s.get("LaunchTemplateId"), s.get("LaunchTemplateName")) if v}


def requests_of(calls, account, region, profile_roles):
    """The IAM requests ORB's calls imply. `profile_roles` maps instance profile names to the ARN of
    the role inside (the harness created them)."""
    out = CallSet()
    # Launch templates ORB created or versioned in this run, by id and name: their instance profile.
    template_profiles = {}
    for call in calls:
        op, params = call["operation"], call["params"]
        if action_of(call) in NO_PERMISSION:
            continue
        out.add(Request(action_of(call), resource_of(call, account, region)))
        if "error" in call and call["error"] not in ("InvalidLaunchTemplateName.NotFoundException",):
            continue
        if op in ("CreateLaunchTemplate", "CreateLaunchTemplateVersion"):
            profile = (params.get("LaunchTemplateData") or {}).get("IamInstanceProfile") or {}
            name = profile.get("Name") or (profile.get("Arn") or "").rsplit("/", 1)[-1]
            created = (call.get("response") or {}).get("LaunchTemplate") or {}
            for key in (created.get("LaunchTemplateId"), params.get("LaunchTemplateName"),
                        params.get("LaunchTemplateId")):
                if key and name:
                    template_profiles[key] = name
        if _has_tags(params) and op != "CreateTags":
            out.add(Request("ec2:CreateTags", implied=True, aws=AWS["tagging"],
                            why=f"{op} carries TagSpecifications, which AWS authorizes as ec2:CreateTags"))
        if op not in LAUNCHES:
            continue
        for lt in _launch_template_ids(op, params):
            if lt in template_profiles:
                role = profile_roles.get(template_profiles[lt])
                out.add(Request("iam:PassRole", role, implied=True, aws=AWS["pass_role"],
                                why=f"{op} launches from a launch template with instance profile "
                                    f"{template_profiles[lt]}: AWS checks iam:PassRole on its role"))
        if op == "CreateFleet":
            if params.get("Type") == "instant":
                out.add(Request("ec2:RunInstances", implied=True, aws=AWS["ec2_fleet"],
                                why="an instant fleet launches without the EC2 Fleet service-linked role, "
                                    "as the caller"))
            else:
                out.add(_service_linked_role(
                    "ec2fleet.amazonaws.com", "AWSServiceRoleForEC2Fleet", AWS["ec2_fleet"],
                    f"a {params.get('Type')} fleet runs under AWSServiceRoleForEC2Fleet, created on first use"))
        elif op == "RequestSpotFleet":
            role = params["SpotFleetRequestConfig"].get("IamFleetRole") or ""
            # Only an ARN names the resource AWS checks; what AWS makes of a bare name is not known here.
            out.add(Request("iam:PassRole", role if role.startswith("arn:") else None, implied=True,
                            aws=AWS["spot_fleet"], why="RequestSpotFleet passes IamFleetRole"))
            out.add(Request("ec2:RunInstances", implied=True, aws=AWS["spot_fleet"],
                            why="AWS requires Spot Fleet users to hold ec2:RunInstances"))
            out.add(_service_linked_role(
                "spotfleet.amazonaws.com", "AWSServiceRoleForEC2SpotFleet", AWS["spot_fleet"],
                "the Spot Fleet service-linked role is created on first use"))
        elif op == "CreateAutoScalingGroup":
            out.add(Request("ec2:RunInstances", implied=True, aws=AWS["asg"],
                            why="creating a group from a launch template needs ec2:RunInstances"))
            out.add(_service_linked_role(
                "autoscaling.amazonaws.com", "AWSServiceRoleForAutoScaling", AWS["asg_slr"],
                "the Auto Scaling service-linked role is created on first use"))
            if params.get("Tags"):
                out.add(Request("autoscaling:CreateOrUpdateTags", implied=True, aws=AWS["asg"],
                                why="CreateAutoScalingGroup carries Tags"))
    return out
