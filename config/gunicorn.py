"""gunicorn's settings: `gunicorn -c config/gunicorn.py config.wsgi --workers 3 --bind 0.0.0.0:8000`. The access
log goes to stdout with every validation link's token redacted (config/logredact.py)."""

accesslog = "-"
logger_class = "config.logredact.TokenRedactingGunicornLogger"
