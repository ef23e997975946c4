# Databricks notebook source
# MAGIC %md
# MAGIC # Quake alerts
# MAGIC
# MAGIC Hourly: the minutes of the last `lookback_minutes` in which at least `min_devices` devices each read a
# MAGIC magnitude above `threshold`, from the pipeline's `sensor` table. One phone spiking is someone dropping
# MAGIC it; many phones in the same minute is the ground shaking. Each such minute is one row of
# MAGIC `quake_alerts` (minute, devices, device_ids, peak_magn, detected_at); a rerun over the same hour
# MAGIC updates its rows instead of adding them again.

# COMMAND ----------

import re

from pyspark.sql.functions import array_sort, col, collect_set, count_distinct, current_timestamp
from pyspark.sql.functions import date_trunc, expr
from pyspark.sql.functions import max as max_

dbutils.widgets.text("catalog", "")
dbutils.widgets.text("schema", "")
dbutils.widgets.text("threshold", "20")
dbutils.widgets.text("min_devices", "3")
dbutils.widgets.text("lookback_minutes", "60")
IDENTIFIER = re.compile(r"^[a-z_][a-z0-9_]*$")
catalog = dbutils.widgets.get("catalog")
schema = dbutils.widgets.get("schema")
for name, value in (("catalog", catalog), ("schema", schema)):
    if not IDENTIFIER.match(value):
        raise ValueError(f"the {name} parameter must be a Unity Catalog identifier, got {value!r}")


def number(name, convert, minimum):
    text = dbutils.widgets.get(name)
    try:
        value = convert(text)
    except ValueError:
        raise ValueError(f"the {name} parameter must be a number, got {text!r}") from None
    if value < minimum:
        raise ValueError(f"the {name} parameter must be at least {minimum}, got {value}")
    return value


threshold = number("threshold", float, 0)
min_devices = number("min_devices", int, 1)
lookback_minutes = number("lookback_minutes", int, 1)

# COMMAND ----------

alerts = (
    spark.table(f"`{catalog}`.`{schema}`.sensor")
    .where(col("time") >= current_timestamp() - expr(f"INTERVAL {lookback_minutes} MINUTES"))
    .where(col("magn") > threshold)
    .groupBy(date_trunc("minute", col("time")).alias("minute"))
    .agg(
        count_distinct("device").alias("devices"),
        array_sort(collect_set("device")).alias("device_ids"),
        max_("magn").alias("peak_magn"),
    )
    .where(col("devices") >= min_devices)
    .withColumn("detected_at", current_timestamp())
)

# COMMAND ----------

target = f"`{catalog}`.`{schema}`.quake_alerts"
spark.sql(
    f"CREATE TABLE IF NOT EXISTS {target} "
    "(minute TIMESTAMP, devices BIGINT, device_ids ARRAY<STRING>, peak_magn DOUBLE, detected_at TIMESTAMP) "
    "COMMENT 'Minutes in which several devices read a magnitude above the threshold at once.'"
)
alerts.createOrReplaceTempView("new_quake_alerts")
spark.sql(
    f"MERGE INTO {target} AS t USING new_quake_alerts AS s ON t.minute = s.minute "
    "WHEN MATCHED THEN UPDATE SET * WHEN NOT MATCHED THEN INSERT *"
)
print(f"{alerts.count()} minute(s) with at least {min_devices} device(s) above magnitude {threshold}")
display(alerts.orderBy("minute"))
