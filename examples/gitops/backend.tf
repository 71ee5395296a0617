# Shared state for every pipeline: PostgreSQL, in Terraform's pg layout. The connection
# string comes from the environment (PG_CONN_STR, a CI secret), never from this file.
terraform {
  backend "pg" {}
}
