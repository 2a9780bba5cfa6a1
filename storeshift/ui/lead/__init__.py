"""The shift-lead window: floor board, tasks, people and badges, observations, reports, settings."""
