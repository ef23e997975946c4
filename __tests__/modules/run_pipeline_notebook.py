"""
Runs notebooks/events_pipeline.py outside Databricks, with `dlt`, `pyspark` and `spark` replaced by
recorders: what datasets it declares, with which expectations, which configuration keys it reads and
which SQL it builds. Usage: python3 run_pipeline_notebook.py <notebook> <configuration as JSON>
Prints one JSON document; exits 1 with the notebook's own error message when it refuses its configuration.
"""

import json
import sys
import types


class Column:
    """Any Spark object: every attribute, call and operator gives another one, remembering SQL it saw."""

    def __init__(self, sql=None):
        self.sql = sql

    def __getattr__(self, name):
        return Column()

    def __call__(self, *args, **kwargs):
        return Column()

    def __invert__(self):
        return Column(f"NOT ({self.sql})" if self.sql else None)

    __gt__ = __lt__ = __eq__ = __ne__ = __and__ = __or__ = lambda self, other: Column()

    def __hash__(self):
        return id(self)


expressions = []


def expr(sql):
    expressions.append(sql)
    return Column(sql)


functions = types.ModuleType("pyspark.sql.functions")
functions.__getattr__ = lambda name: (lambda *args, **kwargs: Column())
functions.expr = expr
sql_types = types.ModuleType("pyspark.sql.types")
sql_types.__getattr__ = lambda name: (lambda *args, **kwargs: Column())

datasets = []


def declare(kind):
    def decorator_factory(name=None, comment=None, table_properties=None, **_):
        def decorator(function):
            entry = {
                "kind": kind,
                "name": name or function.__name__,
                "properties": table_properties or {},
                "expectations": getattr(function, "expectations", {}),
            }
            function()  # the body builds its query with the recorders, so it must run
            datasets.append(entry)
            return function

        return decorator

    return decorator_factory


def expect_all_or_drop(rules):
    def decorator(function):
        function.expectations = dict(rules)
        return function

    return decorator


dlt = types.ModuleType("dlt")
dlt.table = declare("table")
dlt.view = declare("view")
dlt.expect_all_or_drop = expect_all_or_drop
dlt.read_stream = dlt.read = lambda name: Column()

for module_name, module in {
    "dlt": dlt,
    "pyspark": types.ModuleType("pyspark"),
    "pyspark.sql": types.ModuleType("pyspark.sql"),
    "pyspark.sql.functions": functions,
    "pyspark.sql.types": sql_types,
}.items():
    sys.modules[module_name] = module

configuration = json.loads(sys.argv[2])
read = []


class Conf:
    def get(self, key, default=None):
        read.append(key)
        if key in configuration:
            return configuration[key]
        if default is not None:
            return default
        raise KeyError(f"configuration has no {key}")


spark = Column()
spark.conf = Conf()

source = open(sys.argv[1], encoding="utf-8").read()
try:
    exec(compile(source, sys.argv[1], "exec"), {"spark": spark, "__name__": "notebook"})
except ValueError as error:
    print(str(error), file=sys.stderr)
    sys.exit(1)
print(json.dumps({"datasets": datasets, "read": read, "expressions": expressions}))
