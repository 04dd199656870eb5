"""Running the service: gunicorn's settings, its worker and log lines, the webhook deliverer."""
