"""Views of a release for people: static HTML pages (`render`), figures (`plot`), and the one
label palette both share (`palette`)."""
