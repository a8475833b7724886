"""What a scenario's own code gives the framework's flows: ``scenarios/<id>/steps.py``.

jimu's flows know the shape of a job (scans → review → a system; an export → a system →
written back), never the business. The record, how a form's values become one, and which
verbs of which registered system receive it are the scenario's, in its folder::

    # scenarios/<id>/steps.py
    from systems.business_system import BusinessSystem, ChildAllowanceApplication

    target_system = "business-system"            # listed in scenario.yaml: systems
    record_from_json = ChildAllowanceApplication.model_validate_json

    def target(robot, connection):               # verbs with ensure_registered(record)
        return connection.verbs(BusinessSystem, robot)

    def record_from_values(document_id, values): # paper: a form's fields → a record
        ...

A missing name is a :class:`ConfigError` that says which, and which flow needs it. The two
scenarios of the repository are the worked examples (``docs/authoring.md``).
"""

from __future__ import annotations

import dataclasses
import traceback
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol, TypeVar

from core.errors import ConfigError, JimuError
from core.scenario import ScenarioConfig, scenario_module, scenarios_dir
from core.secrets import get_secret
from core.systems import SystemConfig
from robots import RobotWorker

__all__ = [
    "ApplicationSource",
    "Connection",
    "ExportSteps",
    "ExportedRow",
    "PaperSteps",
    "Record",
    "RecordTarget",
    "TargetSteps",
    "load_steps",
]


class Record(Protocol):
    """What a scenario registers: it knows which of its values are personal."""

    def personal_values(self) -> list[str]:
        """Every personal string a screen may show (masked out of kept evidence)."""
        ...


class RecordTarget(Protocol):
    """The verbs of a system records are registered in, exactly once."""

    def ensure_registered(self, record: Any, /, *, attempts: int = ...) -> tuple[str, bool]:
        """Search first; register if absent. ``(the system's reference, created)``."""
        ...


class ApplicationSource(Protocol):
    """The verbs of an online-application service that exports what it received."""

    def export_applications(self, *, status: str = ..., encoding: str = ...) -> bytes:
        """The CSV export of the applications in ``status``."""
        ...

    def mark_accepted(self, application_id: str, reference: str, /) -> None:
        """Record 受理 and the business system's reference on the application."""
        ...

    def application_state(self, application_id: str, /) -> tuple[str, str | None]:
        """The application's status and the reference written back, if any."""
        ...


class ExportedRow(Protocol):
    """One row of an export: its key and either the record or why it is refused."""

    @property
    def line(self) -> int: ...

    @property
    def application_id(self) -> str: ...

    @property
    def application(self) -> Any: ...

    @property
    def error(self) -> JimuError | None: ...


V = TypeVar("V")


@dataclass(frozen=True)
class Connection:
    """A registered system as one run reaches it (its URL possibly overridden)."""

    config: SystemConfig

    @classmethod
    def of(cls, config: ScenarioConfig, system_id: str, *, url: str | None = None) -> Connection:
        """The scenario's system ``system_id`` (:class:`ConfigError` if it does not list it)."""
        system = config.system(system_id)
        return cls(system.model_copy(update={"url": url}) if url else system)

    @property
    def system_id(self) -> str:
        return self.config.id

    def verbs(self, verbs_class: Callable[..., V], robot: RobotWorker) -> V:
        """The system's verbs (a :class:`~robots.TargetSystem`) on ``robot``'s page, logged
        in as the registered user with the password from its secret."""
        return verbs_class(
            robot,
            base_url=self.config.url,
            username=self.config.username,
            password=get_secret(self.config.password_secret),
        )


@dataclass(frozen=True, kw_only=True)
class TargetSteps:
    """What every flow that registers records needs; ``reference_label`` names the target
    system's reference for a record in workbooks and the Prefect UI (e.g. 受給者番号)."""

    target_system: str
    target: Callable[[RobotWorker, Connection], RecordTarget]
    record_from_json: Callable[[str], Record]
    reference_label: str = "登録番号"


@dataclass(frozen=True, kw_only=True)
class PaperSteps(TargetSteps):
    """Paper intake: a form's read (or reviewed) values become a record; the fields named in
    ``double_entry_fields`` are typed twice, blind, when double entry (ベリファイ) is on."""

    record_from_values: Callable[[str, Mapping[str, str]], Record]
    double_entry_fields: frozenset[str] = frozenset()


@dataclass(frozen=True, kw_only=True)
class ExportSteps(TargetSteps):
    """Export sync: a source system's export is read into rows, each registered in the
    target and written back to the source."""

    source_system: str
    source: Callable[[RobotWorker, Connection], ApplicationSource]
    read_rows: Callable[..., Sequence[ExportedRow]]


S = TypeVar("S", bound=TargetSteps)


def _where(exc: Exception) -> str:
    """``steps.py:LINE`` — the last line of the scenario's steps.py the error went through."""
    if isinstance(exc, SyntaxError) and exc.lineno:
        return f"steps.py:{exc.lineno}"
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename.endswith("steps.py")]
    return f"steps.py:{frames[-1].lineno}" if frames else "steps.py"


def load_steps(config: ScenarioConfig, kind: type[S], *, root: Path | None = None) -> S:
    """The scenario's ``steps.py`` (in ``root``, default the settings' scenarios folder),
    checked to offer what ``kind`` needs."""
    if not ((root or scenarios_dir()) / config.id / "steps.py").is_file():
        raise ConfigError(
            f"scenario {config.id!r}: its flow needs a steps.py in the scenario's folder "
            f"({kind.__name__}; see docs/authoring.md)"
        )
    try:
        module = scenario_module(config.id, "steps.py", root=root)
    except Exception as exc:  # the scenario's own code fails on import: say where
        raise ConfigError(f"scenario {config.id!r}: {_where(exc)} fails on import: "
                          f"{type(exc).__name__}: {exc}") from exc  # fmt: skip
    found: dict[str, Any] = {}
    for field in dataclasses.fields(kind):
        if hasattr(module, field.name):
            value = getattr(module, field.name)
            found[field.name] = frozenset(value) if field.name == "double_entry_fields" else value
        elif field.default is dataclasses.MISSING:
            raise ConfigError(f"scenario {config.id!r}: steps.py has no {field.name!r} (its "
                              f"flow needs {kind.__name__}; see docs/authoring.md)")  # fmt: skip
    for name in ("target_system", "source_system"):
        if name in found:
            config.system(found[name])  # listed in scenario.yaml and registered
    return kind(**found)
