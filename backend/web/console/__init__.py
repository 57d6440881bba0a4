"""The web console: server-rendered pages (Jinja2) for township and county staff."""
