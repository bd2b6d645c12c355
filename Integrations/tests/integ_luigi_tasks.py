"""The Luigi side of the integration test: the fixture pipeline as two Luigi task classes.

    luigi --module integ_luigi_tasks Rollup --date 2013-06-07 --local-scheduler

dctc's binary, pipeline and state come from the [dctc] section of the luigi.cfg that
Integrations/test.sh writes (LUIGI_CONFIG_PATH).
"""

from __future__ import annotations

import datetime

import luigi

from dctc_luigi import DctcBuildTask, DctcExternal


class Compressed(DctcBuildTask):
    """raw_gz@DATE: the day's raw log, gzipped onto S3; needs the raw log (external)."""

    date = luigi.DateParameter()

    def dctc_target(self) -> str:
        return f"raw_gz@{self.date:%Y-%m-%d}"

    def requires(self):
        return DctcExternal(target=f"raw@{self.date:%Y-%m-%d}", pipeline=self.pipeline, state=self.state)


class Rollup(DctcBuildTask):
    """rollup@DATE: the seven days up to DATE, sorted; needs the seven Compressed days."""

    date = luigi.DateParameter()

    def dctc_target(self) -> str:
        return f"rollup@{self.date:%Y-%m-%d}"

    def requires(self):
        return [Compressed(date=self.date - datetime.timedelta(days=back), pipeline=self.pipeline, state=self.state)
                for back in range(7)]
