"""How requests are read and answered around the views: context, caching, errors, auth, logs."""
