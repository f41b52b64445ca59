"""Pages of jobs: the organisation's recent jobs, starting an export, following a job."""
