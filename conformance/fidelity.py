"""Where moto answers differently from AWS in a way that sends ORB down a path it never takes on AWS, the
mock is corrected here, each correction with the AWS reference that says what AWS does. Nothing here
loosens or tightens IAM: moto authorizes every action before it reaches these methods.

The suite's report lists these corrections (FIDELITY below), so a reader knows what the mock was taught.
"""

from moto.core.responses import ActionResult
from moto.ec2.responses.fleets import Fleets
from moto.ec2.responses.spot_fleets import SpotFleets

FIDELITY = [
    {
        "what": "DescribeSpotFleetRequests returns the request's Type",
        "why": "moto drops `Type` from RequestSpotFleet, so ORB's return takes every fleet for `maintain` "
        "(release_manager.py: a missing Type defaults to maintain) and calls ModifySpotFleetRequest "
        "for request fleets, which it never does on AWS",
        "aws": "https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_SpotFleetRequestConfigData.html",
    },
    {
        "what": "ModifyFleet changes an EC2 Fleet's total target capacity",
        "why": "moto does not implement ModifyFleet, so every maintain fleet's return failed on the mock "
        "whatever the policy",
        "aws": "https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_ModifyFleet.html",
    },
    {
        "what": "DeleteFleets with TerminateInstances succeeds when the fleet has no instance left",
        "why": "moto calls TerminateInstances with an empty list and fails with InvalidParameterCombination, so "
        "ORB's return retried for 7 s and logged that the fleet was not deleted after ORB had "
        "terminated its instances itself (instant and maintain fleets)",
        "aws": "https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DeleteFleets.html",
    },
]


def _request_spot_fleet_with_type(original):
    def request_spot_fleet(self):
        result = original(self)
        config = self._get_param("SpotFleetRequestConfig", {})
        fleet_id = result.result["SpotFleetRequestId"]
        # AWS's default Type is `maintain` (SpotFleetRequestConfigData.Type).
        self.ec2_backend.spot_fleet_requests[fleet_id].fleet_type = config.get("Type", "maintain")
        return result

    return request_spot_fleet


def _config_with_type(request):
    config = _ORIGINAL_CONFIG.fget(request)
    fleet_type = getattr(request, "fleet_type", None)
    if fleet_type is not None:
        config["Type"] = fleet_type
    return config


_ORIGINAL_CONFIG = None


def _modify_fleet(self):
    fleet_id = self._get_param("FleetId")
    capacity = self._get_param("TargetCapacitySpecification", {})
    fleet = self.ec2_backend.fleets[fleet_id]
    if "TotalTargetCapacity" in capacity:
        fleet.target_capacity = int(capacity["TotalTargetCapacity"])
        fleet.target_capacity_specification["TotalTargetCapacity"] = fleet.target_capacity
    return ActionResult({"Return": True})


def _terminate_fleet_instances(original):
    def terminate_instances(self):
        live = [
            r for r in self.spot_requests + self.on_demand_instances
            if _instance_of(r).state != "terminated"
        ]
        if live:
            original(self)

    return terminate_instances


def _instance_of(request):
    return request["instance"] if isinstance(request, dict) else request.instance


def apply():
    global _ORIGINAL_CONFIG
    from moto.ec2.models.fleets import Fleet
    from moto.ec2.models.spot_requests import SpotFleetRequest

    if _ORIGINAL_CONFIG is None:
        _ORIGINAL_CONFIG = SpotFleetRequest.spot_fleet_request_config
        SpotFleetRequest.spot_fleet_request_config = property(_config_with_type)
        SpotFleets.request_spot_fleet = _request_spot_fleet_with_type(SpotFleets.request_spot_fleet)
        Fleets.modify_fleet = _modify_fleet
        Fleet.terminate_instances = _terminate_fleet_instances(Fleet.terminate_instances)
