"""RDS for PostgreSQL engine versions, which moto 5.2.5 does not model.

moto has no DescribeDBEngineVersions and accepts any EngineVersion on CreateDBInstance. AWS offers
a changing set of minors per major, one of them the default, and retires old minors: a create that
names a retired minor fails with InvalidParameterCombination "Cannot find version X for postgres",
and a create that names only the major gets the major's default minor.

The versions below are a fixed sample, not AWS's current list: tests read the default from
DescribeDBEngineVersions instead of assuming it.
"""

POSTGRES_VERSIONS = {
    # major: (offered minors, default minor)
    "13": (("13.21", "13.22"), "13.22"),
    "14": (("14.18", "14.19"), "14.19"),
    "15": (("15.13", "15.14"), "15.14"),
    "16": (("16.10", "16.11"), "16.10"),
    "17": (("17.6", "17.7"), "17.6"),
}


def _matching(engine_version, default_only):
    found = []
    for major, (minors, default) in POSTGRES_VERSIONS.items():
        for minor in minors:
            if engine_version and engine_version not in (major, minor):
                continue
            if default_only and minor != default:
                continue
            found.append((major, minor))
    return found


def resolve(engine_version):
    """The concrete version CreateDBInstance ends up with, or None when RDS does not offer it."""
    if engine_version in POSTGRES_VERSIONS:
        return POSTGRES_VERSIONS[engine_version][1]
    for minors, _ in POSTGRES_VERSIONS.values():
        if engine_version in minors:
            return engine_version
    return None


def apply():
    from moto.core.responses import ActionResult
    from moto.rds import responses
    from moto.rds.exceptions import RDSClientError

    class InvalidParameterCombination(RDSClientError):
        def __init__(self, message):
            super().__init__("InvalidParameterCombination", message)

    def describe_db_engine_versions(self):
        engine = self._get_param("Engine")
        versions = []
        if engine in (None, "postgres"):
            default_only = str(self._get_param("DefaultOnly", False)).lower() == "true"
            for major, minor in _matching(self._get_param("EngineVersion"), default_only):
                versions.append({
                    "Engine": "postgres",
                    "EngineVersion": minor,
                    "MajorEngineVersion": major,
                    "DBParameterGroupFamily": f"postgres{major}",
                    "DBEngineDescription": "PostgreSQL",
                    "DBEngineVersionDescription": f"PostgreSQL {minor}-R1",
                    "Status": "available",
                })
        return ActionResult({"DBEngineVersions": versions})

    create = responses.RDSResponse.create_db_instance

    def create_db_instance(self):
        if self._get_param("Engine") == "postgres":
            requested = self._get_param("EngineVersion")
            if requested:
                concrete = resolve(requested)
                if concrete is None:
                    raise InvalidParameterCombination(f"Cannot find version {requested} for postgres")
                self.params["EngineVersion"] = concrete
        return create(self)

    responses.RDSResponse.describe_db_engine_versions = describe_db_engine_versions
    responses.RDSResponse.create_db_instance = create_db_instance
