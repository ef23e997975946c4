# Databricks notebook source
# MAGIC %md
# MAGIC # Maximum magnitude per device
# MAGIC
# MAGIC Writes `device_max` (device, max_magn, events, last_seen) from the pipeline's `sensor` table: the
# MAGIC "who shook hardest" chart, and a plain Delta table that Delta Sharing can hand to a partner.

# COMMAND ----------

import re

from pyspark.sql.functions import count
from pyspark.sql.functions import max as max_

dbutils.widgets.text("catalog", "")
dbutils.widgets.text("schema", "")
IDENTIFIER = re.compile(r"^[a-z_][a-z0-9_]*$")
catalog = dbutils.widgets.get("catalog")
schema = dbutils.widgets.get("schema")
for name, value in (("catalog", catalog), ("schema", schema)):
    if not IDENTIFIER.match(value):
        raise ValueError(f"the {name} parameter must be a Unity Catalog identifier, got {value!r}")

# COMMAND ----------

per_device = (
    spark.table(f"`{catalog}`.`{schema}`.sensor")
    .groupBy("device")
    .agg(max_("magn").alias("max_magn"), count("magn").alias("events"), max_("time").alias("last_seen"))
    .orderBy("max_magn", ascending=False)
)
per_device.write.mode("overwrite").option("overwriteSchema", "true").saveAsTable(
    f"`{catalog}`.`{schema}`.device_max"
)
display(per_device)
