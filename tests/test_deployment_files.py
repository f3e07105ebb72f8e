"""docker-compose.yml, the Dockerfile and .env.example agree with the CLI and the settings they drive.

No Docker engine runs here, so these files are kept correct by reading them against the code.
"""

import importlib
import importlib.util
import re
import shlex
from pathlib import Path
from types import ModuleType

import pytest
import yaml

from ledger.store import is_postgres, store_env

ROOT = Path(__file__).resolve().parent.parent
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
DOCKERFILE = (ROOT / "Dockerfile").read_text()
ENV_EXAMPLE = (ROOT / ".env.example").read_text()
LEDGER_VARIABLE = re.compile(r"\bLEDGER_[A-Z0-9_]+\b")


def _module(name: str) -> ModuleType:
    # Skip only while the module is not written yet; a module that exists but fails to import is an error.
    try:
        found = importlib.util.find_spec(name) is not None
    except ModuleNotFoundError:
        found = False
    if not found:
        pytest.skip(f"{name} does not exist yet")
    return importlib.import_module(name)


def _subcommand_names() -> set[str]:
    return set(_module("api.cli").subcommand_names())


def _settings_variables() -> set[str]:
    settings = _module("api.settings").Settings
    prefix = settings.model_config.get("env_prefix", "")
    return {f"{prefix}{name}".upper() for name in settings.model_fields}


def _service_commands() -> dict[str, list[str]]:
    """The ledger's services (built from this repository's image) and their commands."""
    commands = {}
    for name, service in COMPOSE["services"].items():
        if "command" in service and "build" in service:
            command = service["command"]
            commands[name] = shlex.split(command) if isinstance(command, str) else list(command)
    return commands


def _dockerfile_instructions() -> list[tuple[str, str]]:
    joined = DOCKERFILE.replace("\\\n", " ")  # continuation lines belong to their instruction
    lines = [line for line in joined.splitlines() if line.strip() and not line.startswith("#")]
    return [tuple(line.split(None, 1)) for line in lines]


def _dockerfile_cmd() -> list[str]:
    (cmd,) = [rest for word, rest in _dockerfile_instructions() if word == "CMD"]
    return yaml.safe_load(cmd)  # the exec form is a JSON array, which YAML reads too


def _compose_environment(service: dict) -> dict[str, str]:
    environment = service.get("environment", {})
    if isinstance(environment, list):
        return dict(item.split("=", 1) for item in environment)
    return environment


def test_every_ledger_service_runs_an_award_ledger_subcommand():
    """Each compose service with a command, and the image's CMD, run `award-ledger <a real subcommand>`."""
    commands = {**_service_commands(), "Dockerfile CMD": _dockerfile_cmd()}
    assert {"api", "projector"} <= commands.keys()
    subcommands = _subcommand_names()
    for where, argv in commands.items():
        assert argv[0] == "award-ledger", f"{where}: {argv}"
        assert argv[1] in subcommands, f"{where}: {argv[1]!r} is not one of {sorted(subcommands)}"


def test_every_ledger_variable_is_a_declared_setting():
    """Every LEDGER_* name in docker-compose.yml, the Dockerfile and .env.example is a field of Settings."""
    used = {
        "docker-compose.yml": set(LEDGER_VARIABLE.findall((ROOT / "docker-compose.yml").read_text())),
        "Dockerfile": set(LEDGER_VARIABLE.findall(DOCKERFILE)),
        ".env.example": set(LEDGER_VARIABLE.findall(ENV_EXAMPLE)) - {"LEDGER_LANG"},  # the CLI's, not a setting
    }
    assert used[".env.example"] >= {"LEDGER_DATABASE_URL", "LEDGER_AUTH_FILE"}
    declared = _settings_variables()
    for where, names in used.items():
        assert names <= declared, f"{where} uses {sorted(names - declared)}, not in api.settings.Settings"


def test_store_urls_in_the_deployment_files_are_usable(tmp_path, monkeypatch):
    """Every LEDGER_DATABASE_URL written down is accepted by the store; compose ones reach its postgres."""
    monkeypatch.chdir(tmp_path)  # store_env makes the parent folder of a SQLite file
    postgres = COMPOSE["services"]["postgres"]["environment"]
    for name, service in COMPOSE["services"].items():
        url = _compose_environment(service).get("LEDGER_DATABASE_URL")
        if url is None:
            continue
        env = store_env(url)
        assert is_postgres(url), f"{name}: compose runs on its PostgreSQL service"
        reaches = {key: env[f"POSTGRES_{key}"] for key in ("HOST", "USER", "PASSWORD", "DBNAME")}
        assert reaches == {
            "HOST": "postgres",
            "USER": postgres["POSTGRES_USER"],
            "PASSWORD": postgres["POSTGRES_PASSWORD"],
            "DBNAME": postgres["POSTGRES_DB"],
        }, name
    for text in (DOCKERFILE, ENV_EXAMPLE):
        for url in re.findall(r"LEDGER_DATABASE_URL=(\S+)", text):
            store_env(url)


def test_postgres_is_healthchecked_before_the_ledger_starts():
    """The postgres service has a pg_isready health check, and every ledger service waits for it."""
    services = COMPOSE["services"]
    assert "pg_isready" in " ".join(services["postgres"]["healthcheck"]["test"])
    for name in _service_commands():
        assert services[name]["depends_on"]["postgres"]["condition"] == "service_healthy", name


def test_dockerfile_installs_the_package_and_runs_unprivileged():
    """The image is python:3.11-slim, installs the project with pip, runs as a non-root user, exposes 8000."""
    instructions = _dockerfile_instructions()
    assert instructions[0] == ("FROM", "python:3.11-slim")
    assert any(word == "RUN" and "pip install ." in rest for word, rest in instructions)
    users = [rest for word, rest in instructions if word == "USER"]
    assert users and users[-1] not in ("root", "0"), users
    assert ("EXPOSE", "8000") in instructions


def _interpolated(environment: dict[str, str]) -> dict[str, str]:
    """Compose's `${NAME:-default}` resolved to its default, as on a machine without a .env file."""
    pattern = re.compile(r"\$\{[A-Z0-9_]+:-([^}]*)\}")
    return {name: pattern.sub(lambda m: m[1], str(value)) for name, value in environment.items()}


def _service_settings(name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """The Settings a compose service would run with (its environment only; no .env file)."""
    settings = _module("api.settings").Settings
    monkeypatch.chdir(tmp_path)
    for variable in _settings_variables():
        monkeypatch.delenv(variable, raising=False)
    for variable, value in _interpolated(_compose_environment(COMPOSE["services"][name])).items():
        monkeypatch.setenv(variable, value)
    return settings()


def test_the_api_runs_several_workers_and_leaves_the_read_models_to_the_projector(tmp_path, monkeypatch):
    """The api service runs more than one worker with LEDGER_PROJECTOR=external; the projector runs `project`."""
    api = _service_settings("api", tmp_path, monkeypatch)
    assert api.workers > 1 and api.projector == "external" and api.auth_file is not None
    assert _service_commands()["projector"][:2] == ["award-ledger", "project"]


def test_every_service_environment_is_accepted_by_the_settings(tmp_path, monkeypatch):
    """Each ledger service's environment, with compose defaults filled in, validates as Settings."""
    for name in _service_commands():
        _service_settings(name, tmp_path, monkeypatch)  # raises ValidationError on a bad value


def test_the_api_is_health_checked_on_readiness_and_postgres_keeps_a_volume():
    """Compose checks the api on /readyz, and PostgreSQL's data lives on a named volume."""
    services = COMPOSE["services"]
    assert "/readyz" in " ".join(services["api"]["healthcheck"]["test"])
    (volume,) = [v for v in services["postgres"]["volumes"] if v.endswith(":/var/lib/postgresql/data")]
    assert volume.split(":")[0] in COMPOSE["volumes"]


def test_every_setting_is_written_down_in_env_example_and_the_readme():
    """Each Settings field appears as a LEDGER_* line in .env.example and in the README's configuration table."""
    declared = _settings_variables()
    assert set(LEDGER_VARIABLE.findall(ENV_EXAMPLE)) == declared | {"LEDGER_LANG"}  # the CLI's language too
    assert "`LEDGER_LANG`" in (ROOT / "README.md").read_text()
    readme = (ROOT / "README.md").read_text()
    assert not {name for name in declared if f"`{name}`" not in readme}, "add them to the README's configuration"


def test_the_image_has_no_http_health_check_that_the_projector_would_fail():
    """The image runs the projector and the demo too, so only the compose api service is health-checked over HTTP."""
    assert not [rest for word, rest in _dockerfile_instructions() if word == "HEALTHCHECK"]
    for name in ("projector", "demo"):
        assert "healthcheck" not in COMPOSE["services"][name], name


def test_the_replica_profile_streams_from_postgres_and_the_api_can_read_it(tmp_path, monkeypatch):
    """postgres-replica copies `postgres` with pg_basebackup -R and runs as a hot standby; the api's
    LEDGER_READ_DATABASE_URL is empty by default and, as the comment says to set it, names the replica."""
    services = COMPOSE["services"]
    replica = services["postgres-replica"]
    assert replica["profiles"] == ["replica"] and replica["depends_on"]["postgres"]["condition"] == "service_healthy"
    entrypoint = (ROOT / "deploy" / "postgres-replica.sh").read_text()
    assert "pg_basebackup" in entrypoint and " -R " in entrypoint and "hot_standby=on" in entrypoint
    mounted = " ".join(replica["volumes"] + services["postgres"]["volumes"])
    assert "./deploy/postgres-replica.sh:" in mounted and "./deploy/postgres-allow-replication.sh:" in mounted
    assert "host replication" in (ROOT / "deploy" / "postgres-allow-replication.sh").read_text()
    assert _service_settings("api", tmp_path, monkeypatch).read_database_url in (None, "")
    (suggested,) = re.findall(r"LEDGER_READ_DATABASE_URL=(postgresql://\S+)", (ROOT / "docker-compose.yml").read_text())
    env = store_env(suggested)
    assert env["POSTGRES_HOST"] == "postgres-replica" and env["POSTGRES_DBNAME"] == "ledger"


def test_every_ledger_process_signs_with_one_shared_key():
    """Digests, receipts and snapshot seals agree across processes only if each ledger service reads the same
    Ed25519 key: LEDGER_SIGNING_KEY_FILE names a file on one named volume that every such service mounts."""
    for name, command in _service_commands().items():
        if command[:1] != ["award-ledger"]:
            continue
        service = COMPOSE["services"][name]
        key = _compose_environment(service).get("LEDGER_SIGNING_KEY_FILE", "")
        assert key.startswith("/keys/"), name
        assert "ledger-keys:/keys" in service.get("volumes", []), name
    assert "ledger-keys" in COMPOSE["volumes"]


def test_postgres_takes_every_connection_the_deployment_may_open(tmp_path, monkeypatch):
    """With compose's defaults, the api's workers (with the replica's pool), the projector and the demo together
    open at most what `postgres` takes (max_connections less its 3 reserved ones), with room left for an
    operator; the replica runs with the same max_connections (a hot standby needs at least its primary's), and
    the sum the compose file's comment gives is the one api/connections.py makes."""
    connections = _module("api.connections")
    services = COMPOSE["services"]
    (setting,) = [_interpolated({"c": word})["c"] for word in services["postgres"]["command"]
                  if word.startswith("max_connections=")]
    max_connections = int(setting.split("=")[1])
    assert _interpolated({"c": COMPOSE["x-max-connections"]})["c"] == str(max_connections)
    assert services["postgres-replica"]["environment"]["MAX_CONNECTIONS"] == COMPOSE["x-max-connections"]
    assert 'max_connections="${MAX_CONNECTIONS' in (ROOT / "deploy" / "postgres-replica.sh").read_text()
    api = _service_settings("api", tmp_path, monkeypatch).model_copy(
        update={"read_database_url": "postgresql://ledger:ledger@postgres-replica:5432/ledger"})
    each = sum(connections.worker(api).values())
    projector, demo = sum(connections.projector().values()), sum(connections.one_shot().values())
    total = connections.deployment(api, api.workers) + demo
    assert total == api.workers * each + projector + demo
    operators = 10  # psql, pg_dump, a second `award-ledger` command
    assert total + operators <= max_connections - 3, (total, max_connections)
    said = re.search(r"(\d+) api workers × (\d+) .* projector's (\d+) \+ the demo's (\d+) = (\d+)",
                     (ROOT / "docker-compose.yml").read_text())
    assert said is not None and [int(x) for x in said.groups()] == [api.workers, each, projector, demo, total]


def _image_volume_targets() -> dict[str, str]:
    """{mount point: where it is named} of every volume (named or anonymous, short or long syntax) that a service
    built from this repository's image mounts, in every compose file. Bind mounts are left out: Docker gives those
    the host path's owner, and a file bound onto a folder the image made would fail to mount."""
    targets = {}
    for path in sorted({*ROOT.glob("docker-compose*.y*ml"), *ROOT.glob("compose*.y*ml")}):
        compose = yaml.safe_load(path.read_text())
        named = set(compose.get("volumes") or {})
        for name, service in compose.get("services", {}).items():
            if "build" not in service:
                continue
            for volume in service.get("volumes", []):
                if isinstance(volume, dict):
                    kind, source, target = volume.get("type", "volume"), volume.get("source"), volume["target"]
                else:
                    parts = volume.split(":")
                    source, target = (None, parts[0]) if len(parts) == 1 else (parts[0], parts[1])
                    kind = "volume" if source is None or source in named else "bind"
                if kind == "volume":
                    targets[target.rstrip("/")] = f"{path.name}: {name}: {source or '(anonymous)'}"
    return targets


def _made_and_owned_before_user() -> tuple[set[str], dict[str, str], set[str]]:
    """The folders the image's RUN instructions make (mkdir) before its last USER, who each chowned folder is
    given to, and the names that user goes by (its name and the --uid useradd gave it)."""
    instructions = _dockerfile_instructions()
    last_user = max(i for i, (word, _) in enumerate(instructions) if word == "USER")
    user = instructions[last_user][1].strip()
    made: set[str] = set()
    owners: dict[str, str] = {}
    names = {user.split(":")[0]}
    for word, rest in instructions[:last_user]:
        if word != "RUN":
            continue
        for command in re.split(r"&&|\|\||;", rest):
            argv = shlex.split(command)
            plain = [a for a in argv[1:] if not a.startswith("-")]
            if argv[:1] == ["mkdir"]:
                made |= {a.rstrip("/") for a in plain}
            elif argv[:1] == ["chown"] and plain:
                owners |= {a.rstrip("/"): plain[0].split(":")[0] for a in plain[1:]}
            elif argv[:1] == ["useradd"] and "--uid" in argv and argv[-1] in names:
                names.add(argv[argv.index("--uid") + 1])
    return made, owners, names


def test_every_volume_mount_point_is_made_and_owned_by_the_images_user():
    """A fresh named volume takes the owner of the folder it mounts on, and Docker makes a missing one as root: so
    every volume the compose file mounts into the image (/keys, where the shared signing key is generated) is a
    folder the Dockerfile makes and gives to the user it runs as, before switching to that user."""
    targets = _image_volume_targets()
    assert "/keys" in targets
    made, owners, user = _made_and_owned_before_user()
    for target, where in targets.items():
        assert target in made, f"{where} mounts at {target}: `mkdir -p {target}` in the Dockerfile"
        assert owners.get(target) in user, f"{where} mounts at {target}: chown it to {sorted(user)}"


# Settings the compose file fixes for its containers, rather than taking them from .env.
FIXED_BY_COMPOSE = {"LEDGER_DATABASE_URL", "LEDGER_SIGNING_KEY_FILE", "LEDGER_AUTH_FILE", "LEDGER_HOST",
                    "LEDGER_PORT", "LEDGER_PROJECTOR", "LEDGER_BANK_COLUMNS"}
# Compose defaults that differ from the settings' own, on purpose.
COMPOSE_DEFAULTS = {"LEDGER_WORKERS": "4"}


def test_every_setting_reaches_the_api_from_dot_env_with_the_settings_default():
    """Compose passes a container only what its environment names, so a setting written in .env and named nowhere
    in docker-compose.yml was silently ignored (LEDGER_COOKIE_SECURE, LEDGER_MAX_BODY_BYTES...: an operator probe).
    Every setting is interpolated into the api's environment from .env, or fixed there on purpose; its default is
    the settings' own unless named above."""
    settings = _module("api.settings").Settings
    environment = _compose_environment(COMPOSE["services"]["api"])
    missing = sorted(_settings_variables() - FIXED_BY_COMPOSE - set(environment))
    assert missing == [], f"interpolate them into docker-compose.yml's environment: {missing}"
    for name, value in environment.items():
        found = re.fullmatch(r"\$\{(LEDGER_\w+):-(.*)\}", str(value))
        if name in FIXED_BY_COMPOSE:
            assert found is None, f"{name} is fixed by the compose file, not read from .env"
            continue
        assert found is not None and found[1] == name, f"{name}: {value!r} does not read .env's {name}"
        field = settings.model_fields[name.removeprefix("LEDGER_").lower()]
        default = COMPOSE_DEFAULTS.get(name, "" if field.default is None else str(field.default))
        assert found[2].lower() in (default.lower(), default.lower().removesuffix(".0")), (name, found[2], default)


def _installed_data() -> set[Path]:
    """The files besides modules that `pip install .` (the Dockerfile's) puts in the image: each package's
    `[tool.setuptools.package-data]` globs, as setuptools reads them."""
    import tomllib

    declared = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["package-data"]
    found: set[Path] = set()
    for package, patterns in declared.items():
        folder = ROOT.joinpath(*package.split("."))
        found |= {p for pattern in patterns for p in folder.glob(pattern) if p.is_file()}
    return found


def test_every_file_the_packages_read_is_installed_with_them():
    """The bank columns' names (ledger/bank_files/columns.toml) were left out of the package: installed as the
    Dockerfile installs it, every statement import was refused for a file missing from the install, while serve
    reported ready (an operator probe). Every file beside the modules of a package is declared package data."""
    installed = _installed_data()
    beside = [p for top in ("ledger", "api", "projections") for p in (ROOT / top).rglob("*")
              if p.is_file() and p.suffix not in (".py", ".pyc") and "__pycache__" not in p.parts]
    assert beside and (ROOT / "ledger/bank_files/columns.toml") in beside
    missing = sorted(str(p.relative_to(ROOT)) for p in beside if p not in installed)
    assert not missing, f"not installed by `pip install .`: {missing}; add them to [tool.setuptools.package-data]"


def test_the_principals_file_is_mounted_with_its_folder_so_an_edit_is_seen():
    """A file bind-mounted alone keeps the inode it was mounted with: a principals file replaced by an editor (sed -i)
    went unseen, a token removed still signing in (an operator probe). The api mounts the folder that holds it."""
    api = COMPOSE["services"]["api"]
    auth = Path(api["environment"]["LEDGER_AUTH_FILE"])
    mounts = [str(v).split(":") for v in api.get("volumes", [])]
    holding = [m for m in mounts if len(m) >= 2 and Path(m[1]) == auth.parent]
    assert holding, mounts
    assert not [m for m in mounts if len(m) >= 2 and Path(m[1]) == auth], "the file itself is mounted alone"
