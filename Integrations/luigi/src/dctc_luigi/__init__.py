"""Luigi targets and tasks for dctc flow pipelines. See Docs/integrations.md in the dctc sources."""

from dctc_luigi.tasks import (
    DctcBuildTask,
    DctcConfig,
    DctcError,
    DctcExternal,
    DctcTarget,
    dctc_task,
    dctc_tasks,
    is_external,
    pipeline_graph,
)

__all__ = [
    "DctcBuildTask",
    "DctcConfig",
    "DctcError",
    "DctcExternal",
    "DctcTarget",
    "dctc_task",
    "dctc_tasks",
    "is_external",
    "pipeline_graph",
]
__version__ = "0.1.0"
