"""The database's plan for a statement as one line of text, on SQLite and on PostgreSQL.

PostgreSQL's planner is told not to scan whole tables (`enable_seqscan = off`, for the test's transaction):
the test tables hold a handful of rows, where a sequential scan is always cheapest; the question these tests
ask is whether an index can serve the statement."""

from django.db import connection


def query_plan(sql: str, params: list | tuple = ()) -> str:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute(f"EXPLAIN {sql}", params)
        else:
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
        return " ".join(str(row[-1]) for row in cursor.fetchall())


def uses_an_index(plan: str) -> bool:
    """SQLite: SEARCH … USING (COVERING) INDEX; PostgreSQL: Index Scan, Index Only Scan, Bitmap Index Scan."""
    return "USING INDEX" in plan or "USING COVERING INDEX" in plan or "Index" in plan
