/**
 * Resource types that hold data, or whose loss makes data unreachable. The single list the guard
 * consults: a delete or replace of any resource needs an allow, but these also put their plain
 * updates on the review list and are marked "holds data" in every summary.
 *
 * Add a type here when destroying it loses records, files, tables, credentials that consumers hold,
 * or the history that lets data be recovered.
 */
export const STATEFUL_RESOURCE_TYPES: ReadonlyMap<string, string> = new Map([
  // AWS
  ["aws_kinesis_stream", "records within retention; recreating it invalidates consumer checkpoints"],
  ["aws_s3_bucket", "lake objects, the site, Terraform state"],
  ["aws_s3_bucket_versioning", "keeps overwritten and deleted objects recoverable"],
  ["aws_s3_bucket_lifecycle_configuration", "its expiration rules delete objects"],
  ["aws_kms_key", "deleting the key makes everything encrypted with it unreadable"],
  // Databricks Unity Catalog and pipelines
  ["databricks_metastore", "root of every catalog in the region"],
  ["databricks_catalog", "dropping it can cascade to its schemas and managed tables"],
  ["databricks_schema", "dropping it can cascade to its managed tables and volumes"],
  ["databricks_sql_table", "a managed table's data is dropped with it"],
  ["databricks_volume", "a managed volume's files are deleted with it"],
  ["databricks_pipeline", "deleting a Unity Catalog pipeline drops the tables it publishes"],
  ["databricks_external_location", "the governed path to the lake; tables and grants depend on it"],
  ["databricks_storage_credential", "the identity external locations use to reach the lake"],
  ["databricks_credential", "the service credential consumers use to reach AWS"],
  // Delta Sharing
  ["databricks_share", "recipients lose access to everything shared"],
  ["databricks_recipient", "recreating it invalidates the credentials the recipient holds"],
]);

export function isStatefulType(resourceType: string): boolean {
  return STATEFUL_RESOURCE_TYPES.has(resourceType);
}

/**
 * Resource types that hold nothing at all: deleting or replacing one loses nothing, so neither blocks.
 * A `time_sleep` is a pause during apply; replacing it (its triggers changed) only waits again.
 */
export const STATELESS_RESOURCE_TYPES: ReadonlyMap<string, string> = new Map([
  ["time_sleep", "a pause during apply: replacing it only waits again"],
]);

export function isStatelessType(resourceType: string): boolean {
  return STATELESS_RESOURCE_TYPES.has(resourceType);
}
