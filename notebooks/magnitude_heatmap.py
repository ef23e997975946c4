# Databricks notebook source
# MAGIC %md
# MAGIC # Magnitude heatmap
# MAGIC
# MAGIC Maximum magnitude per device in two-second buckets over the most recent readings: a wall of
# MAGIC phones shaking shows up as a bright column.

# COMMAND ----------

# MAGIC %pip install plotly==5.24.1

# COMMAND ----------

import re

import plotly.graph_objects as go
from pyspark.sql.functions import col, current_timestamp, expr

dbutils.widgets.text("catalog", "")
dbutils.widgets.text("schema", "")
dbutils.widgets.text("window_seconds", "20")
IDENTIFIER = re.compile(r"^[a-z_][a-z0-9_]*$")
catalog = dbutils.widgets.get("catalog")
schema = dbutils.widgets.get("schema")
for name, value in (("catalog", catalog), ("schema", schema)):
    if not IDENTIFIER.match(value):
        raise ValueError(f"the {name} parameter must be a Unity Catalog identifier, got {value!r}")
window_seconds = int(dbutils.widgets.get("window_seconds"))

# COMMAND ----------

recent = (
    spark.table(f"`{catalog}`.`{schema}`.sensor")
    .where(col("time") >= current_timestamp() - expr(f"INTERVAL {window_seconds} SECONDS"))
    .select("device", "time", "magn")
    .toPandas()
)

if recent.empty:
    print(f"no readings in the last {window_seconds} seconds")
else:
    # Short labels keep the axis readable with a hundred phones; six hex digits keep them apart.
    recent["device"] = recent["device"].str[-6:]
    buckets = (
        recent.set_index("time")
        .groupby("device")["magn"]
        .resample("2s")
        .max()
        .reset_index()
        .pivot(index="device", columns="time", values="magn")
    )
    figure = go.Figure(
        go.Heatmap(z=buckets.values, x=buckets.columns, y=buckets.index, colorscale="Magma")
    )
    figure.update_layout(title="Max magnitude per device, 2 s buckets", xaxis_title="time", yaxis_title="device")
    figure.show()
