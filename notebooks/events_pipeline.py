# Databricks notebook source
# MAGIC %md
# MAGIC # Seismograph events: Kinesis to Delta
# MAGIC
# MAGIC Reads the environment's Kinesis stream through a Unity Catalog service credential (no static keys)
# MAGIC and publishes four datasets into the pipeline's catalog and schema:
# MAGIC
# MAGIC | dataset | kind | what |
# MAGIC |---|---|---|
# MAGIC | `events_raw` | streaming table | Kinesis records as received (bronze) |
# MAGIC | `events` | view | records parsed from `{"magnitude", "time", "device"}` |
# MAGIC | `sensor` | streaming table | parsed events with a device, `magnitude` renamed `magn` |
# MAGIC | `global_stat` | materialized view | count, max, min, avg and stddev of magnitude |
# MAGIC
# MAGIC Stream name, region and credential come from the pipeline configuration that lakestack writes.

# COMMAND ----------

import dlt
from pyspark.sql.functions import avg, col, count, from_json, stddev
from pyspark.sql.functions import max as max_
from pyspark.sql.functions import min as min_
from pyspark.sql.types import DoubleType, StringType, StructField, StructType, TimestampType

STREAM_NAME = spark.conf.get("lakestack.kinesis.stream_name")
REGION = spark.conf.get("lakestack.kinesis.region")
SERVICE_CREDENTIAL = spark.conf.get("lakestack.kinesis.service_credential")
STARTING_POSITION = spark.conf.get("lakestack.kinesis.starting_position", "trim_horizon")

EVENT_SCHEMA = StructType(
    [
        StructField("magnitude", DoubleType()),
        StructField("time", TimestampType()),
        StructField("device", StringType()),
    ]
)

# COMMAND ----------


# Kinesis keeps records only for the stream's retention period: a full refresh of this table could not
# re-read what has expired, so resetting it is refused.
@dlt.table(
    name="events_raw",
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
        dlt.read_stream("events_raw")
        .withColumn("event", from_json(col("body"), EVENT_SCHEMA))
        .select("partition_key", "event.magnitude", "event.time", "event.device", "arrived_at")
    )


@dlt.table(name="sensor", comment="One row per device reading; rows without a device are dropped.")
@dlt.expect_or_drop("device is set", "device IS NOT NULL")
def sensor():
    return dlt.read_stream("events").select("device", "time", col("magnitude").alias("magn"))


# COMMAND ----------


@dlt.table(name="global_stat", comment="Statistics over every reading so far.")
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
