"""The capstone CNN: multiply-add reduction and measured CPU speedup within 1 point.

To come with lesson 12: the digits CNN of ``minprune.torchkit`` compressed by
filter pruning with real surgery, mean and spread over seeds.
"""

TITLE = "Capstone CNN: multiply-add reduction and CPU speedup within 1 point"
GOAL = "at least 3x fewer multiply-adds and 2x measured CPU speedup within 1 point"


def unavailable():
    return "the capstone's compression recipe (lesson 12) is not written yet"
