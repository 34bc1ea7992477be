-- The job schedule is data shared by every node (issue 24): an interval set
-- through the API, the jobs page or `kaidan jobs set` (no longer rewritten
-- by each node's `[jobs] interval_seconds` at every tick), and a job can be
-- paused: no node runs it on schedule until it is resumed. A "run now"
-- asked of a node that runs no jobs is a request on the row: due now, once,
-- paused or not, for the first node that runs jobs.
ALTER TABLE jobs ADD COLUMN paused BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE jobs ADD COLUMN run_requested BOOLEAN NOT NULL DEFAULT FALSE;
