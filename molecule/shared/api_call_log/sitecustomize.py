"""Record every AWS API call made by Ansible module processes (test helper).

no_write_calls.yml puts this directory on PYTHONPATH of a child ansible-playbook and sets
AWS_API_CALL_LOG; each botocore client then appends "<service>:<Operation>" to that file
before every call. Works against any endpoint, unlike amazon.aws's botocore endpoint logs,
which only recognise https:// URLs and record nothing against the local http:// emulator.
"""

import os

_LOG = os.environ.get("AWS_API_CALL_LOG")

if _LOG:
    import botocore.session

    def _record(model=None, **_kwargs):
        with open(_LOG, "a", encoding="utf-8") as handle:
            handle.write(f"{model.service_model.service_name}:{model.name}\n")

    _create_client = botocore.session.Session.create_client

    def _create_recording_client(self, *args, **kwargs):
        client = _create_client(self, *args, **kwargs)
        client.meta.events.register("before-call", _record)
        return client

    botocore.session.Session.create_client = _create_recording_client
