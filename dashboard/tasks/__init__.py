"""Background work: the scheduled sync cycle, warming the follow-up model, reports.

With a broker (MALBILD_BROKER_URL or REDIS_URL) it runs on Celery workers (`malbild worker`);
without one the same functions run in the process that asks (the web process, or
`malbild sync` from cron).
"""
