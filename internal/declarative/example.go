package declarative

// ExampleConfig is the kong.yml `silverback config init` writes: a small,
// valid configuration that explains the format in its comments.
const ExampleConfig = `# ------------------------------------------------------------------------------
# Silverback declarative configuration (Kong's kong.yml format).
#
# Load it in DB-less mode (database = off, declarative_config = kong.yml),
# POST it to /config, check it with 'silverback config parse kong.yml' or
# import it into a database with 'silverback config db_import kong.yml'.
# ------------------------------------------------------------------------------

# Keys starting with an underscore describe the file; all others are
# entities (services, routes, consumers, plugins, upstreams, targets,
# certificates, snis, ca_certificates and the entities of plugins).

# _format_version is required: "3.0" for files written for Kong 3.x
# ("1.1" and "2.1" files are accepted and their route paths converted).
_format_version: "3.0"

# _transform (default true) runs entity transformations while loading, such
# as computing digests or hashing credentials. Exports set it to false:
# their values are stored as they are.
_transform: true

# _comment (a string) and _ignore (a list of anything) are ignored, here and
# at the top of any entity.
_comment: An example to start from.

services:
- name: example-service
  url: http://httpbin.org
  tags: [example]
  _comment: Entities with a foreign key can be nested in their parent.
  routes:
  - name: example-route
    paths:
    - /example
    # plugins:
    # - name: key-auth

# Top-level entities reference their parent by name or id instead:
#
# routes:
# - name: another-route
#   service: example-service
#   hosts: [example.com]

consumers:
- username: example-user
  custom_id: "1234"
  # Credentials of auth plugins nest in their consumer, e.g.:
  # keyauth_credentials:
  # - key: my-key

# Load balancing: a service whose host is an upstream's name is balanced
# over the upstream's targets.
#
# upstreams:
# - name: example-upstream
#   targets:
#   - target: 127.0.0.1:8080
#     weight: 100
`
