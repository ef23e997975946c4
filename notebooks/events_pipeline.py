# Databricks notebook source
# MAGIC %md
# MAGIC # Seismograph events: Kinesis to Delta
# MAGIC
# MAGIC Reads the environment's Kinesis stream through a Unity Catalog service credential (no static keys)
# MAGIC and publishes these datasets into the pipeline's catalog and schema:
# MAGIC
# MAGIC | dataset | kind | what |
# MAGIC |---|---|---|
# MAGIC | `events` | view | records parsed from `{"magnitude", "time", "device"}` |
# MAGIC | `events_valid` | view | the events that keep the contract (expectations drop the rest) |
# MAGIC | `sensor` | streaming table | valid events, `magnitude` renamed `magn` |
# MAGIC | `global_stat` | materialized view | count, max, min, avg and stddev of magnitude |
# MAGIC
# MAGIC and, into the quarantine schema next to it, which is never shared: whatever has not been checked
# MAGIC against the contract, or broke it, stays out of the share even when the whole schema is shared:
# MAGIC
# MAGIC | dataset | kind | what |
# MAGIC |---|---|---|
# MAGIC | `events_raw` | streaming table | Kinesis records as received (bronze), junk included |
# MAGIC | `events_quarantine` | streaming table | records that break the contract, with every reason |
# MAGIC | `event_quality` | materialized view | accepted and quarantined records, by reason |
# MAGIC
# MAGIC The contract is enforced here because every path meets here: the ingest function checks events too,
# MAGIC but the seismograph page's guests write to the stream directly, and anyone can be a guest. A record
# MAGIC keeps the contract when its magnitude is a finite number from 0 to the configured maximum, its time
# MAGIC lies within the configured window around its arrival in Kinesis, its device matches the contract's
# MAGIC pattern (events/contract.ts), its partition key is its device, and it has no other fields.
# MAGIC
# MAGIC Stream, credential and the contract's bounds come from the pipeline configuration lakestack writes.

# COMMAND ----------

import dlt
from pyspark.sql.functions import array, avg, col, count, expr, from_json, lit, stddev, when
from pyspark.sql.functions import explode as explode_
from pyspark.sql.functions import filter as filter_
from pyspark.sql.functions import max as max_
from pyspark.sql.functions import min as min_
from pyspark.sql.functions import size as size_
from pyspark.sql.types import DoubleType, StringType, StructField, StructType, TimestampType

STREAM_NAME = spark.conf.get("lakestack.kinesis.stream_name")
REGION = spark.conf.get("lakestack.kinesis.region")
SERVICE_CREDENTIAL = spark.conf.get("lakestack.kinesis.service_credential")
STARTING_POSITION = spark.conf.get("lakestack.kinesis.starting_position", "trim_horizon")

MAGNITUDE_MAX = float(spark.conf.get("lakestack.contract.magnitude_max"))
MAX_AGE_SECONDS = int(spark.conf.get("lakestack.contract.max_age_seconds"))
MAX_AHEAD_SECONDS = int(spark.conf.get("lakestack.contract.max_ahead_seconds"))
DEVICE_PATTERN = spark.conf.get("lakestack.contract.device_pattern")
QUARANTINE_SCHEMA = spark.conf.get("lakestack.contract.quarantine_schema")

# The pattern and the schema name are written by lakestack, but they land in SQL text: refuse anything
# that could end a string literal or an identifier.
if "'" in DEVICE_PATTERN or "\\" in DEVICE_PATTERN:
    raise ValueError(f"lakestack.contract.device_pattern holds a quote or backslash: {DEVICE_PATTERN!r}")
if "`" in QUARANTINE_SCHEMA:
    raise ValueError(f"lakestack.contract.quarantine_schema is not an identifier: {QUARANTINE_SCHEMA!r}")
RAW_TABLE = f"{QUARANTINE_SCHEMA}.events_raw"
QUARANTINE_TABLE = f"{QUARANTINE_SCHEMA}.events_quarantine"
QUALITY_VIEW = f"{QUARANTINE_SCHEMA}.event_quality"

EVENT_SCHEMA = StructType(
    [
        StructField("magnitude", DoubleType()),
        StructField("time", TimestampType()),
        StructField("device", StringType()),
        StructField("received_at", TimestampType()),
    ]
)
# The ingest function adds received_at; nobody else may add anything.
EVENT_FIELDS = "array('magnitude', 'time', 'device', 'received_at')"

# Each rule is a SQL condition over the `events` view that is true for a good record and never NULL.
CONTRACT = {
    "magnitude is a finite number within bounds": (
        f"coalesce(magnitude BETWEEN 0 AND {MAGNITUDE_MAX} AND NOT isnan(magnitude), false)"
    ),
    "time is within the window around its arrival": (
        f"coalesce(time BETWEEN arrived_at - INTERVAL {MAX_AGE_SECONDS} SECONDS"
        f" AND arrived_at + INTERVAL {MAX_AHEAD_SECONDS} SECONDS, false)"
    ),
    "device matches the contract": f"coalesce(device RLIKE '{DEVICE_PATTERN}', false)",
    "partition key is the device": "coalesce(partition_key = device, false)",
    "no fields beyond the contract": (
        f"coalesce(size(array_except(json_object_keys(body), {EVENT_FIELDS})) = 0, false)"
    ),
}

# COMMAND ----------


# Kinesis keeps records only for the stream's retention period: a full refresh of this table could not
# re-read what has expired, so resetting it is refused.
@dlt.table(
    name=RAW_TABLE,
    comment="Kinesis records as received, one row per record.",
    table_properties={"pipelines.reset.allowed": "false"},
)
def events_raw():
    return (
        spark.readStream.format("kinesis")
        .option("streamName", STREAM_NAME)
        .option("region", REGION)
        .option("serviceCredential", SERVICE_CREDENTIAL)
        .option("initialPosition", STARTING_POSITION)
        .load()
        .select(
            col("partitionKey").alias("partition_key"),
            col("data").cast("string").alias("body"),
            col("approximateArrivalTimestamp").alias("arrived_at"),
            col("shardId").alias("shard_id"),
            col("sequenceNumber").alias("sequence_number"),
        )
    )


# COMMAND ----------


@dlt.view(name="events", comment="Records parsed from their JSON body.")
def events():
    return (
        dlt.read_stream(RAW_TABLE)
        .withColumn("event", from_json(col("body"), EVENT_SCHEMA))
        .select(
            "partition_key",
            "event.magnitude",
            "event.time",
            "event.device",
            "event.received_at",
            "arrived_at",
            "body",
            "shard_id",
            "sequence_number",
        )
    )


@dlt.view(name="events_valid", comment="Events that keep the contract; the pipeline counts what it drops.")
@dlt.expect_all_or_drop(CONTRACT)
def events_valid():
    return dlt.read_stream("events")


@dlt.table(name="sensor", comment="One row per device reading that keeps the event contract.")
def sensor():
    return dlt.read_stream("events_valid").select(
        "device", "time", col("magnitude").alias("magn"), "arrived_at"
    )


# COMMAND ----------


def broken_rules():
    """The names of the rules a record breaks, as an array column (empty when it keeps the contract)."""
    verdicts = [when(~expr(condition), lit(name)) for name, condition in CONTRACT.items()]
    return filter_(array(*verdicts), lambda name: name.isNotNull())


@dlt.table(
    name=QUARANTINE_TABLE,
    comment="Records that break the event contract, as received, with the rules they break.",
    table_properties={"pipelines.reset.allowed": "false"},
)
def events_quarantine():
    return (
        dlt.read_stream("events")
        .withColumn("reasons", broken_rules())
        .where(size_(col("reasons")) > 0)
        .select("partition_key", "body", "arrived_at", "shard_id", "sequence_number", "reasons")
    )


@dlt.table(name=QUALITY_VIEW, comment="Records accepted into sensor and quarantined, by reason.")
def event_quality():
    accepted = (
        spark.read.table("sensor")
        .agg(count(lit(1)).alias("records"))
        .select(lit("accepted").alias("outcome"), lit(None).cast("string").alias("reason"), "records")
    )
    quarantined = (
        spark.read.table(QUARANTINE_TABLE)
        .select(explode_("reasons").alias("reason"))
        .groupBy("reason")
        .agg(count(lit(1)).alias("records"))
        .select(lit("quarantined").alias("outcome"), "reason", "records")
    )
    return accepted.unionByName(quarantined)


# COMMAND ----------


@dlt.table(name="global_stat", comment="Statistics over every reading that keeps the contract.")
def global_stat():
    return (
        dlt.read("sensor")
        .groupBy()
        .agg(
            count("magn").alias("events"),
            max_("magn").alias("max_magn"),
            min_("magn").alias("min_magn"),
            avg("magn").alias("avg_magn"),
            stddev("magn").alias("stddev_magn"),
        )
    )
